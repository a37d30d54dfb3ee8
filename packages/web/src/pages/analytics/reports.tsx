import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Divider, Group, Modal, Paper, Progress, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { analytics } from '../../api/endpoints.js';
import type { Report, ReportInput, ReportPeriod, ReportSchedule } from '../../api/types.js';
import { ConfirmDialog, ErrorAlert, fmtTime, OnOff, PageHeader, useTenantId } from '../../components/common.js';
import { errorText, useProblems } from '../../components/problems.js';
import { useCanEdit } from '../../components/session.js';
import { currentLang } from '../../i18n/index.js';

const SCHEDULES: Array<[ReportSchedule, string]> = [['on-demand', 'onDemand'], ['daily', 'daily'], ['weekly', 'weekly'], ['monthly', 'monthly']];
const PERIODS: Array<[ReportPeriod['kind'], string]> = [['last-hour', 'lastHour'], ['last-day', 'lastDay'], ['last-week', 'lastWeek'], ['last-month', 'lastMonth'], ['custom', 'custom']];
const toLocalInput = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

function ReportDialog({ tenantId, initial, onClose }: { tenantId: string; initial: Report | null; onClose: (saved: boolean) => void }) {
  const { t } = useTranslation();
  const [d, setD] = useState<ReportInput>(initial
    ? { name: initial.name, description: initial.description, enabled: initial.enabled, schedule: initial.schedule, period: initial.period, mailEnabled: initial.mailEnabled, recipients: initial.recipients }
    : { name: '', description: '', enabled: true, schedule: 'on-demand', period: { kind: 'last-hour' }, mailEnabled: false, recipients: [] });
  const [recipients, setRecipients] = useState(d.recipients.join(', '));
  const pr = useProblems('');
  const save = async () => {
    pr.clear();
    if (d.name.trim() === '') return pr.setFields({ name: t('common.required') });
    const body: ReportInput = { ...d, name: d.name.trim(), recipients: recipients.split(',').map((s) => s.trim()).filter((s) => s !== '') };
    try {
      if (initial) await analytics.updateReport(tenantId, initial.id, body);
      else await analytics.createReport(tenantId, body);
      onClose(true);
    } catch (e) {
      pr.take(e);
    }
  };
  const custom = d.period.kind === 'custom' ? d.period : null;
  return (
    <Modal opened onClose={() => onClose(false)} title={t('reports.addTitle')} size="lg" centered>
      <Stack>
        <ErrorAlert message={pr.general} />
        <Divider label={t('reports.info')} labelPosition="left" />
        <TextInput label={t('reports.name')} value={d.name} onChange={(e) => setD({ ...d, name: e.currentTarget.value })} error={pr.err('name')} name="report-name" />
        <Textarea label={t('common.description')} value={d.description} onChange={(e) => setD({ ...d, description: e.currentTarget.value })} />
        <OnOff label={t('common.enabled')} value={d.enabled} onChange={(v) => setD({ ...d, enabled: v })} name="report-enabled" />
        <Divider label={t('reports.settings')} labelPosition="left" />
        <Select label={t('reports.schedule')} value={d.schedule} allowDeselect={false} onChange={(v) => v && setD({ ...d, schedule: v as ReportSchedule })}
          data={SCHEDULES.map(([v, k]) => ({ value: v, label: t(`reports.schedules.${k}`) }))} />
        <Select label={t('reports.period')} value={d.period.kind} allowDeselect={false}
          onChange={(v) => v && setD({ ...d, period: v === 'custom' ? { kind: 'custom', from: Date.now() - 86_400_000, to: Date.now() } : { kind: v as 'last-hour' } })}
          data={PERIODS.map(([v, k]) => ({ value: v, label: t(`reports.periods.${k}`) }))} />
        {custom && (
          <Group grow>
            <TextInput type="datetime-local" label={t('common.from')} value={toLocalInput(custom.from)} onChange={(e) => setD({ ...d, period: { ...custom, from: new Date(e.currentTarget.value).getTime() } })} />
            <TextInput type="datetime-local" label={t('common.to')} value={toLocalInput(custom.to)} onChange={(e) => setD({ ...d, period: { ...custom, to: new Date(e.currentTarget.value).getTime() } })} />
          </Group>
        )}
        <Divider label={t('reports.notify')} labelPosition="left" />
        <OnOff label={t('common.enabled')} value={d.mailEnabled} onChange={(v) => setD({ ...d, mailEnabled: v })} name="report-notify" />
        <TextInput label={t('reports.recipients')} description={t('reports.recipientsHelp')} value={recipients} onChange={(e) => setRecipients(e.currentTarget.value)} disabled={!d.mailEnabled} error={pr.err('recipients')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onClose(false)}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** §7 レポート: the protected monthly report, added reports, 今すぐ実行 with progress, PDF/Excel. */
export function ReportsPage() {
  const { t } = useTranslation();
  const canEdit = useCanEdit();
  const lang = currentLang();
  const tenantId = useTenantId();
  const q = useQuery({ queryKey: ['reports', tenantId], queryFn: () => analytics.reports(tenantId), refetchInterval: (query) => (query.state.data?.some((r) => r.runs.some((x) => x.status === 'running')) ? 1000 : false) });
  const [editing, setEditing] = useState<Report | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const runNow = async (r: Report) => {
    setError(null);
    try {
      await analytics.runReport(tenantId, r.id);
      await q.refetch();
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  const remove = async (r: Report) => {
    setDeleting(null);
    try {
      await analytics.deleteReport(tenantId, r.id);
      await q.refetch();
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  const periodLabel = (p: ReportPeriod) => (p.kind === 'custom' ? `${fmtTime(new Date(p.from).toISOString(), lang)} – ${fmtTime(new Date(p.to).toISOString(), lang)}` : t(`reports.periods.${PERIODS.find(([v]) => v === p.kind)?.[1] ?? 'lastDay'}`));
  return (
    <>
      <PageHeader title={t('reports.title')} lead={t('reports.lead')}>{canEdit && <Button onClick={() => setEditing('new')}>{t('common.add')}</Button>}</PageHeader>
      <ErrorAlert message={error} />
      {q.isError && <Alert color="gray" mb="md">{t('common.notAvailable')} ({errorText(q.error, t)})</Alert>}
      <Paper withBorder>
        <Table striped data-testid="reports-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('reports.name')}</Table.Th>
              <Table.Th>{t('reports.period')}</Table.Th>
              <Table.Th>{t('reports.schedule')}</Table.Th>
              <Table.Th>{t('reports.generate')}</Table.Th>
              <Table.Th>{t('reports.saved')}</Table.Th>
              {canEdit && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.data ?? []).map((r) => {
              const running = r.runs.find((x) => x.status === 'running');
              return (
                <Table.Tr key={r.id} data-testid={`report-${r.id}`}>
                  <Table.Td>
                    <Text fw={600} size="sm">{r.name}</Text>
                    {r.builtin && <Text size="xs" c="dimmed">{t('reports.protected')}</Text>}
                  </Table.Td>
                  <Table.Td>{periodLabel(r.period)}</Table.Td>
                  <Table.Td>{t(`reports.schedules.${SCHEDULES.find(([v]) => v === r.schedule)?.[1] ?? 'onDemand'}`)}</Table.Td>
                  <Table.Td>
                    {running ? (
                      <Stack gap={2} w={150}><Text size="xs">{t('reports.running')}</Text><Progress value={running.progress} animated aria-label={t('reports.running')} /></Stack>
                    ) : (
                      <Button size="compact-sm" variant="light" onClick={() => void runNow(r)} disabled={!canEdit}>{t('reports.runNow')}</Button>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {r.runs.filter((x) => x.status === 'done').slice(0, 3).map((x) => (
                        <Group key={x.id} gap={6}>
                          <Text size="xs">{fmtTime(new Date(x.startedAt).toISOString(), lang)}</Text>
                          {x.hasPdf && <Anchor size="xs" href={analytics.reportFileUrl(tenantId, x.id, 'pdf')}><Badge size="xs" color="red" variant="light">{t('reports.pdf')}</Badge></Anchor>}
                          {x.hasXlsx && <Anchor size="xs" href={analytics.reportFileUrl(tenantId, x.id, 'xlsx')}><Badge size="xs" color="green" variant="light">{t('reports.excel')}</Badge></Anchor>}
                        </Group>
                      ))}
                      {r.runs.filter((x) => x.status === 'failed').slice(0, 1).map((x) => <Text key={x.id} size="xs" c="red">{x.error}</Text>)}
                    </Stack>
                  </Table.Td>
                  {canEdit && (
                    <Table.Td>
                      {!r.builtin && (
                        <Group gap={4}>
                          <Button size="compact-xs" variant="light" onClick={() => setEditing(r)}>{t('common.edit')}</Button>
                          <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDeleting(r)}>{t('common.delete')}</Button>
                        </Group>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Paper>
      {editing && <ReportDialog tenantId={tenantId} initial={editing === 'new' ? null : editing} onClose={(s) => { setEditing(null); if (s) void q.refetch(); }} />}
      <ConfirmDialog opened={deleting !== null} danger message={t('common.confirmDelete', { name: deleting?.name ?? '' })} onCancel={() => setDeleting(null)} onConfirm={() => deleting && void remove(deleting)} />
    </>
  );
}
