import { useState, type ReactNode } from 'react';
import { ActionIcon, Alert, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Policy } from '@mamori/policy';
import { ConfirmDialog } from './common.js';
import { usePolicyDraft } from './policy-draft.js';
import { errorText } from './problems.js';
import { useCanEdit } from './session.js';

/** A titled table of one kind of policy object with 追加 / 編集 / 削除 (confirmed). */
export function ObjectTable<T extends { id: string; name: string }>({
  tenantId, kind, title, items, columns, onAdd, onEdit, remove,
}: {
  tenantId: string;
  /** names the table for tests (data-testid="object-table-<kind>") */
  kind: string;
  title: string;
  items: T[];
  columns: Array<{ label: string; render: (x: T) => ReactNode }>;
  onAdd: () => void;
  onEdit: (x: T) => void;
  remove: (p: Policy, id: string) => void;
}) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const canEdit = useCanEdit();
  const [deleting, setDeleting] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const doRemove = async (x: T) => {
    setDeleting(null);
    setError(null);
    try {
      await draft.save((p) => remove(p, x.id));
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <Stack gap="xs" mb="xl" data-testid={`object-table-${kind}`}>
      <Group justify="space-between">
        <Title order={3} size="h4">{title}</Title>
        {canEdit && <Button size="xs" onClick={onAdd}>{t('common.add')}</Button>}
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      <Paper withBorder>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              {columns.map((c) => <Table.Th key={c.label}>{c.label}</Table.Th>)}
              {canEdit && <Table.Th w={110} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((x) => (
              <Table.Tr key={x.id}>
                <Table.Td fw={500}>{x.name}</Table.Td>
                {columns.map((c) => <Table.Td key={c.label}>{c.render(x)}</Table.Td>)}
                {canEdit && (
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="light" onClick={() => onEdit(x)}>{t('common.edit')}</Button>
                      <ActionIcon variant="subtle" color="red" aria-label={`${t('common.delete')} ${x.name}`} onClick={() => setDeleting(x)}>×</ActionIcon>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
            {items.length === 0 && <Table.Tr><Table.Td colSpan={columns.length + 2}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
          </Table.Tbody>
        </Table>
      </Paper>
      <ConfirmDialog opened={deleting !== null} danger message={t('common.confirmDelete', { name: deleting?.name ?? '' })} onCancel={() => setDeleting(null)} onConfirm={() => deleting && void doRemove(deleting)} />
    </Stack>
  );
}
