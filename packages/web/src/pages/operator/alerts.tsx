import { Alert, Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { analytics, gateways as gwApi, operator } from '../../api/endpoints.js';
import { AlertTable } from '../admin/alerts.js';
import { fmtTime, PageHeader } from '../../components/common.js';
import { DeployState, isOnline } from '../gateways.js';
import { errorText } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';

/**
 * The operator's cross-tenant view: every tenant's gateways with status and last deployment,
 * problems first (offline gateways, failed deployments).
 */
export function OperatorAlertsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const tenants = useQuery({ queryKey: ['tenants'], queryFn: operator.tenants });
  const gws = useQueries({ queries: (tenants.data ?? []).map((tn) => ({ queryKey: ['gateways', tn.id], queryFn: () => gwApi.list(tn.id), refetchInterval: 30_000 })) });
  const rows = (tenants.data ?? []).flatMap((tn, i) => (gws[i]?.data ?? []).map((g) => ({ tn, g })));
  const problems = rows.filter(({ g }) => !isOnline(g) || g.lastDeployment?.state === 'failed');
  // the administrator alerts (§8) each tenant raised, newest first
  const alertQs = useQueries({ queries: (tenants.data ?? []).map((tn) => ({ queryKey: ['alerts', tn.id], queryFn: () => analytics.alerts(tn.id), refetchInterval: 60_000 })) });
  const names = new Map((tenants.data ?? []).map((tn) => [tn.id, tn.name]));
  const alerts = (tenants.data ?? []).flatMap((tn, i) => (alertQs[i]?.data ?? []).map((a) => ({ ...a, tenantId: tn.id }))).sort((x, y) => y.lastAt - x.lastAt);
  const alertsFailed = alertQs.find((q) => q.isError);
  return (
    <>
      <PageHeader title={t('operator.alertsTitle')} />
      {tenants.isError && <Alert color="red">{errorText(tenants.error, t)}</Alert>}
      <Stack>
        <Title order={3} size="h4">{t('operator.unhealthy')} ({problems.length})</Title>
        <Paper withBorder>
          <Table striped data-testid="operator-problems">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('app.tenant')}</Table.Th>
                <Table.Th>{t('gateways.name')}</Table.Th>
                <Table.Th>{t('gateways.status')}</Table.Th>
                <Table.Th>{t('gateways.lastSeen')}</Table.Th>
                <Table.Th>{t('gateways.lastDeploy')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {problems.map(({ tn, g }) => (
                <Table.Tr key={g.id}>
                  <Table.Td>{tn.name}</Table.Td>
                  <Table.Td>{g.name}</Table.Td>
                  <Table.Td><Badge color={isOnline(g) ? 'teal' : 'gray'}>{t(isOnline(g) ? 'gateways.online' : 'gateways.offline')}</Badge></Table.Td>
                  <Table.Td>{fmtTime(g.lastSeen ? new Date(g.lastSeen).toISOString() : null, lang)}</Table.Td>
                  <Table.Td><DeployState g={g} /></Table.Td>
                </Table.Tr>
              ))}
              {problems.length === 0 && <Table.Tr><Table.Td colSpan={5}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
            </Table.Tbody>
          </Table>
        </Paper>
        <Title order={3} size="h4">{t('alerts.history')}</Title>
        <Paper withBorder data-testid="operator-alerts">
          {alertsFailed ? <Text p="md" size="sm" c="red">{errorText(alertsFailed.error, t)}</Text> : <AlertTable alerts={alerts} tenantName={(a) => names.get((a as { tenantId?: string }).tenantId ?? '') ?? ''} />}
        </Paper>
      </Stack>
    </>
  );
}
