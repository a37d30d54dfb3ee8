import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function ReportsPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('reports.title')} />;
}
