import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function ProfilesPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('profiles.title')} />;
}
