import { useState } from 'react';
import { Button, Group, Modal, MultiSelect, Stack, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { message, parseAddressList, type User, type UserGroup } from '@mamori/policy/browser';
import { ErrorAlert, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { newId } from '../../components/ids.js';
import { usePolicyDraft, upsertById } from '../../components/policy-draft.js';
import { useProblems } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';
import { ObjectTable } from './object-table.js';

function UserDialog({ tenantId, initial, onClose }: { tenantId: string; initial: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const list = draft.policy?.objects.users ?? [];
  const pr = useProblems(`objects.users.${initial ? list.findIndex((u) => u.id === initial.id) : list.length}`);
  const [name, setName] = useState(initial?.name ?? '');
  const [email, setEmail] = useState(initial?.email ?? '');
  const [addresses, setAddresses] = useState(initial?.addresses ?? '');
  const save = async () => {
    pr.clear();
    if (addresses.trim()) {
      const r = parseAddressList(addresses);
      if (!r.ok) return pr.setFields({ addresses: r.problems.map((p) => message(p.code, { value: p.value, ...p.params })[currentLang()]).join(' ') });
    }
    const u: User = { id: initial?.id ?? newId('user'), name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}), ...(addresses.trim() ? { addresses: addresses.trim() } : {}), ...(initial?.macs ? { macs: initial.macs } : {}) };
    try {
      await draft.save((p) => upsertById(p.objects.users, u));
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('users.title')} centered>
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} />
        <TextInput label={t('users.email')} value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={pr.err('email')} />
        <TextInput label={t('users.addresses')} description={t('address.help')} value={addresses} onChange={(e) => setAddresses(e.currentTarget.value)} error={pr.err('addresses')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function GroupDialog({ tenantId, initial, onClose }: { tenantId: string; initial: UserGroup | null; onClose: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const list = draft.policy?.objects.userGroups ?? [];
  const pr = useProblems(`objects.userGroups.${initial ? list.findIndex((g) => g.id === initial.id) : list.length}`);
  const [name, setName] = useState(initial?.name ?? '');
  const [members, setMembers] = useState<string[]>(initial?.members ?? []);
  const save = async () => {
    pr.clear();
    const g: UserGroup = { id: initial?.id ?? newId('group'), name: name.trim(), members };
    try {
      await draft.save((p) => upsertById(p.objects.userGroups, g));
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('users.groupsTitle')} centered>
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} />
        <MultiSelect label={t('users.members')} data={(draft.policy?.objects.users ?? []).map((u) => ({ value: u.id, label: u.name }))} value={members} onChange={setMembers} searchable error={pr.err('members')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
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
          <ObjectTable tenantId={tenantId} title={t('users.title')} items={p.objects.users}
            columns={[{ label: t('users.email'), render: (u) => u.email ?? '' }, { label: t('users.addresses'), render: (u) => u.addresses ?? '' }]}
            onAdd={() => setUser('new')} onEdit={(u) => setUser(u)} remove={(pol, id) => (pol.objects.users = pol.objects.users.filter((u) => u.id !== id))} />
          <ObjectTable tenantId={tenantId} title={t('users.groupsTitle')} items={p.objects.userGroups}
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
