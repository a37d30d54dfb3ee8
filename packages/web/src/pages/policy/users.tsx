import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function UsersPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('users.title')} />;
}
