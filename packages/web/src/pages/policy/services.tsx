import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function ServicesPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('services.title')} />;
}
