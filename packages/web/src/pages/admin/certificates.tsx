import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function CertificatesPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('certs.title')} />;
}
