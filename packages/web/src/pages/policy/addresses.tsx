import { useState } from 'react';
import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { message, normalizeMac, type AddressObject, type MacObject } from '@mamori/policy/browser';
import { AddressDialog } from '../../components/address-dialog.js';
import { ErrorAlert, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { newId } from '../../components/ids.js';
import { usePolicyDraft, upsertById } from '../../components/policy-draft.js';
import { useProblems } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';
import { ObjectTable } from './object-table.js';

function MacDialog({ tenantId, initial, onClose }: { tenantId: string; initial: MacObject | null; onClose: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const list = draft.policy?.objects.macs ?? [];
  const index = initial ? list.findIndex((m) => m.id === initial.id) : list.length;
  const pr = useProblems(`objects.macs.${index}`);
  const [name, setName] = useState(initial?.name ?? '');
  const [macs, setMacs] = useState(initial?.macs.join(', ') ?? '');
  const save = async () => {
    pr.clear();
    const items = macs.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = items.filter((m) => normalizeMac(m) === null);
    if (bad.length) return pr.setFields({ macs: bad.map((b) => message('policy.mac.invalid', { value: b })[currentLang()]).join(' ') });
    const obj: MacObject = { id: initial?.id ?? newId('mac'), name: name.trim(), macs: items };
    try {
      await draft.save((p) => upsertById(p.objects.macs, obj));
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('address.macTitle')} centered>
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} />
        <Textarea label={t('address.macs')} description={t('address.macHelp')} value={macs} onChange={(e) => setMacs(e.currentTarget.value)} error={pr.err('macs')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
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
          <ObjectTable
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
          <ObjectTable
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
