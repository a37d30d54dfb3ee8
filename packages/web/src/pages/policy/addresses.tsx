import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/common.js';

export function AddressesPage() {
  const { t } = useTranslation();
  return <PageHeader title={t('address.listTitle')} />;
}
