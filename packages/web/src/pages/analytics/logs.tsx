import { useState } from 'react';
import { Alert, Button, Card, Group, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { analytics } from '../../api/endpoints.js';
import type { LogQueryResult } from '../../api/types.js';
import { ErrorAlert, PageHeader, useTenantId } from '../../components/common.js';
import { errorText } from '../../components/problems.js';

/** The manual's four log types (§9) and the event type each one is in the API. */
const TYPES = [
  { key: 'appBandwidth', api: 'bandwidth', groups: ['app', 'appCategory', 'user', 'srcIp'] },
  { key: 'policyEnforcement', api: 'policy', groups: ['ruleName', 'action', 'app', 'user', 'srcIp'] },
  { key: 'internetAccess', api: 'access', groups: ['host', 'categories', 'action', 'user', 'srcIp'] },
  { key: 'internetSecurity', api: 'security', groups: ['threatType', 'action', 'host', 'user', 'srcIp'] },
] as const;

export function LogsPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const [type, setType] = useState<(typeof TYPES)[number]>(TYPES[0]);
  const [range, setRange] = useState('24h');
  const [filter, setFilter] = useState('');
  const [groupBy, setGroupBy] = useState<string | null>(null);
  const [result, setResult] = useState<LogQueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [queryName, setQueryName] = useState('');
  const saved = useQuery({ queryKey: ['savedQueries', tenantId], queryFn: () => analytics.savedQueries(tenantId) });
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await analytics.query(tenantId, type.api, { range, filter, groupBy }));
    } catch (e) {
      setResult(null);
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    try {
      await analytics.saveQuery(tenantId, { name: queryName.trim(), logType: type.api, filter, groupBy });
      setQueryName('');
      await saved.refetch();
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  const columns = result?.rows[0] ? Object.keys(result.rows[0]) : [];
  return (
    <>
      <PageHeader title={t('logs.title')} lead={t('logs.lead')} />
      <SimpleGrid cols={{ base: 2, lg: 4 }} mb="md">
        {TYPES.map((ty) => (
          <Card key={ty.key} withBorder padding="sm" onClick={() => { setType(ty); setResult(null); setGroupBy(null); }} role="button" aria-pressed={type.key === ty.key}
            style={{ cursor: 'pointer', borderColor: type.key === ty.key ? 'var(--mantine-color-teal-6)' : undefined, borderWidth: type.key === ty.key ? 2 : 1 }}>
            <Text fw={700} size="sm">{t(`logs.types.${ty.key}`)}</Text>
            <Text size="xs" c="dimmed">{t(`logs.typeHelp.${ty.key}`)}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Paper withBorder p="md" mb="md">
        <Group align="flex-end">
          <Select label={t('logs.range')} value={range} onChange={(v) => v && setRange(v)} allowDeselect={false} w={160}
            data={[{ value: '1h', label: t('dashboard.range1h') }, { value: '24h', label: t('dashboard.range24h') }, { value: '7d', label: t('dashboard.range7d') }, { value: '30d', label: t('dashboard.range30d') }]} />
          <TextInput label={t('logs.filter')} placeholder={t('logs.filterPlaceholder')} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} style={{ flex: 1 }} />
          <Select label={t('logs.groupBy')} value={groupBy ?? ''} onChange={(v) => setGroupBy(v ? v : null)} allowDeselect={false} w={180}
            data={[{ value: '', label: t('logs.noGroup') }, ...type.groups.map((g) => ({ value: g, label: g }))]} />
          <Button onClick={() => void run()} loading={busy}>{t('logs.run')}</Button>
          <Button component="a" variant="light" href={analytics.csvUrl(tenantId, type.api, { range, filter })} download>{t('logs.exportCsv')}</Button>
        </Group>
        <Group align="flex-end" mt="sm">
          <TextInput label={t('logs.queryName')} value={queryName} onChange={(e) => setQueryName(e.currentTarget.value)} w={240} />
          <Button variant="default" disabled={queryName.trim() === ''} onClick={() => void save()}>{t('logs.saveQuery')}</Button>
          {(saved.data ?? []).length > 0 && (
            <Select label={t('logs.savedQueries')} w={240} data={(saved.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              onChange={(id) => { const s = saved.data?.find((x) => x.id === id); if (s) { setType(TYPES.find((x) => x.api === s.logType) ?? TYPES[0]); setFilter(s.filter); setGroupBy(s.groupBy); } }} />
          )}
        </Group>
      </Paper>
      <ErrorAlert message={error} />
      {result && (
        <Stack>
          <Text size="sm" c="dimmed">{t('logs.results', { count: result.total })}</Text>
          {result.groups && (
            <Paper withBorder>
              <Table striped><Table.Thead><Table.Tr><Table.Th>{groupBy}</Table.Th><Table.Th>{t('logs.count')}</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>{result.groups.map((g) => <Table.Tr key={g.key}><Table.Td>{g.key}</Table.Td><Table.Td>{g.count}</Table.Td></Table.Tr>)}</Table.Tbody>
              </Table>
            </Paper>
          )}
          <Paper withBorder>
            <ScrollArea>
              <Table striped fz="xs">
                <Table.Thead><Table.Tr>{columns.map((c) => <Table.Th key={c}>{c}</Table.Th>)}</Table.Tr></Table.Thead>
                <Table.Tbody>{result.rows.map((r, i) => <Table.Tr key={i}>{columns.map((c) => <Table.Td key={c}>{String(r[c] ?? '')}</Table.Td>)}</Table.Tr>)}</Table.Tbody>
              </Table>
            </ScrollArea>
          </Paper>
        </Stack>
      )}
      {!result && !error && <Alert color="gray" variant="light">{t(`logs.typeHelp.${type.key}`)}</Alert>}
    </>
  );
}
