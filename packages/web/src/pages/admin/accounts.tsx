import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { admin } from '../../api/endpoints.js';
import { ErrorAlert, fmtTime, PageHeader, useTenantId } from '../../components/common.js';
import { errorText, useProblems } from '../../components/problems.js';
import { useSession } from '../../components/session.js';
import { currentLang } from '../../i18n/index.js';

function AddAccount({ tenantId, onClose }: { tenantId: string; onClose: (added: boolean) => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'tenantAdmin' | 'tenantViewer'>('tenantViewer');
  const [lang, setLang] = useState<'ja' | 'en'>(currentLang());
  const pr = useProblems('');
  const save = async () => {
    pr.clear();
    try {
      await admin.addAccount(tenantId, { email: email.trim(), name: name.trim(), role, lang });
      onClose(true);
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={() => onClose(false)} title={t('accounts.add')} centered>
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('common.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} />
        <TextInput label={t('accounts.email')} value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={pr.err('email')} />
        <Select label={t('accounts.role')} value={role} onChange={(v) => v && setRole(v as typeof role)} allowDeselect={false}
          data={[{ value: 'tenantAdmin', label: t('app.role.tenantAdmin') }, { value: 'tenantViewer', label: t('app.role.tenantViewer') }]} />
        <Select label={t('app.language')} value={lang} onChange={(v) => v && setLang(v as 'ja' | 'en')} allowDeselect={false} data={[{ value: 'ja', label: '日本語' }, { value: 'en', label: 'English' }]} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onClose(false)}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function AccountsPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const session = useSession();
  const isAdmin = session.account.role !== 'tenantViewer';
  const lang = currentLang();
  const q = useQuery({ queryKey: ['accounts', tenantId], queryFn: () => admin.accounts(tenantId) });
  const outbox = useQuery({ queryKey: ['outbox', tenantId], queryFn: () => admin.outbox(tenantId), enabled: isAdmin });
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={t('accounts.title')}>{isAdmin && <Button onClick={() => setAdding(true)}>{t('accounts.add')}</Button>}</PageHeader>
      {notice && <Alert color="teal" mb="md" role="status">{notice}</Alert>}
      {q.isError && <Alert color="red">{errorText(q.error, t)}</Alert>}
      <Paper withBorder mb="lg">
        <Table striped data-testid="accounts-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('accounts.accountId')}</Table.Th>
              <Table.Th>{t('common.name')}</Table.Th>
              <Table.Th>{t('accounts.email')}</Table.Th>
              <Table.Th>{t('accounts.role')}</Table.Th>
              <Table.Th>{t('common.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.data ?? []).map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td ff="monospace">{a.id}</Table.Td>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>{a.email}</Table.Td>
                <Table.Td><Badge variant="light">{t(`app.role.${a.role}`)}</Badge></Table.Td>
                <Table.Td>
                  {a.passwordSet ? <Badge color="teal" variant="dot">{t('common.enabled')}</Badge> : (
                    <Group gap={6}>
                      <Badge color="gray" variant="dot">{t('accounts.pending')}</Badge>
                      {isAdmin && <Button size="compact-xs" variant="subtle" onClick={() => void admin.invite(tenantId, a.id).then(() => setNotice(t('accounts.mailSent')), (e: unknown) => setNotice(errorText(e, t)))}>{t('accounts.invite')}</Button>}
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {isAdmin && (
        <>
          <Title order={3} size="h4" mb="xs">{t('accounts.outbox')}</Title>
          <Paper withBorder>
            <Table striped data-testid="outbox-table">
              <Table.Thead><Table.Tr><Table.Th>{t('common.time')}</Table.Th><Table.Th>{t('accounts.recipient')}</Table.Th><Table.Th>{t('accounts.subject')}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {(outbox.data ?? []).map((m) => (
                  <Table.Tr key={m.id}>
                    <Table.Td>{fmtTime(new Date(m.createdAt).toISOString(), lang)}</Table.Td>
                    <Table.Td>{m.to}</Table.Td>
                    <Table.Td><Text size="sm" title={m.text}>{m.subject}</Text></Table.Td>
                  </Table.Tr>
                ))}
                {(outbox.data ?? []).length === 0 && <Table.Tr><Table.Td colSpan={3}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
              </Table.Tbody>
            </Table>
          </Paper>
        </>
      )}
      {adding && <AddAccount tenantId={tenantId} onClose={(added) => { setAdding(false); if (added) { setNotice(t('accounts.mailSent')); void q.refetch(); void outbox.refetch(); } }} />}
    </>
  );
}
