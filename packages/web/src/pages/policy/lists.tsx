import { useState } from 'react';
import { ActionIcon, Alert, Button, Group, Modal, Paper, Stack, Table, Tabs, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { classifyListValue, message, type ListEntry } from '@mamori/policy/browser';
import { ConfirmDialog, ErrorAlert, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { usePolicyDraft } from '../../components/policy-draft.js';
import { errorText, useProblems } from '../../components/problems.js';
import { useCanEdit } from '../../components/session.js';
import { currentLang } from '../../i18n/index.js';

type ListKey = 'allowList' | 'blockList';

function EntryDialog({ tenantId, list, index, entry, onClose }: { tenantId: string; list: ListKey; index: number; entry: ListEntry | null; onClose: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const [value, setValue] = useState(entry?.value ?? '');
  const [comment, setComment] = useState(entry?.comment ?? '');
  const pr = useProblems(`${list}.${index}`);
  const save = async () => {
    pr.clear();
    const v = value.trim();
    if (classifyListValue(v) === null) return pr.setFields({ value: message('policy.list_entry.invalid', { value: v })[currentLang()] });
    try {
      await draft.save((p) => {
        const e: ListEntry = { value: v, ...(comment.trim() ? { comment: comment.trim() } : {}) };
        if (entry) p[list][index] = e;
        else p[list].push(e);
      });
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={onClose} title={list === 'allowList' ? t('lists.addAllow') : t('lists.addBlock')} centered size="lg">
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('lists.value')} description={t('lists.valueHelp')} value={value} onChange={(e) => setValue(e.currentTarget.value)} error={pr.err('value')} name="list-value" data-autofocus />
        <TextInput label={t('lists.comment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} error={pr.err('comment')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()} loading={draft.saving}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ListTable({ tenantId, list }: { tenantId: string; list: ListKey }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const canEdit = useCanEdit();
  const [editing, setEditing] = useState<{ index: number; entry: ListEntry | null } | null>(null);
  const [deleting, setDeleting] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const entries = draft.policy?.[list] ?? [];
  const remove = async (i: number) => {
    setDeleting(null);
    try {
      await draft.save((p) => {
        p[list].splice(i, 1);
      });
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <Stack mt="md">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">{list === 'allowList' ? t('lists.allowLead') : t('lists.blockLead')}</Text>
        {canEdit && <Button onClick={() => setEditing({ index: entries.length, entry: null })}>{t('common.add')}</Button>}
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      <Paper withBorder>
        <Table striped data-testid={`${list}-table`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('lists.value')}</Table.Th>
              <Table.Th>{t('lists.comment')}</Table.Th>
              {canEdit && <Table.Th w={120} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((e, i) => (
              <Table.Tr key={`${e.value}-${i}`}>
                <Table.Td ff="monospace">{e.value}</Table.Td>
                <Table.Td>{e.comment ?? ''}</Table.Td>
                {canEdit && (
                  <Table.Td>
                    <Group gap={4}>
                      <Button size="compact-xs" variant="light" onClick={() => setEditing({ index: i, entry: e })}>{t('common.edit')}</Button>
                      <ActionIcon variant="subtle" color="red" aria-label={`${t('common.delete')} ${e.value}`} onClick={() => setDeleting(i)}>×</ActionIcon>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
            {entries.length === 0 && <Table.Tr><Table.Td colSpan={3}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
          </Table.Tbody>
        </Table>
      </Paper>
      {editing && <EntryDialog tenantId={tenantId} list={list} index={editing.index} entry={editing.entry} onClose={() => setEditing(null)} />}
      <ConfirmDialog opened={deleting !== null} danger message={t('common.confirmDelete', { name: deleting !== null ? (entries[deleting]?.value ?? '') : '' })} onCancel={() => setDeleting(null)} onConfirm={() => deleting !== null && void remove(deleting)} />
    </Stack>
  );
}

/** §6-4 許可/ブロックリスト. */
export function ListsPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  return (
    <>
      <PageHeader title={t('lists.title')} />
      <Tabs defaultValue="allowList">
        <Tabs.List>
          <Tabs.Tab value="allowList">{t('lists.allow')}</Tabs.Tab>
          <Tabs.Tab value="blockList">{t('lists.block')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="allowList"><ListTable tenantId={tenantId} list="allowList" /></Tabs.Panel>
        <Tabs.Panel value="blockList"><ListTable tenantId={tenantId} list="blockList" /></Tabs.Panel>
      </Tabs>
      <Group justify="flex-end" mt="md"><DeployAllButton tenantId={tenantId} /></Group>
    </>
  );
}
