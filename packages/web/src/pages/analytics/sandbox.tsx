import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function SandboxPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('sandbox.title')} />;
}
