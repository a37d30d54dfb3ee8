import { useState } from 'react';
import { ActionIcon, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { message, parsePorts, type Protocol, type ServiceObject } from '@mamori/policy/browser';
import { ErrorAlert, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { newId } from '../../components/ids.js';
import { usePolicyDraft, upsertById } from '../../components/policy-draft.js';
import { useProblems } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';
import { ObjectTable } from './object-table.js';

const PROTOCOLS: Protocol[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'any'];

function ServiceDialog({ tenantId, initial, onClose }: { tenantId: string; initial: ServiceObject | null; onClose: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const list = draft.policy?.objects.services ?? [];
  const index = initial ? list.findIndex((s) => s.id === initial.id) : list.length;
  const pr = useProblems(`objects.services.${index}`);
  const [name, setName] = useState(initial?.name ?? '');
  const [entries, setEntries] = useState<Array<{ protocol: Protocol; ports: string }>>(initial?.entries.map((e) => ({ protocol: e.protocol, ports: e.ports ?? '' })) ?? [{ protocol: 'tcp', ports: '' }]);
  const save = async () => {
    pr.clear();
    const local: Record<string, string> = {};
    entries.forEach((e, i) => {
      if (e.ports.trim() !== '' && parsePorts(e.ports) === null) local[`entries.${i}.ports`] = message('policy.port.invalid', { value: e.ports })[currentLang()];
    });
    if (Object.keys(local).length) return pr.setFields(local);
    const obj: ServiceObject = { id: initial?.id ?? newId('svc'), name: name.trim(), entries: entries.map((e) => (e.ports.trim() ? { protocol: e.protocol, ports: e.ports.trim() } : { protocol: e.protocol })) };
    try {
      await draft.save((p) => upsertById(p.objects.services, obj));
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('services.title')} centered size="lg">
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} />
        {entries.map((e, i) => (
          <Group key={i} align="flex-start" wrap="nowrap">
            <Select w={130} label={t('services.protocol')} data={PROTOCOLS.map((p) => ({ value: p, label: p === 'any' ? t('common.any') : p.toUpperCase() }))} value={e.protocol} allowDeselect={false}
              onChange={(v) => setEntries(entries.map((x, j) => (j === i ? { ...x, protocol: (v ?? 'tcp') as Protocol } : x)))} />
            <TextInput style={{ flex: 1 }} label={t('services.ports')} description={t('services.portsHelp')} value={e.ports} error={pr.err(`entries.${i}.ports`)}
              onChange={(ev) => { const v = ev.currentTarget.value; setEntries(entries.map((x, j) => (j === i ? { ...x, ports: v } : x))); }} />
            <ActionIcon mt={28} variant="subtle" color="red" aria-label={t('common.delete')} disabled={entries.length === 1} onClick={() => setEntries(entries.filter((_, j) => j !== i))}>×</ActionIcon>
          </Group>
        ))}
        <Button variant="subtle" size="xs" onClick={() => setEntries([...entries, { protocol: 'tcp', ports: '' }])} style={{ alignSelf: 'flex-start' }}>+ {t('services.addEntry')}</Button>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ServicesPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const draft = usePolicyDraft(tenantId);
  const [editing, setEditing] = useState<ServiceObject | 'new' | null>(null);
  return (
    <>
      <PageHeader title={t('menu.services')} />
      {draft.policy && (
        <ObjectTable tenantId={tenantId} title={t('services.title')} items={draft.policy.objects.services}
          columns={[{ label: t('services.ports'), render: (s) => s.entries.map((e) => `${e.protocol.toUpperCase()}${e.ports ? ' ' + e.ports : ''}`).join('; ') }]}
          onAdd={() => setEditing('new')} onEdit={(s) => setEditing(s)} remove={(p, id) => (p.objects.services = p.objects.services.filter((s) => s.id !== id))} />
      )}
      <Group justify="flex-end"><DeployAllButton tenantId={tenantId} /></Group>
      {editing && <ServiceDialog tenantId={tenantId} initial={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}
