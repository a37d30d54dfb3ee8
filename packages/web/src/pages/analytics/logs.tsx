import { useState } from 'react';
import { ActionIcon, Alert, Anchor, Badge, Button, Card, Checkbox, Group, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { analytics } from '../../api/endpoints.js';
import type { LogFilter, LogGroup, LogQuery, LogQueryResult, LogTypeId, SavedQuery } from '../../api/types.js';
import { ErrorAlert, fmtTime, PageHeader, useTenantId } from '../../components/common.js';
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
const ACTION_COLOR: Record<string, string> = { block: 'red', allow: 'teal', bypass: 'gray', tag: 'yellow', detect: 'orange' };

interface Row {
  field: string;
  op: LogFilter['op'];
  value: string;
}

function fmtBytes(n: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${u[i]}`;
}

/** The action as a badge that never clips its label (the table cell does not wrap it, the badge sizes to its text). */
function ActionBadge({ action }: { action: string }) {
  const { t } = useTranslation();
  const label = ACTION_COLOR[action] ? t(`logs.actions.${action}`) : action;
  return (
    <Badge color={ACTION_COLOR[action] ?? 'gray'} variant="light" size="sm" data-testid="action-badge" data-action={action}
      styles={{ root: { flexShrink: 0, minWidth: 'max-content', overflow: 'visible' }, label: { overflow: 'visible', textOverflow: 'clip' } }}>
      {label}
    </Badge>
  );
}

/** §9 ログ分析: per log type, time range, filters, group-by top N with drill-down, favourites and CSV. */
export function LogsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const tenantId = useTenantId();
  const types = useQuery({ queryKey: ['logTypes'], queryFn: () => analytics.logTypes(tenantId), staleTime: Infinity });
  const saved = useQuery({ queryKey: ['savedQueries', tenantId], queryFn: () => analytics.savedQueries(tenantId) });
  const [type, setType] = useState<LogTypeId>('bandwidth');
  const [hours, setHours] = useState('24');
  const [rows, setRows] = useState<Row[]>([]);
  const [groupBy, setGroupBy] = useState<string | null>(null);
  const [topN, setTopN] = useState('10');
  const [result, setResult] = useState<LogQueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [queryName, setQueryName] = useState('');
  const [favorite, setFavorite] = useState(true);
  const fieldsOf = (ty: LogTypeId) => types.data?.find((x) => x.type === ty)?.fields ?? [];
  const fields = fieldsOf(type);
  const fieldLabel = (name: string) => fields.find((f) => f.name === name)?.label[lang] ?? name;

  const build = (s: { type: LogTypeId; hours: string; rows: Row[]; groupBy: string | null }): Omit<LogQuery, 'limit'> => {
    const to = Date.now();
    const fs = fieldsOf(s.type);
    return {
      from: to - Number(s.hours) * 3_600_000,
      to,
      filters: s.rows.filter((r) => r.field !== '').map((r) => {
        const kind = fs.find((f) => f.name === r.field)?.kind;
        const numeric = kind === 'number' || kind === 'int';
        const value = numeric && r.value.trim() !== '' && !Number.isNaN(Number(r.value)) ? Number(r.value) : r.value;
        return r.op === 'exists' || r.op === 'missing' ? { field: r.field, op: r.op } : { field: r.field, op: r.op, value };
      }),
      groupBy: s.groupBy ? [s.groupBy] : [],
    };
  };
  const current = { type, hours, rows, groupBy };
  const run = async (s = current) => {
    setBusy(true);
    setError(null);
    try {
      setResult(await analytics.query(tenantId, s.type, { ...build(s), limit: s.groupBy ? Number(topN) : 200 }));
    } catch (e) {
      setResult(null);
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  /** Drill down from a group: keep the filters, add "field = value", show the events. */
  const drill = (g: LogGroup) => {
    if (!groupBy) return;
    const v = g.keys[groupBy];
    const next = { ...current, rows: [...rows, v === null ? { field: groupBy, op: 'missing' as const, value: '' } : { field: groupBy, op: 'eq' as const, value: String(v) }], groupBy: null };
    setRows(next.rows);
    setGroupBy(null);
    void run(next);
  };
  const save = async () => {
    setError(null);
    try {
      const q = build(current);
      await analytics.saveQuery(tenantId, { name: queryName.trim(), favorite, query: { type, filters: q.filters, groupBy: q.groupBy }, hours: Number(hours) });
      setQueryName('');
      await saved.refetch();
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  const load = (s: SavedQuery) => {
    const q = s.query as { filters?: LogFilter[]; groupBy?: string[] };
    const next = {
      type: s.type,
      hours: s.hours ? String(s.hours) : hours,
      rows: (q.filters ?? []).map((f) => ({ field: f.field, op: f.op, value: f.value === undefined ? '' : String(f.value) })),
      groupBy: q.groupBy?.[0] ?? null,
    };
    setType(next.type);
    setHours(next.hours);
    setRows(next.rows);
    setGroupBy(next.groupBy);
    void run(next);
  };
  const events = result && 'events' in result ? result.events : null;
  const groups = result && 'groups' in result ? result.groups : null;
  const columns = events?.[0] ? Object.keys(events[0]).filter((c) => c !== 'type') : [];
  const show = (c: string, v: unknown) => (v === null || v === undefined ? '' : c === 'ts' && typeof v === 'number' ? fmtTime(new Date(v).toISOString(), lang) : Array.isArray(v) ? v.join(', ') : String(v));
  const favorites = (saved.data ?? []).filter((s) => s.favorite);
  const others = (saved.data ?? []).filter((s) => !s.favorite);
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
      {(saved.data ?? []).length > 0 && (
        <Group gap="xs" mb="sm" data-testid="saved-queries">
          <Text size="sm" fw={500}>{t('logs.savedQueries')}:</Text>
          {[...favorites, ...others].map((s) => (
            <Button key={s.id} size="compact-sm" variant={s.favorite ? 'light' : 'default'} onClick={() => load(s)} leftSection={s.favorite ? <span aria-label={t('logs.favorite')}>★</span> : undefined}>
              {s.name}
            </Button>
          ))}
        </Group>
      )}
      <Paper withBorder p="md" mb="md">
        <Stack gap="sm">
          <Group align="flex-end">
            <Select label={t('logs.range')} value={hours} onChange={(v) => v && setHours(v)} allowDeselect={false} w={170}
              data={[{ value: '1', label: t('dashboard.range1h') }, { value: '24', label: t('dashboard.range24h') }, { value: '168', label: t('dashboard.range7d') }, { value: '720', label: t('dashboard.range30d') }]} />
            <Select label={t('logs.groupBy')} value={groupBy ?? ''} onChange={(v) => setGroupBy(v ? v : null)} allowDeselect={false} w={220}
              data={[{ value: '', label: t('logs.noGroup') }, ...fields.filter((f) => f.name !== 'ts' && f.name !== 'id').map((f) => ({ value: f.name, label: f.label[lang] }))]} />
            <Select label={t('logs.topN')} value={topN} onChange={(v) => v && setTopN(v)} allowDeselect={false} w={110} disabled={!groupBy} data={['5', '10', '20', '50']} />
            <Button variant="default" onClick={() => setRows([...rows, { field: fields[0]?.name ?? '', op: 'eq', value: '' }])}>+ {t('logs.filter')}</Button>
            <Button onClick={() => void run()} loading={busy}>{t('logs.run')}</Button>
            <Button component="a" variant="light" href={analytics.csvUrl(tenantId, type, build(current), lang)} download>{t('logs.exportCsv')}</Button>
          </Group>
          {rows.map((r, i) => (
            <Group key={i} align="flex-end" data-testid="log-filter">
              <Select w={220} aria-label={t('logs.filterField')} value={r.field} allowDeselect={false} data={fields.map((f) => ({ value: f.name, label: f.label[lang] }))} onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, field: v ?? '' } : x)))} />
              <Select w={120} aria-label={t('logs.filterOp')} value={r.op} allowDeselect={false} data={OPS} onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, op: (v ?? 'eq') as LogFilter['op'] } : x)))} />
              <TextInput w={260} aria-label={t('logs.filterValue')} placeholder={t('logs.filterPlaceholder')} value={r.value} disabled={r.op === 'exists' || r.op === 'missing'} onChange={(e) => { const v = e.currentTarget.value; setRows(rows.map((x, j) => (j === i ? { ...x, value: v } : x))); }} />
              <ActionIcon variant="subtle" color="red" aria-label={t('common.delete')} onClick={() => setRows(rows.filter((_, j) => j !== i))}>×</ActionIcon>
            </Group>
          ))}
          <Group align="flex-end">
            <TextInput label={t('logs.queryName')} value={queryName} onChange={(e) => setQueryName(e.currentTarget.value)} w={240} />
            <Checkbox label={t('logs.favorite')} checked={favorite} onChange={(e) => setFavorite(e.currentTarget.checked)} mb={8} />
            <Button variant="default" disabled={queryName.trim() === ''} onClick={() => void save()}>{t('logs.saveQuery')}</Button>
          </Group>
        </Stack>
      </Paper>
      <ErrorAlert message={error} />
      {groups && groupBy && (
        <Paper withBorder>
          <Text size="sm" c="dimmed" p="xs">{t('logs.results', { count: result && 'total' in result ? result.total : 0 })} · {t('logs.drillHint')}</Text>
          <Table striped data-testid="log-groups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{fieldLabel(groupBy)}</Table.Th>
                <Table.Th>{t('logs.count')}</Table.Th>
                {type === 'bandwidth' && <Table.Th>{t('logs.bytes')}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {groups.map((g, i) => {
                const v = g.keys[groupBy];
                return (
                  <Table.Tr key={i}>
                    <Table.Td>
                      <Tooltip label={t('logs.drillHint')}>
                        <Anchor component="button" type="button" size="sm" onClick={() => drill(g)}>{groupBy === 'action' && typeof v === 'string' ? t(ACTION_COLOR[v] ? `logs.actions.${v}` : v) : v === null ? '—' : String(v)}</Anchor>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>{g.count.toLocaleString()}</Table.Td>
                    {type === 'bandwidth' && <Table.Td>{fmtBytes(g.bytesUp + g.bytesDown)}</Table.Td>}
                  </Table.Tr>
                );
              })}
              {groups.length === 0 && <Table.Tr><Table.Td colSpan={3}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {events && (
        <Paper withBorder>
          <Text size="sm" c="dimmed" p="xs">{t('logs.results', { count: events.length })}</Text>
          <ScrollArea>
            <Table striped fz="xs" data-testid="log-rows">
              <Table.Thead><Table.Tr>{columns.map((c) => <Table.Th key={c} style={{ whiteSpace: 'nowrap' }}>{fieldLabel(c)}</Table.Th>)}</Table.Tr></Table.Thead>
              <Table.Tbody>
                {events.map((r, i) => (
                  <Table.Tr key={i}>
                    {columns.map((c) => (
                      <Table.Td key={c} style={c === 'action' ? { whiteSpace: 'nowrap', minWidth: 'max-content' } : undefined}>
                        {c === 'action' && typeof r[c] === 'string' ? <ActionBadge action={r[c]} /> : show(c, r[c])}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
                {events.length === 0 && <Table.Tr><Table.Td><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      )}
    </>
  );
}
