import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Checkbox, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { admin, analytics } from '../../api/endpoints.js';
import type { AlertSettings, AnalyticsAlert } from '../../api/types.js';
import { ErrorAlert, fmtTime, OnOff, PageHeader, useTenantId } from '../../components/common.js';
import { errorText, useProblems } from '../../components/problems.js';
import { useSession } from '../../components/session.js';
import { currentLang } from '../../i18n/index.js';

export function AlertTable({ alerts, tenantName }: { alerts: AnalyticsAlert[]; tenantName?: (a: AnalyticsAlert) => string }) {
  const { t } = useTranslation();
  const lang = currentLang();
  return (
    <Table striped data-testid="alerts-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('common.time')}</Table.Th>
          {tenantName && <Table.Th>{t('app.tenant')}</Table.Th>}
          <Table.Th>{t('alerts.severity')}</Table.Th>
          <Table.Th>{t('alerts.message')}</Table.Th>
          <Table.Th>{t('logs.count')}</Table.Th>
          <Table.Th>{t('common.status')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {alerts.map((a) => (
          <Table.Tr key={a.id}>
            <Table.Td>{fmtTime(new Date(a.lastAt).toISOString(), lang)}</Table.Td>
            {tenantName && <Table.Td>{tenantName(a)}</Table.Td>}
            <Table.Td><Badge color={a.severity === 'critical' ? 'red' : a.severity === 'warning' ? 'yellow' : 'blue'} variant="light">{t(`alerts.level.${a.severity}`, { defaultValue: a.severity })}</Badge></Table.Td>
            <Table.Td>
              <Text size="sm">{a.titles?.[lang] ?? a.title}</Text>
              {a.messages?.[lang] ? <Text size="xs" c="dimmed">{a.messages[lang]}</Text> : null}
            </Table.Td>
            <Table.Td>{a.count}</Table.Td>
            <Table.Td><Badge color={a.state === 'open' ? 'orange' : 'gray'} variant="dot">{t(`alerts.state.${a.state}`, { defaultValue: a.state })}</Badge></Table.Td>
          </Table.Tr>
        ))}
        {alerts.length === 0 && <Table.Tr><Table.Td colSpan={tenantName ? 6 : 5}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
      </Table.Tbody>
    </Table>
  );
}

/** §8 管理者アラート: read-only for the tenant's roles, editable by the operator. */
export function AlertsPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const session = useSession();
  const q = useQuery({ queryKey: ['alertSettings', tenantId], queryFn: () => admin.alertSettings(tenantId) });
  const editable = q.data?.editable ?? session.account.role === 'operator';
  const history = useQuery({ queryKey: ['alerts', tenantId], queryFn: () => analytics.alerts(tenantId) });
  const [work, setWork] = useState<AlertSettings | null>(null);
  const [recipients, setRecipients] = useState('');
  const [saved, setSaved] = useState(false);
  const pr = useProblems('');
  useEffect(() => {
    if (q.data) {
      setWork(q.data);
      setRecipients(q.data.recipients.join(', '));
    }
  }, [q.data]);
  const save = async () => {
    if (!work) return;
    pr.clear();
    setSaved(false);
    try {
      const next = { ...work, recipients: recipients.split(',').map((s) => s.trim()).filter((s) => s !== '') };
      const r = await admin.saveAlertSettings(tenantId, { enabled: next.enabled, recipients: next.recipients, types: next.types });
      setWork(r);
      setSaved(true);
      await q.refetch();
    } catch (e) {
      pr.take(e);
    }
  };
  const types = ['gatewayStatus', 'cncCallback', 'deploymentFailed'] as const;
  return (
    <>
      <PageHeader title={t('alerts.title')} />
      {!editable && <Alert color="yellow" mb="md" data-testid="alerts-readonly">{t('alerts.readOnlyNote')}</Alert>}
      {q.isError && <Alert color="red" mb="md">{errorText(q.error, t)}</Alert>}
      {work && (
        <Paper withBorder p="lg" mb="lg">
          <ErrorAlert message={pr.general} />
          {saved && <Alert color="teal" mb="sm" role="status">{t('common.saved')}</Alert>}
          <Stack>
            <OnOff label={t('alerts.enabled')} value={work.enabled} onChange={(v) => setWork({ ...work, enabled: v })} disabled={!editable} name="alerts-enabled" />
            <TextInput label={t('alerts.recipients')} description={t('alerts.recipientsHelp')} value={recipients} onChange={(e) => setRecipients(e.currentTarget.value)} readOnly={!editable} error={pr.err('recipients')} name="alert-recipients" />
            <Stack gap={6}>
              <Text size="sm" fw={500}>{t('alerts.types')}</Text>
              {types.map((k) => (
                <Checkbox key={k} label={t(`alerts.type.${k === 'deploymentFailed' ? 'deployFailed' : k}`)} checked={work.types[k]} disabled={!editable} onChange={(e) => setWork({ ...work, types: { ...work.types, [k]: e.currentTarget.checked } })} />
              ))}
            </Stack>
            {editable && <Group justify="flex-end"><Button onClick={() => void save()}>{t('common.save')}</Button></Group>}
          </Stack>
        </Paper>
      )}
      <Title order={3} size="h4" mb="xs">{t('alerts.history')}</Title>
      <Paper withBorder>
        {history.isError ? <Text p="md" size="sm" c="dimmed">{t('common.notAvailable')}</Text> : <AlertTable alerts={history.data ?? []} />}
      </Paper>
    </>
  );
}
