import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function ListsPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('lists.title')} />;
}
