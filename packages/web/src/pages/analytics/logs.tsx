import { useState } from 'react';
import { ActionIcon, Alert, Button, Card, Group, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { analytics } from '../../api/endpoints.js';
import type { LogFilter, LogQuery, LogQueryResult, LogTypeId } from '../../api/types.js';
import { ErrorAlert, fmtTime, PageHeader } from '../../components/common.js';
import { errorText } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';

/** The manual's four log types (§9): i18n key and the API's type. */
const TYPES: Array<{ key: string; api: LogTypeId }> = [
  { key: 'appBandwidth', api: 'bandwidth' },
  { key: 'policyEnforcement', api: 'policy' },
  { key: 'internetAccess', api: 'access' },
  { key: 'internetSecurity', api: 'security' },
];
const OPS: LogFilter['op'][] = ['eq', 'ne', 'contains', 'prefix', 'gt', 'lt', 'exists', 'missing'];

interface Row {
  field: string;
  op: LogFilter['op'];
  value: string;
}

/** §9 ログ分析: per log type, time range, filters, group-by, CSV and saved queries. */
export function LogsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const types = useQuery({ queryKey: ['logTypes'], queryFn: analytics.logTypes, staleTime: Infinity });
  const saved = useQuery({ queryKey: ['savedQueries'], queryFn: analytics.savedQueries });
  const [type, setType] = useState<LogTypeId>('bandwidth');
  const [hours, setHours] = useState('24');
  const [rows, setRows] = useState<Row[]>([]);
  const [groupBy, setGroupBy] = useState<string | null>(null);
  const [result, setResult] = useState<LogQueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [queryName, setQueryName] = useState('');
  const fields = types.data?.find((x) => x.type === type)?.fields ?? [];
  const fieldLabel = (name: string) => fields.find((f) => f.name === name)?.label[lang] ?? name;
  const build = (): Omit<LogQuery, 'limit'> => {
    const to = Date.now();
    return {
      from: to - Number(hours) * 3_600_000,
      to,
      filters: rows.filter((r) => r.field !== '').map((r) => {
        const kind = fields.find((f) => f.name === r.field)?.kind;
        const value = kind === 'number' && r.value.trim() !== '' && !Number.isNaN(Number(r.value)) ? Number(r.value) : r.value;
        return r.op === 'exists' || r.op === 'missing' ? { field: r.field, op: r.op } : { field: r.field, op: r.op, value };
      }),
      groupBy: groupBy ? [groupBy] : [],
    };
  };
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await analytics.query(type, { ...build(), limit: 200 }));
    } catch (e) {
      setResult(null);
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    setError(null);
    try {
      const q = build();
      await analytics.saveQuery({ name: queryName.trim(), favorite: true, query: { type, filters: q.filters, groupBy: q.groupBy }, hours: Number(hours) });
      setQueryName('');
      await saved.refetch();
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  const load = (id: string | null) => {
    const s = saved.data?.find((x) => x.id === id);
    if (!s) return;
    setType(s.type);
    if (s.hours) setHours(String(s.hours));
    const q = s.query as { filters?: LogFilter[]; groupBy?: string[] };
    setRows((q.filters ?? []).map((f) => ({ field: f.field, op: f.op, value: f.value === undefined ? '' : String(f.value) })));
    setGroupBy(q.groupBy?.[0] ?? null);
  };
  const events = result && 'events' in result ? result.events : null;
  const columns = events?.[0] ? Object.keys(events[0]).filter((c) => c !== 'type') : [];
  const show = (c: string, v: unknown) => (v === null || v === undefined ? '' : c === 'ts' && typeof v === 'number' ? fmtTime(new Date(v).toISOString(), lang) : Array.isArray(v) ? v.join(', ') : String(v));
  return (
    <>
      <PageHeader title={t('logs.title')} lead={t('logs.lead')} />
      <SimpleGrid cols={{ base: 2, lg: 4 }} mb="md">
        {TYPES.map((ty) => (
          <Card key={ty.key} withBorder padding="sm" onClick={() => { setType(ty.api); setResult(null); setGroupBy(null); setRows([]); }} role="button" aria-pressed={type === ty.api}
            style={{ cursor: 'pointer', borderColor: type === ty.api ? 'var(--mantine-color-teal-6)' : undefined, borderWidth: type === ty.api ? 2 : 1 }}>
            <Text fw={700} size="sm">{t(`logs.types.${ty.key}`)}</Text>
            <Text size="xs" c="dimmed">{t(`logs.typeHelp.${ty.key}`)}</Text>
          </Card>
        ))}
      </SimpleGrid>
      {types.isError && <Alert color="gray" mb="md">{t('common.notAvailable')} ({errorText(types.error, t)})</Alert>}
      <Paper withBorder p="md" mb="md">
        <Stack gap="sm">
          <Group align="flex-end">
            <Select label={t('logs.range')} value={hours} onChange={(v) => v && setHours(v)} allowDeselect={false} w={170}
              data={[{ value: '1', label: t('dashboard.range1h') }, { value: '24', label: t('dashboard.range24h') }, { value: '168', label: t('dashboard.range7d') }, { value: '720', label: t('dashboard.range30d') }]} />
            <Select label={t('logs.groupBy')} value={groupBy ?? ''} onChange={(v) => setGroupBy(v ? v : null)} allowDeselect={false} w={220}
              data={[{ value: '', label: t('logs.noGroup') }, ...fields.map((f) => ({ value: f.name, label: f.label[lang] }))]} />
            <Button variant="default" onClick={() => setRows([...rows, { field: fields[0]?.name ?? '', op: 'eq', value: '' }])}>+ {t('logs.filter')}</Button>
            <Button onClick={() => void run()} loading={busy}>{t('logs.run')}</Button>
            <Button component="a" variant="light" href={analytics.csvUrl(type, build(), lang)} download>{t('logs.exportCsv')}</Button>
          </Group>
          {rows.map((r, i) => (
            <Group key={i} align="flex-end">
              <Select w={220} aria-label={t('logs.filter')} value={r.field} allowDeselect={false} data={fields.map((f) => ({ value: f.name, label: f.label[lang] }))} onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, field: v ?? '' } : x)))} />
              <Select w={120} aria-label="op" value={r.op} allowDeselect={false} data={OPS} onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, op: (v ?? 'eq') as LogFilter['op'] } : x)))} />
              <TextInput w={260} aria-label={t('logs.filterPlaceholder')} value={r.value} disabled={r.op === 'exists' || r.op === 'missing'} onChange={(e) => { const v = e.currentTarget.value; setRows(rows.map((x, j) => (j === i ? { ...x, value: v } : x))); }} />
              <ActionIcon variant="subtle" color="red" aria-label={t('common.delete')} onClick={() => setRows(rows.filter((_, j) => j !== i))}>×</ActionIcon>
            </Group>
          ))}
          <Group align="flex-end">
            <TextInput label={t('logs.queryName')} value={queryName} onChange={(e) => setQueryName(e.currentTarget.value)} w={240} />
            <Button variant="default" disabled={queryName.trim() === ''} onClick={() => void save()}>{t('logs.saveQuery')}</Button>
            <Select label={t('logs.savedQueries')} w={260} placeholder={(saved.data ?? []).length ? undefined : t('common.none')} data={(saved.data ?? []).map((s) => ({ value: s.id, label: s.name }))} onChange={load} value={null} />
          </Group>
        </Stack>
      </Paper>
      <ErrorAlert message={error} />
      {result && 'groups' in result && (
        <Paper withBorder>
          <Text size="sm" c="dimmed" p="xs">{t('logs.results', { count: result.total })}</Text>
          <Table striped>
            <Table.Thead><Table.Tr><Table.Th>{groupBy ? fieldLabel(groupBy) : ''}</Table.Th><Table.Th>{t('logs.count')}</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {result.groups.map((g, i) => <Table.Tr key={i}><Table.Td>{String(g[groupBy ?? ''] ?? g['key'] ?? Object.values(g)[0] ?? '')}</Table.Td><Table.Td>{String(g['count'] ?? '')}</Table.Td></Table.Tr>)}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {events && (
        <Paper withBorder>
          <Text size="sm" c="dimmed" p="xs">{t('logs.results', { count: events.length })}</Text>
          <ScrollArea>
            <Table striped fz="xs" data-testid="log-rows">
              <Table.Thead><Table.Tr>{columns.map((c) => <Table.Th key={c}>{fieldLabel(c)}</Table.Th>)}</Table.Tr></Table.Thead>
              <Table.Tbody>{events.map((r, i) => <Table.Tr key={i}>{columns.map((c) => <Table.Td key={c}>{show(c, r[c])}</Table.Td>)}</Table.Tr>)}</Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      )}
    </>
  );
}
