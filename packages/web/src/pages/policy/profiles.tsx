import { useEffect, useState } from 'react';
import { ActionIcon, Alert, Anchor, Button, Checkbox, Divider, Group, NavLink as MNavLink, NumberInput, Paper, Radio, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { MAIL_FILE_TYPES, type SecurityProfile } from '@mamori/policy/browser';
import { ErrorAlert, OnOff, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { usePolicyDraft } from '../../components/policy-draft.js';
import { useProblems } from '../../components/problems.js';
import { useCanEdit } from '../../components/session.js';

type Mail = SecurityProfile['email'];
type Setter = (f: (p: SecurityProfile) => void) => void;

function TagBlock({ label, value, onChange, disabled, name }: { label: string; value: 'tag' | 'block'; onChange: (v: 'tag' | 'block') => void; disabled: boolean; name: string }) {
  const { t } = useTranslation();
  return (
    <Radio.Group label={label} value={value} onChange={(v) => onChange(v as 'tag' | 'block')} name={name}>
      <Group mt={4}>
        <Radio value="block" label={t('common.block')} disabled={disabled} />
        <Radio value="tag" label={t('common.tag')} disabled={disabled} />
      </Group>
    </Radio.Group>
  );
}

function portsText(ports: number[]): string {
  return ports.join(', ');
}

function MailTab({ p, set, ro, err, sslText, setSslText }: { p: SecurityProfile; set: Setter; ro: boolean; err: (k: string) => string | undefined; sslText: Record<string, string>; setSslText: (v: Record<string, string>) => void }) {
  const { t } = useTranslation();
  const e = p.email;
  const [sender, setSender] = useState('');
  const upd = (f: (m: Mail) => void) => set((x) => f(x.email));
  const protos = ['smtp', 'pop3', 'imap', 'smtps', 'pop3s', 'imaps'] as const;
  return (
    <Stack gap="lg">
      <SimpleGrid cols={2} spacing="xl" verticalSpacing="lg">
        <OnOff label={t('mail.antiMalware')} value={e.antiMalware.enabled} onChange={(v) => upd((m) => (m.antiMalware.enabled = v))} disabled={ro} name="mail-antiMalware" />
        <TagBlock label={t('mail.antiMalwareAction')} value={e.antiMalware.action} onChange={(v) => upd((m) => (m.antiMalware.action = v))} disabled={ro || !e.antiMalware.enabled} name="mail-antiMalware-action" />
        <OnOff label={t('mail.machineLearning')} value={e.machineLearning.enabled} onChange={(v) => upd((m) => (m.machineLearning.enabled = v))} disabled={ro} name="mail-machineLearning" />
        <OnOff label={t('mail.sandbox')} value={e.sandbox.enabled} onChange={(v) => upd((m) => (m.sandbox.enabled = v))} disabled={ro} name="mail-sandbox" />
        <OnOff label={t('mail.antiSpam')} value={e.antiSpam.enabled} onChange={(v) => upd((m) => (m.antiSpam.enabled = v))} disabled={ro} name="mail-antiSpam" />
        <TagBlock label={t('mail.antiSpamAction')} value={e.antiSpam.action} onChange={(v) => upd((m) => (m.antiSpam.action = v))} disabled={ro || !e.antiSpam.enabled} name="mail-antiSpam-action" />
        <OnOff label={t('mail.emailReputation')} description={t('mail.emailReputationNote')} value={e.emailReputation.enabled} onChange={(v) => upd((m) => (m.emailReputation.enabled = v))} disabled={ro} name="mail-emailReputation" />
        <span />
        <OnOff label={t('mail.contentFilter')} value={e.contentFilter.enabled} onChange={(v) => upd((m) => (m.contentFilter.enabled = v))} disabled={ro} name="mail-contentFilter" />
        <TagBlock label={t('common.actions')} value={e.contentFilter.action} onChange={(v) => upd((m) => (m.contentFilter.action = v))} disabled={ro || !e.contentFilter.enabled} name="mail-contentFilter-action" />
      </SimpleGrid>
      {e.contentFilter.enabled && (
        <Textarea label={t('mail.keywords')} description={t('mail.keywordsHelp')} value={e.contentFilter.keywords.join('\n')} disabled={ro} error={err('email.contentFilter.keywords')}
          onChange={(ev) => { const v = ev.currentTarget.value; upd((m) => (m.contentFilter.keywords = v.split('\n').filter((k) => k.trim() !== ''))); }} autosize minRows={2} />
      )}
      <SimpleGrid cols={2} spacing="xl">
        <OnOff label={t('mail.myNumber')} description={t('mail.myNumberNote')} value={e.myNumber.enabled} onChange={(v) => upd((m) => (m.myNumber.enabled = v))} disabled={ro} name="mail-myNumber" />
        <TagBlock label={t('common.actions')} value={e.myNumber.action} onChange={(v) => upd((m) => (m.myNumber.action = v))} disabled={ro || !e.myNumber.enabled} name="mail-myNumber-action" />
      </SimpleGrid>

      <Divider label={<Title order={4} size="h5">{t('mail.exceptions')}</Title>} labelPosition="left" />
      <Text fw={600} size="sm">{t('mail.fileTypes')}</Text>
      {err('email.exceptions.fileTypes') && <Text c="red" size="xs" role="alert">{err('email.exceptions.fileTypes')}</Text>}
      <Paper withBorder p="xs">
        <Table withRowBorders={false} verticalSpacing={2}>
          <Table.Thead><Table.Tr><Table.Th>{t('mail.fileTypes')}</Table.Th><Table.Th>{t('mail.allowFileTypes')}</Table.Th><Table.Th>{t('mail.blockFileTypes')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {MAIL_FILE_TYPES.map((ft) => (
              <Table.Tr key={ft}>
                <Table.Td ff="monospace">.{ft}</Table.Td>
                <Table.Td><Checkbox aria-label={`${t('mail.allowFileTypes')} ${ft}`} checked={e.exceptions.fileTypes.allow.includes(ft)} disabled={ro}
                  onChange={(ev) => { const on = ev.currentTarget.checked; upd((m) => { m.exceptions.fileTypes.allow = on ? [...m.exceptions.fileTypes.allow, ft] : m.exceptions.fileTypes.allow.filter((x) => x !== ft); }); }} /></Table.Td>
                <Table.Td><Checkbox aria-label={`${t('mail.blockFileTypes')} ${ft}`} checked={e.exceptions.fileTypes.block.includes(ft)} disabled={ro}
                  onChange={(ev) => { const on = ev.currentTarget.checked; upd((m) => { m.exceptions.fileTypes.block = on ? [...m.exceptions.fileTypes.block, ft] : m.exceptions.fileTypes.block.filter((x) => x !== ft); }); }} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Text fw={600} size="sm">{t('mail.senders')}</Text>
      <Group align="flex-start">
        <TextInput placeholder={t('mail.senderPlaceholder')} value={sender} onChange={(ev) => setSender(ev.currentTarget.value)} disabled={ro} aria-label={t('mail.senders')} error={err('email.exceptions.senders')} w={320} />
        <Button variant="light" disabled={ro || sender.trim() === ''} onClick={() => { const s = sender.trim(); upd((m) => { if (!m.exceptions.senders.includes(s)) m.exceptions.senders.push(s); }); setSender(''); }}>{t('common.add')}</Button>
      </Group>
      <Stack gap={2}>
        {e.exceptions.senders.map((s) => (
          <Group key={s} gap={6}>
            <Text size="sm" ff="monospace">{s}</Text>
            {!ro && <ActionIcon size="sm" variant="subtle" color="red" aria-label={`${t('common.delete')} ${s}`} onClick={() => upd((m) => (m.exceptions.senders = m.exceptions.senders.filter((x) => x !== s)))}>×</ActionIcon>}
          </Group>
        ))}
      </Stack>

      <Divider label={<Title order={4} size="h5">{t('mail.advanced')}</Title>} labelPosition="left" />
      <Text size="xs" c="dimmed">{t('mail.protocolsDefault')}</Text>
      <Paper withBorder>
        <Table data-testid="mail-protocols">
          <Table.Thead><Table.Tr><Table.Th>{t('mail.protocol')}</Table.Th><Table.Th>{t('common.enabled')}</Table.Th><Table.Th>{t('mail.customSslPorts')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {protos.map((pr) => (
              <Table.Tr key={pr}>
                <Table.Td fw={600}>{pr.toUpperCase()}</Table.Td>
                <Table.Td>
                  <Radio.Group value={e.protocols[pr] ? 'on' : 'off'} onChange={(v) => upd((m) => (m.protocols[pr] = v === 'on'))} name={`proto-${pr}`} aria-label={pr.toUpperCase()}>
                    <Group><Radio value="on" label={t('common.on')} disabled={ro} /><Radio value="off" label={t('common.off')} disabled={ro} /></Group>
                  </Radio.Group>
                </Table.Td>
                <Table.Td>
                  {(pr === 'smtps' || pr === 'pop3s' || pr === 'imaps') && (
                    <TextInput size="xs" w={220} placeholder={pr === 'smtps' ? '465' : pr === 'pop3s' ? '995' : '993'} aria-label={`${t('mail.customSslPorts')} ${pr.toUpperCase()}`}
                      value={sslText[pr] ?? portsText(e.customSslPorts[pr])} disabled={ro} description={t('mail.customSslHelp')}
                      error={sslText[`${pr}.error`] ?? err(`email.customSslPorts.${pr}`)}
                      onChange={(ev) => setSslText({ ...sslText, [pr]: ev.currentTarget.value, [`${pr}.error`]: '' })} />
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Alert color="yellow" variant="light">{t('mail.smtpsNote')}</Alert>
    </Stack>
  );
}

/** §6-5 HTTPS復号 and §6-6 メールセキュリティ対策, with the other protection switches of a profile. */
export function ProfilesPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const draft = usePolicyDraft(tenantId);
  const canEdit = useCanEdit();
  const ro = !canEdit;
  const profiles = draft.policy?.profiles ?? [];
  const [selected, setSelected] = useState<string | null>(null);
  const [work, setWork] = useState<SecurityProfile | null>(null);
  const [saved, setSaved] = useState(false);
  const [sslText, setSslText] = useState<Record<string, string>>({});
  const index = profiles.findIndex((p) => p.id === (selected ?? profiles[0]?.id));
  const pr = useProblems(`profiles.${index}`);
  const current = index >= 0 ? profiles[index]! : null;
  useEffect(() => {
    setWork(current ? structuredClone(current) : null);
    setSslText({});
    // only when another profile is chosen or the stored one changes
  }, [current]);
  const set: Setter = (f) => {
    setSaved(false);
    setWork((w) => {
      if (!w) return w;
      const n = structuredClone(w);
      f(n);
      return n;
    });
  };
  const save = async () => {
    if (!work) return;
    pr.clear();
    setSaved(false);
    const next = structuredClone(work);
    const local: Record<string, string> = {};
    for (const proto of ['smtps', 'pop3s', 'imaps'] as const) {
      const txt = sslText[proto];
      if (txt === undefined) continue;
      const parts = txt.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const nums = parts.map(Number);
      if (nums.some((n) => !Number.isInteger(n) || n < 1 || n > 65535)) local[proto] = t('mail.badPorts');
      else next.email.customSslPorts[proto] = nums;
    }
    if (Object.keys(local).length) {
      setSslText({ ...sslText, ...Object.fromEntries(Object.entries(local).map(([k, v]) => [`${k}.error`, v])) });
      return;
    }
    try {
      await draft.save((p) => {
        p.profiles[index] = next;
      });
      setSaved(true);
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <>
      <PageHeader title={t('profiles.title')} />
      <Group align="flex-start" wrap="nowrap" gap="lg">
        <Paper withBorder w={260} p={4}>
          {profiles.map((p) => (
            <MNavLink key={p.id} label={p.name} active={p.id === current?.id} onClick={() => setSelected(p.id)} />
          ))}
        </Paper>
        {work && (
          <Paper withBorder p="lg" style={{ flex: 1 }}>
            <Title order={3} size="h4" mb="md">{work.name}</Title>
            <ErrorAlert message={pr.general} />
            {saved && <Alert color="teal" mb="sm" role="status">{t('common.saved')}</Alert>}
            <Tabs defaultValue="https" keepMounted={false}>
              <Tabs.List mb="md">
                <Tabs.Tab value="ips">{t('profiles.tabs.ips')}</Tabs.Tab>
                <Tabs.Tab value="antiMalware">{t('profiles.tabs.antiMalware')}</Tabs.Tab>
                <Tabs.Tab value="email">{t('profiles.tabs.email')}</Tabs.Tab>
                <Tabs.Tab value="webReputation">{t('profiles.tabs.webReputation')}</Tabs.Tab>
                <Tabs.Tab value="https">{t('profiles.tabs.https')}</Tabs.Tab>
                <Tabs.Tab value="dos">{t('profiles.tabs.dos')}</Tabs.Tab>
                <Tabs.Tab value="bot">{t('profiles.tabs.bot')}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="ips">
                <Stack>
                  <OnOff label={t('profiles.enable')} value={work.ips.enabled} onChange={(v) => set((p) => (p.ips.enabled = v))} disabled={ro} name="ips-enabled" />
                  <Radio.Group label={t('profiles.ipsMode')} value={work.ips.mode} onChange={(v) => set((p) => (p.ips.mode = v as 'prevent' | 'detect'))}>
                    <Group mt={4}><Radio value="prevent" label={t('profiles.prevent')} disabled={ro} /><Radio value="detect" label={t('profiles.detect')} disabled={ro} /></Group>
                  </Radio.Group>
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="antiMalware">
                <Stack>
                  <OnOff label={t('profiles.enable')} value={work.antiMalware.enabled} onChange={(v) => set((p) => (p.antiMalware.enabled = v))} disabled={ro} name="am-enabled" />
                  <OnOff label={t('profiles.cloudLookup')} value={work.antiMalware.cloudLookup} onChange={(v) => set((p) => (p.antiMalware.cloudLookup = v))} disabled={ro} name="am-cloud" />
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="email">
                <MailTab p={work} set={set} ro={ro} err={pr.err} sslText={sslText} setSslText={setSslText} />
              </Tabs.Panel>
              <Tabs.Panel value="webReputation">
                <Stack>
                  <OnOff label={t('profiles.enable')} value={work.webReputation.enabled} onChange={(v) => set((p) => (p.webReputation.enabled = v))} disabled={ro} name="wrs-enabled" />
                  <Radio.Group label={t('profiles.sensitivity')} value={work.webReputation.sensitivity} onChange={(v) => set((p) => (p.webReputation.sensitivity = v as 'low' | 'medium' | 'high'))}>
                    <Group mt={4}>{(['low', 'medium', 'high'] as const).map((s) => <Radio key={s} value={s} label={t(`profiles.${s}`)} disabled={ro} />)}</Group>
                  </Radio.Group>
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="https">
                <Stack>
                  <OnOff label={t('profiles.enable')} value={work.httpsDecryption.enabled} onChange={(v) => set((p) => (p.httpsDecryption.enabled = v))} disabled={ro} name="https-enabled" />
                  <OnOff label={t('profiles.smartBypass')} description={t('profiles.smartBypassHelp')} value={work.httpsDecryption.smartBypass} onChange={(v) => set((p) => (p.httpsDecryption.smartBypass = v))} disabled={ro} name="https-smartBypass" />
                  <OnOff label={t('profiles.blockInvalidCerts')} value={work.httpsDecryption.blockInvalidCertificates} onChange={(v) => set((p) => (p.httpsDecryption.blockInvalidCertificates = v))} disabled={ro} name="https-invalidCerts" />
                  <Alert color="blue" variant="light">
                    {t('profiles.httpsNote')}{' '}
                    <Anchor component={Link} to={`/tenants/${encodeURIComponent(tenantId)}/admin/certificates/install`}>{t('profiles.installSteps')}</Anchor>
                  </Alert>
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="dos">
                <Stack>
                  <OnOff label={t('profiles.enable')} value={work.dos.enabled} onChange={(v) => set((p) => (p.dos.enabled = v))} disabled={ro} name="dos-enabled" />
                  <SimpleGrid cols={2}>
                    {([['synPerSecond', 'dosSyn'], ['newConnectionsPerSourcePerSecond', 'dosNewConn'], ['concurrentConnectionsPerSource', 'dosConcurrent'], ['icmpPerSecond', 'dosIcmp'], ['udpPerSourcePerSecond', 'dosUdp']] as const).map(([k, label]) => (
                      <NumberInput key={k} label={t(`profiles.${label}`)} value={work.dos[k]} min={1} disabled={ro || !work.dos.enabled} error={pr.err(`dos.${k}`)}
                        onChange={(v) => set((p) => (p.dos[k] = typeof v === 'number' ? v : Number(v)))} />
                    ))}
                  </SimpleGrid>
                  <OnOff label={t('profiles.dosPortScan')} value={work.dos.portScanDetection} onChange={(v) => set((p) => (p.dos.portScanDetection = v))} disabled={ro || !work.dos.enabled} name="dos-portscan" />
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="bot">
                <OnOff label={t('profiles.enable')} value={work.botProtection.enabled} onChange={(v) => set((p) => (p.botProtection.enabled = v))} disabled={ro} name="bot-enabled" />
              </Tabs.Panel>
            </Tabs>
            {canEdit && (
              <Group justify="flex-end" mt="xl">
                <Button variant="default" onClick={() => { setWork(current ? structuredClone(current) : null); setSslText({}); pr.clear(); }}>{t('common.cancel')}</Button>
                <Button onClick={() => void save()} loading={draft.saving}>{t('common.save')}</Button>
              </Group>
            )}
          </Paper>
        )}
      </Group>
      <Group justify="flex-end" mt="md"><DeployAllButton tenantId={tenantId} /></Group>
    </>
  );
}
