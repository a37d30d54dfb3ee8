import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Divider, Group, Modal, Paper, Progress, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { analytics } from '../../api/endpoints.js';
import type { Report } from '../../api/types.js';
import { ConfirmDialog, ErrorAlert, fmtTime, OnOff, PageHeader, useTenantId } from '../../components/common.js';
import { errorText, useProblems } from '../../components/problems.js';
import { useCanEdit } from '../../components/session.js';
import { currentLang } from '../../i18n/index.js';

type Draft = Omit<Report, 'id' | 'runs' | 'protected'> & { id?: string };

function ReportDialog({ tenantId, initial, onClose }: { tenantId: string; initial: Report | null; onClose: (saved: boolean) => void }) {
  const { t } = useTranslation();
  const [d, setD] = useState<Draft>(initial ? { id: initial.id, name: initial.name, description: initial.description ?? '', enabled: initial.enabled, schedule: initial.schedule, period: initial.period, notify: initial.notify } : { name: '', description: '', enabled: true, schedule: 'onDemand', period: { kind: 'lastHour' }, notify: { enabled: false, recipients: [] } });
  const [recipients, setRecipients] = useState(d.notify.recipients.join(', '));
  const pr = useProblems('');
  const save = async () => {
    pr.clear();
    if (d.name.trim() === '') return pr.setFields({ name: t('common.required') });
    try {
      await analytics.saveReport(tenantId, { ...d, name: d.name.trim(), notify: { enabled: d.notify.enabled, recipients: recipients.split(',').map((s) => s.trim()).filter((s) => s !== '') } });
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
        <Textarea label={t('common.description')} value={d.description ?? ''} onChange={(e) => setD({ ...d, description: e.currentTarget.value })} />
        <OnOff label={t('common.enabled')} value={d.enabled} onChange={(v) => setD({ ...d, enabled: v })} name="report-enabled" />
        <Divider label={t('reports.settings')} labelPosition="left" />
        <Select label={t('reports.schedule')} value={d.schedule} allowDeselect={false} onChange={(v) => v && setD({ ...d, schedule: v as Report['schedule'] })}
          data={(['onDemand', 'daily', 'weekly', 'monthly'] as const).map((s) => ({ value: s, label: t(`reports.schedules.${s}`) }))} />
        <Select label={t('reports.period')} value={d.period.kind} allowDeselect={false}
          onChange={(v) => v && setD({ ...d, period: v === 'custom' ? { kind: 'custom', from: new Date(Date.now() - 86400000).toISOString().slice(0, 16), to: new Date().toISOString().slice(0, 16) } : { kind: v as 'lastHour' } })}
          data={(['lastHour', 'lastDay', 'lastWeek', 'lastMonth', 'custom'] as const).map((p) => ({ value: p, label: t(`reports.periods.${p}`) }))} />
        {custom && (
          <Group grow>
            <TextInput type="datetime-local" label={t('common.from')} value={custom.from} onChange={(e) => setD({ ...d, period: { ...custom, from: e.currentTarget.value } })} error={pr.err('period.from')} />
            <TextInput type="datetime-local" label={t('common.to')} value={custom.to} onChange={(e) => setD({ ...d, period: { ...custom, to: e.currentTarget.value } })} error={pr.err('period.to')} />
          </Group>
        )}
        <Divider label={t('reports.notify')} labelPosition="left" />
        <OnOff label={t('common.enabled')} value={d.notify.enabled} onChange={(v) => setD({ ...d, notify: { ...d.notify, enabled: v } })} name="report-notify" />
        <TextInput label={t('reports.recipients')} description={t('reports.recipientsHelp')} value={recipients} onChange={(e) => setRecipients(e.currentTarget.value)} disabled={!d.notify.enabled} error={pr.err('notify.recipients')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onClose(false)}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** §7 レポート: the protected monthly report, added reports, 今すぐ実行, PDF/Excel downloads. */
export function ReportsPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const canEdit = useCanEdit();
  const lang = currentLang();
  const q = useQuery({ queryKey: ['reports', tenantId], queryFn: () => analytics.reports(tenantId), refetchInterval: (query) => (query.state.data?.some((r) => r.runs.some((x) => x.state === 'running')) ? 1000 : false) });
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
  const periodLabel = (r: Report) => (r.period.kind === 'custom' ? `${fmtTime(r.period.from, lang)} – ${fmtTime(r.period.to, lang)}` : t(`reports.periods.${r.period.kind}`));
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
              const running = r.runs.find((x) => x.state === 'running');
              return (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Text fw={600} size="sm">{r.name}</Text>
                    {r.protected && <Text size="xs" c="dimmed">{t('reports.protected')}</Text>}
                  </Table.Td>
                  <Table.Td>{periodLabel(r)}</Table.Td>
                  <Table.Td>{t(`reports.schedules.${r.schedule}`)}</Table.Td>
                  <Table.Td>
                    {running ? (
                      <Stack gap={2} w={140}><Text size="xs">{t('reports.running')}</Text><Progress value={running.progress ?? 50} animated /></Stack>
                    ) : (
                      <Button size="compact-sm" variant="light" onClick={() => void runNow(r)} disabled={!canEdit}>{t('reports.runNow')}</Button>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {r.runs.filter((x) => x.state === 'done').slice(0, 3).map((x) => (
                        <Group key={x.id} gap={6}>
                          <Text size="xs">{fmtTime(new Date(x.at).toISOString(), lang)}</Text>
                          <Anchor size="xs" href={analytics.reportFileUrl(tenantId, r.id, x.id, 'pdf')}><Badge size="xs" color="red" variant="light">{t('reports.pdf')}</Badge></Anchor>
                          <Anchor size="xs" href={analytics.reportFileUrl(tenantId, r.id, x.id, 'xlsx')}><Badge size="xs" color="green" variant="light">{t('reports.excel')}</Badge></Anchor>
                        </Group>
                      ))}
                    </Stack>
                  </Table.Td>
                  {canEdit && (
                    <Table.Td>
                      {!r.protected && (
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
