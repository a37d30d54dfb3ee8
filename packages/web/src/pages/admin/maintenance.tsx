import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function MaintenancePage() {
  const { t } = useTranslation();
  return <PageHeader title={t('maintenance.title')} />;
}
