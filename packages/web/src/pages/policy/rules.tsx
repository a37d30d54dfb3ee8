import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function RulesPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('rules.title')} />;
}
