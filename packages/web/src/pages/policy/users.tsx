import { useState } from 'react';
import { Group, MultiSelect, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { message, parseAddressList, type User, type UserGroup } from '@mamori/policy/browser';
import { PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { ObjectDialog, useObjectEditor } from '../../components/object-editor.js';
import { ObjectTable } from '../../components/object-table.js';
import { usePolicyDraft } from '../../components/policy-draft.js';
import { currentLang } from '../../i18n/index.js';

function UserDialog({ tenantId, initial, onClose }: { tenantId: string; initial: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const ed = useObjectEditor(tenantId, 'users', initial, 'user');
  const [name, setName] = useState(initial?.name ?? '');
  const [email, setEmail] = useState(initial?.email ?? '');
  const [addresses, setAddresses] = useState(initial?.addresses ?? '');
  const save = async () => {
    const ok = await ed.save(
      (id) => ({ id, name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}), ...(addresses.trim() ? { addresses: addresses.trim() } : {}), ...(initial?.macs ? { macs: initial.macs } : {}) }),
      (): Record<string, string> => {
        if (!addresses.trim()) return {};
        const r = parseAddressList(addresses);
        return r.ok ? {} : { addresses: r.problems.map((p) => message(p.code, { value: p.value, ...p.params })[currentLang()]).join(' ') };
      },
    );
    if (ok) onClose();
  };
  return (
    <ObjectDialog title={t('users.title')} general={ed.pr.general} saving={ed.saving} onSave={() => void save()} onClose={onClose}>
      <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={ed.pr.err('name')} name="user-name" />
      <TextInput label={t('users.email')} value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={ed.pr.err('email')} name="user-email" />
      <TextInput label={t('users.addresses')} description={t('address.help')} value={addresses} onChange={(e) => setAddresses(e.currentTarget.value)} error={ed.pr.err('addresses')} name="user-addresses" />
    </ObjectDialog>
  );
}

function GroupDialog({ tenantId, initial, onClose }: { tenantId: string; initial: UserGroup | null; onClose: () => void }) {
  const { t } = useTranslation();
  const ed = useObjectEditor(tenantId, 'userGroups', initial, 'group');
  const [name, setName] = useState(initial?.name ?? '');
  const [members, setMembers] = useState<string[]>(initial?.members ?? []);
  const save = async () => {
    if (await ed.save((id) => ({ id, name: name.trim(), members }))) onClose();
  };
  return (
    <ObjectDialog title={t('users.groupsTitle')} general={ed.pr.general} saving={ed.saving} onSave={() => void save()} onClose={onClose}>
      <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={ed.pr.err('name')} name="group-name" />
      <MultiSelect label={t('users.members')} data={(ed.draft.policy?.objects.users ?? []).map((u) => ({ value: u.id, label: u.name }))} value={members} onChange={setMembers} searchable error={ed.pr.err('members')} />
    </ObjectDialog>
  );
}

export function UsersPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const draft = usePolicyDraft(tenantId);
  const [user, setUser] = useState<User | 'new' | null>(null);
  const [group, setGroup] = useState<UserGroup | 'new' | null>(null);
  const p = draft.policy;
  return (
    <>
      <PageHeader title={t('menu.users')} />
      {p && (
        <>
          <ObjectTable kind="users" tenantId={tenantId} title={t('users.title')} items={p.objects.users}
            columns={[{ label: t('users.email'), render: (u) => u.email ?? '' }, { label: t('users.addresses'), render: (u) => u.addresses ?? '' }]}
            onAdd={() => setUser('new')} onEdit={(u) => setUser(u)} remove={(pol, id) => (pol.objects.users = pol.objects.users.filter((u) => u.id !== id))} />
          <ObjectTable kind="userGroups" tenantId={tenantId} title={t('users.groupsTitle')} items={p.objects.userGroups}
            columns={[{ label: t('users.members'), render: (g) => g.members.map((m) => p.objects.users.find((u) => u.id === m)?.name ?? m).join(', ') }]}
            onAdd={() => setGroup('new')} onEdit={(g) => setGroup(g)} remove={(pol, id) => (pol.objects.userGroups = pol.objects.userGroups.filter((g) => g.id !== id))} />
        </>
      )}
      <Group justify="flex-end"><DeployAllButton tenantId={tenantId} /></Group>
      {user && <UserDialog tenantId={tenantId} initial={user === 'new' ? null : user} onClose={() => setUser(null)} />}
      {group && <GroupDialog tenantId={tenantId} initial={group === 'new' ? null : group} onClose={() => setGroup(null)} />}
    </>
  );
}
