import { useRef, useState } from 'react';
import { Alert, Badge, Button, FileButton, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.js';
import { backups as api } from '../../api/endpoints.js';
import type { Backup } from '../../api/types.js';
import { ConfirmDialog, fmtTime, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { draftKey } from '../../components/policy-draft.js';
import { errorText } from '../../components/problems.js';
import { useCanEdit } from '../../components/session.js';
import { currentLang } from '../../i18n/index.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** §5-2/5-3 メンテナンス: 今すぐバックアップを作成, up to 3 generations, download .ce, 復元. */
export function MaintenancePage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const canEdit = useCanEdit();
  const qc = useQueryClient();
  const lang = currentLang();
  const q = useQuery({ queryKey: ['backups', tenantId], queryFn: () => api.list(tenantId) });
  const [notice, setNotice] = useState<{ color: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<Backup | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [confirmFile, setConfirmFile] = useState(false);
  const [restored, setRestored] = useState(false);
  const resetRef = useRef<() => void>(null);

  const create = async () => {
    setBusy(true);
    setNotice(null);
    try {
      await api.create(tenantId);
      setNotice({ color: 'teal', text: t('maintenance.created') });
      await q.refetch();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'backup.no_change') setNotice({ color: 'blue', text: t('maintenance.noChange') });
      else setNotice({ color: 'red', text: errorText(e, t) });
    } finally {
      setBusy(false);
    }
  };
  const afterRestore = async () => {
    setRestored(true);
    setNotice({ color: 'teal', text: t('maintenance.restored') });
    await qc.invalidateQueries({ queryKey: draftKey(tenantId) });
  };
  const restore = async (b: Backup) => {
    setConfirm(null);
    setBusy(true);
    setNotice(null);
    try {
      await api.restore(tenantId, b.id);
      await afterRestore();
    } catch (e) {
      setNotice({ color: 'red', text: errorText(e, t) });
    } finally {
      setBusy(false);
    }
  };
  const restoreFile = async () => {
    setConfirmFile(false);
    if (!file) return;
    setBusy(true);
    setNotice(null);
    try {
      await api.restoreFile(tenantId, await file.text());
      await afterRestore();
      setFile(null);
      resetRef.current?.();
    } catch (e) {
      setNotice({ color: 'red', text: errorText(e, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('maintenance.title')} />
      {notice && (
        <Alert color={notice.color} mb="md" role="status" data-testid="maintenance-notice">
          <Group justify="space-between">
            <Text size="sm">{notice.text}</Text>
            {restored && notice.color === 'teal' && <DeployAllButton tenantId={tenantId} />}
          </Group>
        </Alert>
      )}
      <Paper withBorder p="lg" mb="lg">
        <Group justify="space-between" mb="sm">
          <Stack gap={2}>
            <Title order={3} size="h4">{t('maintenance.backups')}</Title>
            <Text size="xs" c="dimmed">{t('maintenance.generations')}</Text>
          </Stack>
          {canEdit && <Button onClick={() => void create()} loading={busy}>{t('maintenance.createNow')}</Button>}
        </Group>
        <Table striped data-testid="backups-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('maintenance.createdAt')}</Table.Th>
              <Table.Th>{t('accounts.accountId')}</Table.Th>
              <Table.Th>{t('maintenance.size')}</Table.Th>
              <Table.Th>{t('common.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.data ?? []).map((b, i) => (
              <Table.Tr key={b.id}>
                <Table.Td>{fmtTime(iso(b.createdAt), lang)} {i === 0 && <Badge size="xs" variant="light" ml={4}>latest</Badge>}</Table.Td>
                <Table.Td>{b.createdBy}</Table.Td>
                <Table.Td>{(b.sizeBytes / 1024).toFixed(1)} KB</Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button component="a" href={api.downloadUrl(tenantId, b.id)} download size="compact-sm" variant="light">{t('common.download')}</Button>
                    {canEdit && <Button size="compact-sm" variant="outline" onClick={() => setConfirm(b)}>{t('maintenance.restore')}</Button>}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
            {q.data?.length === 0 && <Table.Tr><Table.Td colSpan={4}><Text size="sm" c="dimmed">{t('maintenance.noBackups')}</Text></Table.Td></Table.Tr>}
          </Table.Tbody>
        </Table>
        {q.isError && <Alert color="red" mt="sm">{errorText(q.error, t)}</Alert>}
      </Paper>
      {canEdit && (
        <Paper withBorder p="lg">
          <Title order={3} size="h4" mb={4}>{t('maintenance.restoreTitle')}</Title>
          <Text size="sm" c="dimmed" mb="sm">{t('maintenance.restoreFileLead')}</Text>
          <Group>
            <FileButton onChange={setFile} accept=".ce,application/json" resetRef={resetRef}>
              {(props) => <Button variant="default" {...props}>{t('common.browse')}</Button>}
            </FileButton>
            <Text size="sm" data-testid="restore-file-name">{file?.name ?? t('maintenance.noFile')}</Text>
            <Button disabled={!file} onClick={() => setConfirmFile(true)} loading={busy}>{t('maintenance.restore')}</Button>
          </Group>
        </Paper>
      )}
      <ConfirmDialog opened={confirm !== null} message={t('maintenance.restoreConfirm', { date: confirm ? fmtTime(iso(confirm.createdAt), lang) : '' })} onCancel={() => setConfirm(null)} onConfirm={() => confirm && void restore(confirm)} />
      <ConfirmDialog opened={confirmFile} message={t('maintenance.restoreConfirm', { date: file?.name ?? '' })} onCancel={() => setConfirmFile(false)} onConfirm={() => void restoreFile()} />
    </>
  );
}
