import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/common.js';

export function DashboardPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('dashboard.title')} />;
}
