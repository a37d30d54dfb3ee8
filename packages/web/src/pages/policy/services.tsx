import { useState } from 'react';
import { ActionIcon, Button, Group, Select, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { message, parsePorts, type Protocol, type ServiceObject } from '@mamori/policy/browser';
import { PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { ObjectDialog, useObjectEditor } from '../../components/object-editor.js';
import { ObjectTable } from '../../components/object-table.js';
import { usePolicyDraft } from '../../components/policy-draft.js';
import { currentLang } from '../../i18n/index.js';

const PROTOCOLS: Protocol[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'any'];

function ServiceDialog({ tenantId, initial, onClose }: { tenantId: string; initial: ServiceObject | null; onClose: () => void }) {
  const { t } = useTranslation();
  const ed = useObjectEditor(tenantId, 'services', initial, 'svc');
  const pr = ed.pr;
  const [name, setName] = useState(initial?.name ?? '');
  const [entries, setEntries] = useState<Array<{ protocol: Protocol; ports: string }>>(initial?.entries.map((e) => ({ protocol: e.protocol, ports: e.ports ?? '' })) ?? [{ protocol: 'tcp', ports: '' }]);
  const save = async () => {
    const ok = await ed.save(
      (id) => ({ id, name: name.trim(), entries: entries.map((e) => (e.ports.trim() ? { protocol: e.protocol, ports: e.ports.trim() } : { protocol: e.protocol })) }),
      () => {
        const local: Record<string, string> = {};
        entries.forEach((e, i) => {
          if (e.ports.trim() === '' || parsePorts(e.ports) !== null) return;
          // name the wrong parts, not the whole list
          const bad = e.ports.split(',').map((x) => x.trim()).filter((x) => x === '' || parsePorts(x) === null);
          local[`entries.${i}.ports`] = (bad.length ? bad : [e.ports]).map((b) => message('policy.port.invalid', { value: b })[currentLang()]).join(' ');
        });
        return local;
      },
    );
    if (ok) onClose();
  };
  return (
    <ObjectDialog title={t('services.title')} general={pr.general} saving={ed.saving} onSave={() => void save()} onClose={onClose} size="lg">
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} name="service-name" />
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
    </ObjectDialog>
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
        <ObjectTable kind="services" tenantId={tenantId} title={t('services.title')} items={draft.policy.objects.services}
          columns={[{ label: t('services.ports'), render: (s) => s.entries.map((e) => `${e.protocol.toUpperCase()}${e.ports ? ' ' + e.ports : ''}`).join('; ') }]}
          onAdd={() => setEditing('new')} onEdit={(s) => setEditing(s)} remove={(p, id) => (p.objects.services = p.objects.services.filter((s) => s.id !== id))} />
      )}
      <Group justify="flex-end"><DeployAllButton tenantId={tenantId} /></Group>
      {editing && <ServiceDialog tenantId={tenantId} initial={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}
