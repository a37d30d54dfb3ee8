import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function TenantsPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('operator.title')} />;
}
