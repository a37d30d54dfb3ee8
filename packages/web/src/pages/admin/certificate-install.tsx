import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function CertificateInstallPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('install.title')} />;
}
