import { useState } from 'react';
import { Button, Group, Modal, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isValidFqdn, message, parseAddressList, type AddressObject } from '@mamori/policy/browser';
import { currentLang } from '../i18n/index.js';
import { ErrorAlert } from './common.js';
import { newId } from './ids.js';
import { usePolicyDraft, upsertById } from './policy-draft.js';
import { useProblems } from './problems.js';

/**
 * 「アドレスオブジェクトの追加/編集」 (manual §6-3 ⑧): 名前, 種類, アドレス. The address list is
 * checked here with the policy package's own parser (the server checks it again).
 */
export function AddressDialog({ tenantId, initial, onClose, onSaved }: { tenantId: string; initial?: AddressObject; onClose: () => void; onSaved?: (id: string) => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const [name, setName] = useState(initial?.name ?? '');
  const [type, setType] = useState<AddressObject['type']>(initial?.type ?? 'ipv4');
  const [value, setValue] = useState(initial ? (initial.type === 'fqdn' ? initial.fqdn : initial.addresses) : '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const existing = draft.policy?.objects.addresses ?? [];
  const index = initial ? existing.findIndex((a) => a.id === initial.id) : existing.length;
  const pr = useProblems(`objects.addresses.${index}`);
  const lang = currentLang();

  const localCheck = (): Record<string, string> => {
    const f: Record<string, string> = {};
    if (name.trim() === '') f['name'] = message('policy.name.empty')[lang];
    if (type === 'fqdn') {
      if (!isValidFqdn(value.trim())) f['fqdn'] = message('policy.fqdn.invalid', { value: value.trim() })[lang];
    } else {
      const r = parseAddressList(value, type === 'ipv4' ? 4 : 6);
      if (!r.ok) f['addresses'] = r.problems.map((p) => message(p.code, { value: p.value, ...p.params })[lang]).join(' ');
    }
    return f;
  };

  const save = async () => {
    pr.clear();
    const local = localCheck();
    if (Object.keys(local).length) return pr.setFields(local);
    const id = initial?.id ?? newId('addr');
    const obj: AddressObject =
      type === 'fqdn'
        ? { id, name: name.trim(), type, fqdn: value.trim(), ...(description ? { description } : {}) }
        : { id, name: name.trim(), type, addresses: value.trim(), ...(description ? { description } : {}) };
    try {
      await draft.save((p) => upsertById(p.objects.addresses, obj));
      onSaved?.(id);
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };

  const valueKey = type === 'fqdn' ? 'fqdn' : 'addresses';
  return (
    <Modal opened onClose={onClose} title={t('address.title')} centered size="lg">
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} data-autofocus name="address-name" />
        <Select
          label={t('common.type')}
          value={type}
          onChange={(v) => v && setType(v as AddressObject['type'])}
          data={[
            { value: 'ipv4', label: t('address.ipv4') },
            { value: 'ipv6', label: t('address.ipv6') },
            { value: 'fqdn', label: t('address.fqdn') },
          ]}
          allowDeselect={false}
          name="address-type"
        />
        <Textarea
          label={t('address.addresses')}
          description={type === 'fqdn' ? t('address.fqdnHelp') : t('address.help')}
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          error={pr.err(valueKey)}
          autosize
          minRows={2}
          name="address-value"
        />
        <TextInput label={t('common.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()} loading={draft.saving}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
