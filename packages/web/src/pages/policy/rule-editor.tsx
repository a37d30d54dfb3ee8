import { useState } from 'react';
import { Anchor, Button, Divider, Group, Modal, MultiSelect, Radio, Select, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Policy, PolicyRule } from '@mamori/policy';
import { AddressDialog } from '../../components/address-dialog.js';
import { ErrorAlert, OnOff } from '../../components/common.js';
import { ContentPicker, emptySelection, selectionSize, type ContentSelection } from '../../components/content-picker.js';
import { newId } from '../../components/ids.js';
import { usePolicyDraft, upsertById } from '../../components/policy-draft.js';
import { useProblems } from '../../components/problems.js';

type SrcMode = 'any' | 'selected';

/** The rule editor: the manual's 有効 / 送信元 / 送信先 / サービス / コンテンツタイプ / 処理, then 保存. */
export function RuleEditor({ tenantId, policy, rule, onClose }: { tenantId: string; policy: Policy; rule: PolicyRule | null; onClose: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(tenantId);
  const index = rule ? policy.rules.findIndex((r) => r.id === rule.id) : policy.rules.length;
  const pr = useProblems(`rules.${index}`);
  const [name, setName] = useState(rule?.name ?? '');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [groups, setGroups] = useState<string[]>(rule?.gatewayGroups ?? []);
  const src0 = rule?.source.type === 'selected' ? rule.source : null;
  const [srcMode, setSrcMode] = useState<SrcMode>(src0 ? 'selected' : 'any');
  const [srcAddresses, setSrcAddresses] = useState<string[]>(src0?.addresses ?? []);
  const [srcUsers, setSrcUsers] = useState<string[]>(src0?.users ?? []);
  const [srcGroups, setSrcGroups] = useState<string[]>(src0?.groups ?? []);
  const [srcMacs, setSrcMacs] = useState<string[]>(src0?.macs ?? []);
  const [dstMode, setDstMode] = useState(rule?.destination.type ?? 'any');
  const [dstAddresses, setDstAddresses] = useState<string[]>(rule?.destination.type === 'addresses' ? rule.destination.addresses : []);
  const [countries, setCountries] = useState(rule?.destination.type === 'geo' ? rule.destination.countries.join(', ') : '');
  const [svcMode, setSvcMode] = useState(rule?.service.type ?? 'any');
  const [services, setServices] = useState<string[]>(rule?.service.type === 'selected' ? rule.service.services : []);
  const [contentMode, setContentMode] = useState(rule?.content.type ?? 'any');
  const [content, setContent] = useState<ContentSelection>(
    rule?.content.type === 'selected'
      ? { applications: rule.content.applications, applicationFunctions: rule.content.applicationFunctions, applicationCategories: rule.content.applicationCategories, urlCategories: rule.content.urlCategories, customCategories: rule.content.customCategories }
      : emptySelection(),
  );
  const [action, setAction] = useState<PolicyRule['action']>(rule?.action ?? 'block');
  const [log, setLog] = useState(rule?.log ?? true);
  const [profileId, setProfileId] = useState<string | null>(rule ? rule.profileId : (policy.profiles[0]?.id ?? null));
  const [addrFor, setAddrFor] = useState<'src' | 'dst' | null>(null);

  const addrOptions = policy.objects.addresses.map((a) => ({ value: a.id, label: `${a.name} (${a.type === 'fqdn' ? a.fqdn : a.addresses})` }));

  const save = async () => {
    pr.clear();
    const id = rule?.id ?? newId('rule');
    const next: PolicyRule = {
      id,
      name: name.trim(),
      ...(rule?.description ? { description: rule.description } : {}),
      enabled,
      gatewayGroups: groups,
      source: srcMode === 'any' ? { type: 'any' } : { type: 'selected', addresses: srcAddresses, users: srcUsers, groups: srcGroups, macs: srcMacs },
      destination:
        dstMode === 'any'
          ? { type: 'any' }
          : dstMode === 'addresses'
            ? { type: 'addresses', addresses: dstAddresses }
            : { type: 'geo', countries: countries.split(',').map((c) => c.trim().toUpperCase()).filter((c) => c !== '') },
      service: svcMode === 'any' ? { type: 'any' } : { type: 'selected', services },
      content: contentMode === 'any' ? { type: 'any' } : { type: 'selected', ...content },
      action,
      log,
      profileId,
    };
    try {
      await draft.save((p) => upsertById(p.rules, next));
      onClose();
    } catch (e) {
      pr.take(e);
    }
  };

  return (
    <Modal opened onClose={onClose} title={rule ? t('rules.editTitle') : t('rules.addTitle')} size="xl" centered>
      <Stack gap="md">
        <ErrorAlert message={pr.general} />
        <SimpleGrid cols={2}>
          <TextInput label={t('rules.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} name="rule-name" />
          <OnOff label={t('common.enabled')} value={enabled} onChange={setEnabled} name="rule-enabled" />
        </SimpleGrid>
        <MultiSelect label={t('rules.gatewayGroups')} placeholder={groups.length ? undefined : t('rules.allGroups')} data={policy.gatewayGroups.map((g) => ({ value: g.id, label: g.name }))} value={groups} onChange={setGroups} error={pr.err('gatewayGroups')} />

        <Divider label={t('rules.source')} labelPosition="left" />
        <Radio.Group value={srcMode} onChange={(v) => setSrcMode(v as SrcMode)} label={t('rules.sourceSelect')} error={pr.err('source')} name="rule-source">
          <Group mt={4}>
            <Radio value="any" label={t('common.any')} />
            <Radio value="selected" label={t('rules.sourceAddresses')} />
          </Group>
        </Radio.Group>
        {srcMode === 'selected' && (
          <Stack gap="xs" pl="md">
            <MultiSelect label={t('rules.sourceAddresses')} data={addrOptions} value={srcAddresses} onChange={setSrcAddresses} searchable error={pr.err('source.addresses')} data-testid="src-addresses" />
            <Anchor component="button" type="button" size="sm" onClick={() => setAddrFor('src')} ta="left">
              + {t('rules.addAddressObject')}
            </Anchor>
            <SimpleGrid cols={3}>
              <MultiSelect label={t('rules.sourceUsers')} data={policy.objects.users.map((u) => ({ value: u.id, label: u.name }))} value={srcUsers} onChange={setSrcUsers} searchable />
              <MultiSelect label={t('rules.sourceGroups')} data={policy.objects.userGroups.map((g) => ({ value: g.id, label: g.name }))} value={srcGroups} onChange={setSrcGroups} />
              <MultiSelect label={t('rules.sourceMacs')} data={policy.objects.macs.map((m) => ({ value: m.id, label: m.name }))} value={srcMacs} onChange={setSrcMacs} />
            </SimpleGrid>
          </Stack>
        )}

        <Divider label={t('rules.destTitle')} labelPosition="left" />
        <Radio.Group value={dstMode} onChange={(v) => setDstMode(v as typeof dstMode)} error={pr.err('destination')} name="rule-destination">
          <Group>
            <Radio value="any" label={t('rules.destAny')} />
            <Radio value="addresses" label={t('rules.destAddresses')} />
            <Radio value="geo" label={t('rules.destGeo')} />
          </Group>
        </Radio.Group>
        {dstMode === 'addresses' && (
          <Stack gap="xs" pl="md">
            <MultiSelect data={addrOptions} value={dstAddresses} onChange={setDstAddresses} searchable aria-label={t('rules.destAddresses')} />
            <Anchor component="button" type="button" size="sm" onClick={() => setAddrFor('dst')} ta="left">+ {t('rules.addAddressObject')}</Anchor>
          </Stack>
        )}
        {dstMode === 'geo' && (
          <TextInput pl="md" label={t('rules.countries')} description={t('rules.countriesHelp')} value={countries} onChange={(e) => setCountries(e.currentTarget.value)} error={pr.err('destination.countries')} name="rule-countries" />
        )}

        <Divider label={t('rules.service')} labelPosition="left" />
        <Radio.Group value={svcMode} onChange={(v) => setSvcMode(v as typeof svcMode)} error={pr.err('service')} name="rule-service">
          <Group>
            <Radio value="any" label={t('rules.serviceAny')} />
            <Radio value="selected" label={t('rules.serviceSelected')} />
          </Group>
        </Radio.Group>
        {svcMode === 'selected' && (
          <MultiSelect pl="md" data={policy.objects.services.map((s) => ({ value: s.id, label: s.name }))} value={services} onChange={setServices} searchable aria-label={t('rules.serviceSelected')} />
        )}

        <Divider label={t('rules.content')} labelPosition="left" />
        <Radio.Group value={contentMode} onChange={(v) => setContentMode(v as typeof contentMode)} name="rule-content">
          <Group>
            <Radio value="any" label={t('rules.contentAny')} />
            <Radio value="selected" label={t('rules.contentSpecify')} />
          </Group>
        </Radio.Group>
        {contentMode === 'selected' && <ContentPicker value={content} onChange={setContent} policy={policy} error={pr.err('content')} />}
        {contentMode === 'selected' && selectionSize(content) === 0 && !pr.err('content') && null}

        <Divider label={t('rules.action')} labelPosition="left" />
        <SimpleGrid cols={3}>
          <Radio.Group label={t('rules.action')} value={action} onChange={(v) => setAction(v as PolicyRule['action'])} name="rule-action">
            <Group mt={4}>
              <Radio value="block" label={t('common.block')} />
              <Radio value="allow" label={t('common.allow')} />
            </Group>
          </Radio.Group>
          <Select label={t('rules.profile')} data={[{ value: '', label: t('rules.noProfile') }, ...policy.profiles.map((p) => ({ value: p.id, label: p.name }))]} value={profileId ?? ''} onChange={(v) => setProfileId(v ? v : null)} allowDeselect={false} error={pr.err('profileId')} />
          <Stack gap={4}>
            <Text size="sm" fw={500}>{t('rules.log')}</Text>
            <Switch checked={log} onChange={(e) => setLog(e.currentTarget.checked)} label={log ? t('common.on') : t('common.off')} />
          </Stack>
        </SimpleGrid>

        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()} loading={draft.saving}>{t('common.save')}</Button>
        </Group>
      </Stack>
      {addrFor && (
        <AddressDialog
          tenantId={tenantId}
          onClose={() => setAddrFor(null)}
          onSaved={(id) => (addrFor === 'src' ? setSrcAddresses((a) => [...a, id]) : setDstAddresses((a) => [...a, id]))}
        />
      )}
    </Modal>
  );
}
