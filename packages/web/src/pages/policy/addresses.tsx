import { useState } from 'react';
import { Group, TextInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { message, normalizeMac, type AddressObject, type MacObject } from '@mamori/policy/browser';
import { AddressDialog } from '../../components/address-dialog.js';
import { PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { ObjectDialog, useObjectEditor } from '../../components/object-editor.js';
import { ObjectTable } from '../../components/object-table.js';
import { usePolicyDraft } from '../../components/policy-draft.js';
import { currentLang } from '../../i18n/index.js';

function MacDialog({ tenantId, initial, onClose }: { tenantId: string; initial: MacObject | null; onClose: () => void }) {
  const { t } = useTranslation();
  const ed = useObjectEditor(tenantId, 'macs', initial, 'mac');
  const [name, setName] = useState(initial?.name ?? '');
  const [macs, setMacs] = useState(initial?.macs.join(', ') ?? '');
  const items = () => macs.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const save = async () => {
    const ok = await ed.save(
      (id) => ({ id, name: name.trim(), macs: items() }),
      (): Record<string, string> => {
        const bad = items().filter((m) => normalizeMac(m) === null);
        return bad.length ? { macs: bad.map((b) => message('policy.mac.invalid', { value: b })[currentLang()]).join(' ') } : {};
      },
    );
    if (ok) onClose();
  };
  return (
    <ObjectDialog title={t('address.macTitle')} general={ed.pr.general} saving={ed.saving} onSave={() => void save()} onClose={onClose}>
      <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={ed.pr.err('name')} name="mac-name" />
      <Textarea label={t('address.macs')} description={t('address.macHelp')} value={macs} onChange={(e) => setMacs(e.currentTarget.value)} error={ed.pr.err('macs')} name="mac-value" />
    </ObjectDialog>
  );
}

export function AddressesPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const draft = usePolicyDraft(tenantId);
  const [addr, setAddr] = useState<AddressObject | 'new' | null>(null);
  const [mac, setMac] = useState<MacObject | 'new' | null>(null);
  const p = draft.policy;
  return (
    <>
      <PageHeader title={t('menu.addresses')} />
      {p && (
        <>
          <ObjectTable kind="addresses"
            tenantId={tenantId}
            title={t('address.listTitle')}
            items={p.objects.addresses}
            columns={[
              { label: t('common.type'), render: (a) => t(`address.${a.type}`) },
              { label: t('address.addresses'), render: (a) => (a.type === 'fqdn' ? a.fqdn : a.addresses) },
            ]}
            onAdd={() => setAddr('new')}
            onEdit={(a) => setAddr(a)}
            remove={(pol, id) => (pol.objects.addresses = pol.objects.addresses.filter((a) => a.id !== id))}
          />
          <ObjectTable kind="macs"
            tenantId={tenantId}
            title={t('address.macTitle')}
            items={p.objects.macs}
            columns={[{ label: t('address.macs'), render: (m) => m.macs.join(', ') }]}
            onAdd={() => setMac('new')}
            onEdit={(m) => setMac(m)}
            remove={(pol, id) => (pol.objects.macs = pol.objects.macs.filter((m) => m.id !== id))}
          />
        </>
      )}
      <Group justify="flex-end"><DeployAllButton tenantId={tenantId} /></Group>
      {addr && <AddressDialog tenantId={tenantId} {...(addr === 'new' ? {} : { initial: addr })} onClose={() => setAddr(null)} />}
      {mac && <MacDialog tenantId={tenantId} initial={mac === 'new' ? null : mac} onClose={() => setMac(null)} />}
    </>
  );
}
