import { useState } from 'react';
import { Alert, Badge, Button, Card, Code, Group, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { gateways as api } from '../api/endpoints.js';
import type { Gateway } from '../api/types.js';
import { ErrorAlert, fmtTime, PageHeader, useTenantId } from '../components/common.js';
import { CheckIcon } from '../components/deploy.js';
import { errorText } from '../components/problems.js';
import { useCanEdit } from '../components/session.js';
import { currentLang } from '../i18n/index.js';

function fmtBytes(n: number | undefined): string {
  if (n === undefined) return '—';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${u[i]}`;
}

/** Online: seen recently AND its sync channel is open (a closed channel is not "online" for 15 minutes). */
export const isOnline = (g: Gateway) => g.status === 'online' && g.connected;

export function DeployState({ g }: { g: Gateway }) {
  const { t } = useTranslation();
  const d = g.lastDeployment;
  if (!d) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Group gap={6} wrap="nowrap">
      {d.state === 'succeeded' && <CheckIcon />}
      <Badge color={d.state === 'succeeded' ? 'teal' : d.state === 'failed' ? 'red' : 'yellow'} variant="light">
        {t(d.state === 'succeeded' ? 'gateways.deploySucceeded' : d.state === 'failed' ? 'gateways.deployFailed' : 'gateways.deployPending')}
      </Badge>
      <Text size="xs" c="dimmed">v{d.version} · {fmtTime(d.at ? new Date(d.at).toISOString() : null, currentLang())}</Text>
      {d.error && <Text size="xs" c="red">{d.error}</Text>}
    </Group>
  );
}

function EnrollDialog({ tenantId, onClose }: { tenantId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    setError(null);
    try {
      setToken((await api.enrollmentToken(tenantId, name.trim())).token);
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('gateways.enroll')} centered size="lg">
      <Stack>
        <ErrorAlert message={error} />
        <TextInput label={t('gateways.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={token !== null} />
        {token && (
          <>
            <Text size="sm">{t('gateways.enrollLead')}</Text>
            <Code block>{`mamori gateway enroll --console ${window.location.origin} --token ${token}`}</Code>
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.close')}</Button>
          {!token && <Button onClick={() => void create()} disabled={name.trim() === ''}>{t('common.add')}</Button>}
        </Group>
      </Stack>
    </Modal>
  );
}

/** §4 ゲートウェイ: current status, last deployment result and interface status. */
export function GatewaysPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const canEdit = useCanEdit();
  const q = useQuery({ queryKey: ['gateways', tenantId], queryFn: () => api.list(tenantId), refetchInterval: 10_000 });
  const [enroll, setEnroll] = useState(false);
  const lang = currentLang();
  return (
    <>
      <PageHeader title={t('gateways.title')}>
        {canEdit && <Button onClick={() => setEnroll(true)}>{t('gateways.enroll')}</Button>}
      </PageHeader>
      {q.isError && <Alert color="red">{errorText(q.error, t)}</Alert>}
      {q.data?.length === 0 && <Card withBorder><Text c="dimmed">{t('gateways.noGateways')}</Text></Card>}
      <Stack>
        {q.data?.map((g) => (
          <Card key={g.id} withBorder padding="lg" data-testid={`gateway-${g.id}`}>
            <Group justify="space-between" mb="sm">
              <Group>
                <Text fw={700} size="lg">{g.name}</Text>
                <Badge color={isOnline(g) ? 'teal' : 'gray'} variant="filled">
                  {t(isOnline(g) ? 'gateways.online' : g.lastSeen === null ? 'gateways.pending' : 'gateways.offline')}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed">{g.hostname}</Text>
            </Group>
            <Table withRowBorders={false} verticalSpacing={4} mb="sm">
              <Table.Tbody>
                <Table.Tr><Table.Th w={220}>{t('gateways.lastDeploy')}</Table.Th><Table.Td><DeployState g={g} /></Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('gateways.version')}</Table.Th><Table.Td>{g.version ?? '—'}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('gateways.mode')}</Table.Th><Table.Td>{g.details?.mode ?? '—'}{g.details?.modeReason ? ` (${g.details.modeReason})` : ''}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('gateways.policyVersion')}</Table.Th><Table.Td>{g.details?.policyVersion ?? '—'}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('gateways.lastSeen')}</Table.Th><Table.Td>{fmtTime(g.lastSeen ? new Date(g.lastSeen).toISOString() : null, lang)}</Table.Td></Table.Tr>
              </Table.Tbody>
            </Table>
            <Text fw={600} size="sm" mb={4}>{t('gateways.interfaces')}</Text>
            <Table striped withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('gateways.ifName')}</Table.Th>
                  <Table.Th>{t('gateways.ifRole')}</Table.Th>
                  <Table.Th>{t('gateways.ifAddresses')}</Table.Th>
                  <Table.Th>{t('gateways.ifUp')}</Table.Th>
                  <Table.Th>RX / TX</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(g.details?.interfaces ?? []).map((i) => (
                  <Table.Tr key={i.name}>
                    <Table.Td>{i.name}</Table.Td>
                    <Table.Td>{i.role.toUpperCase()}</Table.Td>
                    <Table.Td>{i.addresses.join(', ') || '—'}</Table.Td>
                    <Table.Td><Badge color={i.up ? 'teal' : 'red'} variant="light">{t(i.up ? 'gateways.up' : 'gateways.down')}</Badge></Table.Td>
                    <Table.Td>{fmtBytes(i.rxBytes)} / {fmtBytes(i.txBytes)}</Table.Td>
                  </Table.Tr>
                ))}
                {(g.details?.interfaces ?? []).length === 0 && (
                  <Table.Tr><Table.Td colSpan={5}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Card>
        ))}
      </Stack>
      {enroll && <EnrollDialog tenantId={tenantId} onClose={() => { setEnroll(false); void q.refetch(); }} />}
    </>
  );
}
