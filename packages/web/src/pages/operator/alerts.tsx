import { Paper, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { operator } from '../../api/endpoints.js';
import { PageHeader } from '../../components/common.js';
import { AlertTable } from '../admin/alerts.js';

export function OperatorAlertsPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['operatorAlerts'], queryFn: operator.alerts, refetchInterval: 30_000 });
  return (
    <>
      <PageHeader title={t('operator.alertsTitle')} />
      <Paper withBorder>
        {q.isError ? <Text p="md" size="sm" c="dimmed">{t('common.notAvailable')}</Text> : <AlertTable alerts={q.data ?? []} showTenant />}
      </Paper>
    </>
  );
}
