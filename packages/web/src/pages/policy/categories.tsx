import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function CategoriesPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('categories.title')} />;
}
