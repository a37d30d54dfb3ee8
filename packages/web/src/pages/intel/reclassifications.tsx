/**
 * URL reclassification: the tenant's own category for a host, `*.domain`, `host/path` or IP,
 * applied by its gateways before the intel database (and before the console's cloud lookups) from
 * the next deployment. Console API: GET/PUT /api/tenants/:tenantId/intel/reclassifications.
 */
import { useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Reclassification } from '@mamori/policy';
import { classifyListValue, message } from '@mamori/policy/browser';
import { get, put } from '../../api/client.js';
import { ConfirmDialog, ErrorAlert, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { loc, useCatalog } from '../../components/catalog.js';
import { errorText, useProblems } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';

const url = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}/intel/reclassifications`;

export function ReclassificationsPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const catalog = useCatalog();
  const q = useQuery({ queryKey: ['reclassifications', tenantId], queryFn: async () => (await get<{ reclassifications: Reclassification[] }>(url(tenantId))).reclassifications });
  const [entry, setEntry] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const pr = useProblems('body.reclassifications');
  const list = q.data ?? [];
  const cats = catalog.data?.urlCategories ?? [];
  const catName = (id: string) => loc(cats.find((c) => c.id === id)?.name, id);

  const store = async (next: Reclassification[]): Promise<boolean> => {
    pr.clear();
    setSaved(null);
    try {
      await put(url(tenantId), { reclassifications: next });
      await q.refetch();
      return true;
    } catch (e) {
      pr.take(e);
      return false;
    }
  };

  const add = async () => {
    const problems: Record<string, string> = {};
    if (entry.trim() === '') problems['entry'] = t('reclass.entryRequired');
    else if (classifyListValue(entry.trim()) === null) problems['entry'] = message('policy.list_entry.invalid', { value: entry.trim() })[currentLang()];
    if (!category) problems['category'] = t('reclass.categoryRequired');
    setLocal(problems);
    if (Object.keys(problems).length > 0 || !category) return;
    const row: Reclassification = { entry: entry.trim(), categories: [category], ...(note.trim() ? { note: note.trim() } : {}) };
    if (await store([...list, row])) {
      setSaved(t('reclass.added', { entry: row.entry }));
      setEntry('');
      setCategory(null);
      setNote('');
    }
  };

  const at = list.length;
  return (
    <>
      <PageHeader title={t('menu.reclassifications')} lead={t('reclass.lead')} />
      {q.isError && <Alert color="red" mb="md">{errorText(q.error, t)}</Alert>}
      <Paper withBorder p="lg" mb="lg" data-testid="reclass-form">
        <Title order={3} size="h5" mb="sm">{t('reclass.request')}</Title>
        <ErrorAlert message={pr.general} />
        {saved && <Alert color="teal" mb="sm" role="status">{saved}</Alert>}
        <Stack>
          <TextInput label={t('reclass.entry')} description={t('reclass.entryHelp')} value={entry} onChange={(e) => setEntry(e.currentTarget.value)} error={local['entry'] ?? pr.err(`${at}.entry`)} name="reclass-entry" />
          <Select label={t('reclass.category')} placeholder={t('reclass.categoryPlaceholder')} searchable data={cats.map((c) => ({ value: c.id, label: `${loc(c.name, c.id)} (${c.id})` }))} value={category} onChange={setCategory} error={local['category'] ?? pr.err(`${at}.categories`)} name="reclass-category" nothingFoundMessage={t('reclass.noCategory')} />
          <TextInput label={t('reclass.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={pr.err(`${at}.note`)} name="reclass-note" />
          <Group justify="flex-end"><Button onClick={() => void add()}>{t('reclass.submit')}</Button></Group>
        </Stack>
      </Paper>
      <Title order={3} size="h5" mb="xs">{t('reclass.list')}</Title>
      <Paper withBorder mb="md">
        {list.length === 0 ? (
          <Text p="md" size="sm" c="dimmed" data-testid="reclass-empty">{t('reclass.none')}</Text>
        ) : (
          <Table data-testid="reclass-table" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('reclass.entry')}</Table.Th>
                <Table.Th>{t('reclass.category')}</Table.Th>
                <Table.Th>{t('reclass.note')}</Table.Th>
                <Table.Th>{t('reclass.status')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((r) => (
                <Table.Tr key={r.entry} data-testid={`reclass-row-${r.entry}`}>
                  <Table.Td>{r.entry}</Table.Td>
                  <Table.Td>{r.categories.map(catName).join(', ')}</Table.Td>
                  <Table.Td>{r.note ?? ''}</Table.Td>
                  <Table.Td><Badge variant="light" color="teal" tt="none">{t('reclass.statusSaved')}</Badge></Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="subtle" color="red" aria-label={`${t('common.delete')} ${r.entry}`} onClick={() => setRemoving(r.entry)}>{t('common.delete')}</Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Text size="sm" c="dimmed" mb="sm">{t('reclass.statusHelp')}</Text>
      <Group justify="flex-end"><DeployAllButton tenantId={tenantId} /></Group>
      <ConfirmDialog
        opened={removing !== null}
        danger
        message={t('reclass.confirmDelete', { entry: removing ?? '' })}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          const gone = removing;
          setRemoving(null);
          void store(list.filter((r) => r.entry !== gone)).then((ok) => ok && setSaved(t('reclass.removed', { entry: gone ?? '' })));
        }}
      />
    </>
  );
}
