import { useState } from 'react';
import { Alert, Anchor, Badge, Button, FileButton, Group, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { certificates as api } from '../../api/endpoints.js';
import { ConfirmDialog, ErrorAlert, fmtTime, PageHeader, useTenantId } from '../../components/common.js';
import { errorText, useProblems } from '../../components/problems.js';
import { useCanEdit } from '../../components/session.js';
import { currentLang } from '../../i18n/index.js';

/** §6-7 証明書管理: エクスポート (CloudEdge.crt), 再生成, and import of a certificate + private key. */
export function CertificatesPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const canEdit = useCanEdit();
  const lang = currentLang();
  const q = useQuery({ queryKey: ['cert', tenantId], queryFn: () => api.info(tenantId) });
  const [confirm, setConfirm] = useState(false);
  const [notice, setNotice] = useState<{ color: string; text: string } | null>(null);
  const [cert, setCert] = useState('');
  const [key, setKey] = useState('');
  const pr = useProblems('');
  const [busy, setBusy] = useState(false);
  const regenerate = async () => {
    setConfirm(false);
    setBusy(true);
    try {
      await api.regenerate(tenantId);
      await q.refetch();
      setNotice({ color: 'teal', text: t('certs.regenerated') });
    } catch (e) {
      setNotice({ color: 'red', text: errorText(e, t) });
    } finally {
      setBusy(false);
    }
  };
  const importCert = async () => {
    pr.clear();
    const f: Record<string, string> = {};
    if (!cert.trim()) f['certificatePem'] = t('common.required');
    if (!key.trim()) f['privateKeyPem'] = t('common.required');
    if (Object.keys(f).length) return pr.setFields(f);
    setBusy(true);
    try {
      await api.import(tenantId, cert.trim(), key.trim());
      await q.refetch();
      setCert('');
      setKey('');
      setNotice({ color: 'teal', text: t('certs.imported') });
    } catch (e) {
      pr.take(e);
    } finally {
      setBusy(false);
    }
  };
  const readInto = (set: (s: string) => void) => async (f: File | null) => {
    if (f) set(await f.text());
  };
  const c = q.data;
  return (
    <>
      <PageHeader title={t('certs.title')} />
      {notice && <Alert color={notice.color} mb="md" role="status">{notice.text}</Alert>}
      <Paper withBorder p="lg" mb="lg">
        <Title order={3} size="h4" mb="xs">{t('certs.heading')}</Title>
        <Text size="sm" c="dimmed" mb="md">{t('certs.lead')}</Text>
        {q.isError && <Alert color="red">{errorText(q.error, t)}</Alert>}
        {c && (
          <Table withRowBorders={false} verticalSpacing={4} mb="md" data-testid="cert-info">
            <Table.Tbody>
              <Table.Tr><Table.Th w={220}>{t('certs.subject')}</Table.Th><Table.Td>{c.subject}</Table.Td></Table.Tr>
              <Table.Tr><Table.Th>{t('certs.issuer')}</Table.Th><Table.Td>{c.issuer}</Table.Td></Table.Tr>
              <Table.Tr><Table.Th>{t('certs.validFrom')}</Table.Th><Table.Td>{fmtTime(c.notBefore, lang)}</Table.Td></Table.Tr>
              <Table.Tr><Table.Th>{t('certs.validTo')}</Table.Th><Table.Td>{fmtTime(c.notAfter, lang)}</Table.Td></Table.Tr>
              <Table.Tr><Table.Th>{t('certs.fingerprint')}</Table.Th><Table.Td ff="monospace" fz="xs" data-testid="cert-fingerprint">{c.fingerprintSha256}</Table.Td></Table.Tr>
              <Table.Tr><Table.Th>{t('common.type')}</Table.Th><Table.Td><Badge variant="light">{c.source === 'imported' ? t('certs.custom') : t('certs.generated')}</Badge> {c.keyAlgorithm}</Table.Td></Table.Tr>
            </Table.Tbody>
          </Table>
        )}
        <Group>
          <Button component="a" href={api.pemUrl(tenantId)} download="Mamori.crt">{t('certs.export')}</Button>
          <Button component="a" href={api.derUrl(tenantId)} download="Mamori.cer" variant="light">{t('certs.exportDer')}</Button>
          {canEdit && <Button color="red" variant="outline" onClick={() => setConfirm(true)} loading={busy}>{t('certs.regenerate')}</Button>}
          <Anchor component={Link} to={`/tenants/${encodeURIComponent(tenantId)}/admin/certificates/install`} size="sm">{t('install.title')}</Anchor>
        </Group>
      </Paper>
      {canEdit && (
        <Paper withBorder p="lg">
          <Title order={3} size="h4" mb="sm">{t('certs.importTitle')}</Title>
          <ErrorAlert message={pr.general} />
          <Stack>
            <Group align="flex-end" wrap="nowrap">
              <Textarea style={{ flex: 1 }} label={t('certs.certificate')} placeholder="-----BEGIN CERTIFICATE-----" value={cert} onChange={(e) => setCert(e.currentTarget.value)} error={pr.err('certificatePem')} autosize minRows={3} maxRows={8} ff="monospace" name="cert-pem" />
              <FileButton onChange={(f) => void readInto(setCert)(f)} accept=".crt,.pem,.cer">{(p) => <Button variant="default" {...p}>{t('common.browse')}</Button>}</FileButton>
            </Group>
            <Group align="flex-end" wrap="nowrap">
              <Textarea style={{ flex: 1 }} label={t('certs.privateKey')} placeholder="-----BEGIN PRIVATE KEY-----" value={key} onChange={(e) => setKey(e.currentTarget.value)} error={pr.err('privateKeyPem')} autosize minRows={3} maxRows={8} ff="monospace" name="key-pem" />
              <FileButton onChange={(f) => void readInto(setKey)(f)} accept=".key,.pem">{(p) => <Button variant="default" {...p}>{t('common.browse')}</Button>}</FileButton>
            </Group>
            <Group justify="flex-end"><Button onClick={() => void importCert()} loading={busy}>{t('certs.import')}</Button></Group>
          </Stack>
        </Paper>
      )}
      <ConfirmDialog opened={confirm} danger message={t('certs.regenerateConfirm')} onCancel={() => setConfirm(false)} onConfirm={() => void regenerate()} />
    </>
  );
}
