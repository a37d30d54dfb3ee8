import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function LogsPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('logs.title')} />;
}
