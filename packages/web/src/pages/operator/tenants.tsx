import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { gateways as gwApi, operator } from '../../api/endpoints.js';
import { isOnline } from '../gateways.js';
import { ErrorAlert, fmtTime, PageHeader } from '../../components/common.js';
import { errorText, useProblems } from '../../components/problems.js';
import { currentLang } from '../../i18n/index.js';

function AddTenant({ onClose }: { onClose: (created: boolean) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [model, setModel] = useState<'10' | '50' | '100'>('50');
  const [email, setEmail] = useState('');
  const [adminName, setAdminName] = useState('');
  const [lang, setLang] = useState<'ja' | 'en'>(currentLang());
  const pr = useProblems('');
  const save = async () => {
    pr.clear();
    try {
      await operator.createTenant(name.trim(), Number(model) as 10 | 50 | 100, { email: email.trim(), name: adminName.trim() || name.trim(), lang });
      onClose(true);
    } catch (e) {
      pr.take(e);
    }
  };
  return (
    <Modal opened onClose={() => onClose(false)} title={t('operator.add')} centered>
      <Stack>
        <ErrorAlert message={pr.general} />
        <TextInput label={t('operator.tenantName')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={pr.err('name')} name="tenant-name" />
        <Select label={t('operator.model')} value={model} onChange={(v) => v && setModel(v as typeof model)} allowDeselect={false} data={['10', '50', '100'].map((m) => ({ value: m, label: t('portal.modelName', { model: m }) }))} error={pr.err('model')} />
        <TextInput label={t('operator.adminEmail')} value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={pr.err('admin.email')} name="tenant-admin-email" />
        <TextInput label={t('common.name')} value={adminName} onChange={(e) => setAdminName(e.currentTarget.value)} error={pr.err('admin.name')} />
        <Select label={t('app.language')} value={lang} onChange={(v) => v && setLang(v as 'ja' | 'en')} allowDeselect={false} data={[{ value: 'ja', label: '日本語' }, { value: 'en', label: 'English' }]} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onClose(false)}>{t('common.cancel')}</Button>
          <Button onClick={() => void save()}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The operator's view: every tenant with its gateways' health. */
export function TenantsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const q = useQuery({ queryKey: ['tenants'], queryFn: operator.tenants });
  const gws = useQueries({ queries: (q.data ?? []).map((tn) => ({ queryKey: ['gateways', tn.id], queryFn: () => gwApi.list(tn.id), refetchInterval: 30_000 })) });
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={t('operator.title')}><Button onClick={() => setAdding(true)}>{t('operator.add')}</Button></PageHeader>
      {notice && <Alert color="teal" mb="md" role="status">{notice}</Alert>}
      {q.isError && <Alert color="red">{errorText(q.error, t)}</Alert>}
      <Paper withBorder>
        <Table striped highlightOnHover data-testid="tenants-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('operator.tenantName')}</Table.Th>
              <Table.Th>ID</Table.Th>
              <Table.Th>{t('operator.model')}</Table.Th>
              <Table.Th>{t('operator.gateways')}</Table.Th>
              <Table.Th>{t('common.status')}</Table.Th>
              <Table.Th>{t('maintenance.createdAt')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.data ?? []).map((tn, i) => {
              const list = gws[i]?.data;
              const online = list?.filter(isOnline).length ?? 0;
              const failed = list?.some((g) => g.lastDeployment?.state === 'failed') ?? false;
              const healthy = list !== undefined && online === list.length && !failed;
              return (
                <Table.Tr key={tn.id} data-testid={`tenant-${tn.id}`}>
                  <Table.Td fw={600}>{tn.name}</Table.Td>
                  <Table.Td ff="monospace" fz="xs">{tn.id}</Table.Td>
                  <Table.Td>{tn.model}</Table.Td>
                  <Table.Td>{list ? `${online}/${list.length} ${t('gateways.online')}` : gws[i]?.isError ? '—' : '…'}</Table.Td>
                  <Table.Td>{list && <Badge color={healthy ? 'teal' : 'orange'} variant="light">{healthy ? t('operator.healthy') : t('operator.unhealthy')}</Badge>}</Table.Td>
                  <Table.Td>{fmtTime(new Date(tn.createdAt).toISOString(), lang)}</Table.Td>
                  <Table.Td><Button component={Link} to={`/tenants/${encodeURIComponent(tn.id)}/dashboard`} size="compact-sm" variant="light">{t('operator.open')}</Button></Table.Td>
                </Table.Tr>
              );
            })}
            {q.data?.length === 0 && <Table.Tr><Table.Td colSpan={7}><Text size="sm" c="dimmed">{t('common.noData')}</Text></Table.Td></Table.Tr>}
          </Table.Tbody>
        </Table>
      </Paper>
      {adding && <AddTenant onClose={(c) => { setAdding(false); if (c) { setNotice(t('operator.created')); void q.refetch(); } }} />}
    </>
  );
}
