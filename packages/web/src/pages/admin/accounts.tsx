import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function AccountsPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('accounts.title')} />;
}
