import { useState } from 'react';
import { Group, TextInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { classifyListValue, message, type CustomCategory } from '@mamori/policy/browser';
import { PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { ObjectDialog, useObjectEditor } from '../../components/object-editor.js';
import { ObjectTable } from '../../components/object-table.js';
import { usePolicyDraft } from '../../components/policy-draft.js';
import { currentLang } from '../../i18n/index.js';

function CategoryDialog({ tenantId, initial, onClose }: { tenantId: string; initial: CustomCategory | null; onClose: () => void }) {
  const { t } = useTranslation();
  const ed = useObjectEditor(tenantId, 'customCategories', initial, 'cat');
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [entries, setEntries] = useState(initial?.entries.join('\n') ?? '');
  const items = () => entries.split('\n').map((s) => s.trim()).filter((s) => s !== '');
  const save = async () => {
    const ok = await ed.save(
      (id) => ({ id, name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), entries: items() }),
      (): Record<string, string> => {
        const bad = items().filter((v) => classifyListValue(v) === null);
        return bad.length ? { entries: bad.map((b) => message('policy.list_entry.invalid', { value: b })[currentLang()]).join(' ') } : {};
      },
    );
    if (ok) onClose();
  };
  return (
    <ObjectDialog title={t('categories.title')} general={ed.pr.general} saving={ed.saving} onSave={() => void save()} onClose={onClose} size="lg">
      <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={ed.pr.err('name')} name="category-name" />
      <TextInput label={t('common.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} name="category-description" />
      <Textarea label={t('categories.entries')} description={t('categories.entriesHelp')} value={entries} onChange={(e) => setEntries(e.currentTarget.value)} error={ed.pr.err('entries')} autosize minRows={4} name="category-entries" />
    </ObjectDialog>
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
        <ObjectTable kind="customCategories" tenantId={tenantId} title={t('categories.title')} items={draft.policy.objects.customCategories}
          columns={[{ label: t('common.description'), render: (c) => c.description ?? '' }, { label: t('categories.entries'), render: (c) => c.entries.slice(0, 5).join(', ') + (c.entries.length > 5 ? ' …' : '') }]}
          onAdd={() => setEditing('new')} onEdit={(c) => setEditing(c)} remove={(p, id) => (p.objects.customCategories = p.objects.customCategories.filter((c) => c.id !== id))} />
      )}
      <Group justify="flex-end"><DeployAllButton tenantId={tenantId} /></Group>
      {editing && <CategoryDialog tenantId={tenantId} initial={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}
