import { useState } from 'react';
import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { classifyListValue, message, type CustomCategory } from '@mamori/policy/browser';
import { ErrorAlert, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { newId } from '../../components/ids.js';
import { usePolicyDraft, upsertById } from '../../components/policy-draft.js';
import { useProblems } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';
import { ObjectTable } from './object-table.js';

function CategoryDialog({ tenantId, initial, onClose }: { tenantId: string; initial: CustomCategory | null; onClose: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const list = draft.policy?.objects.customCategories ?? [];
  const pr = useProblems(`objects.customCategories.${initial ? list.findIndex((c) => c.id === initial.id) : list.length}`);
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [entries, setEntries] = useState(initial?.entries.join('\n') ?? '');
  const save = async () => {
    pr.clear();
    const items = entries.split('\n').map((s) => s.trim()).filter((s) => s !== '');
    const bad = items.filter((v) => classifyListValue(v) === null);
    if (bad.length) return pr.setFields({ entries: bad.map((b) => message('policy.list_entry.invalid', { value: b })[currentLang()]).join(' ') });
    const c: CustomCategory = { id: initial?.id ?? newId('cat'), name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), entries: items };
    try {
      await draft.save((p) => upsertById(p.objects.customCategories, c));
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('categories.title')} centered size="lg">
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} />
        <TextInput label={t('common.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Textarea label={t('categories.entries')} description={t('categories.entriesHelp')} value={entries} onChange={(e) => setEntries(e.currentTarget.value)} error={pr.err('entries')} autosize minRows={4} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function CategoriesPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const draft = usePolicyDraft(tenantId);
  const [editing, setEditing] = useState<CustomCategory | 'new' | null>(null);
  return (
    <>
      <PageHeader title={t('menu.customCategories')} />
      {draft.policy && (
        <ObjectTable tenantId={tenantId} title={t('categories.title')} items={draft.policy.objects.customCategories}
          columns={[{ label: t('common.description'), render: (c) => c.description ?? '' }, { label: t('categories.entries'), render: (c) => c.entries.slice(0, 5).join(', ') + (c.entries.length > 5 ? ' …' : '') }]}
          onAdd={() => setEditing('new')} onEdit={(c) => setEditing(c)} remove={(p, id) => (p.objects.customCategories = p.objects.customCategories.filter((c) => c.id !== id))} />
      )}
      <Group justify="flex-end"><DeployAllButton tenantId={tenantId} /></Group>
      {editing && <CategoryDialog tenantId={tenantId} initial={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}
