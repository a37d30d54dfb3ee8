import { Center, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export function NotFound() {
  const { t } = useTranslation();
  return (
    <Center h={300}>
      <Text c="dimmed">{t('app.notFound')}</Text>
    </Center>
  );
}
