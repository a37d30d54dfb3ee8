import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/common.js';

export function GatewaysPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('gateways.title')} />;
}
