import { Alert, Badge, Paper, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { analytics } from '../../api/endpoints.js';
import { fmtTime, PageHeader, useTenantId } from '../../components/common.js';
import { currentLang } from '../../i18n/index.js';

const COLOR = { pending: 'blue', safe: 'teal', malicious: 'red', timeout: 'gray' } as const;

/** §10 クラウドサンドボックス: attachments sent to the virtual analyzer and their verdicts. */
export function SandboxPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const lang = currentLang();
  const q = useQuery({ queryKey: ['sandbox', tenantId], queryFn: () => analytics.sandbox(tenantId), refetchInterval: 15_000 });
  return (
    <>
      <PageHeader title={t('sandbox.title')} lead={t('sandbox.lead')} />
      {q.isError && <Alert color="gray" mb="md">{t('common.notAvailable')}</Alert>}
      <Paper withBorder>
        <Table striped data-testid="sandbox-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('sandbox.submitted')}</Table.Th>
              <Table.Th>{t('sandbox.subject')}</Table.Th>
              <Table.Th>{t('sandbox.sender')}</Table.Th>
              <Table.Th>{t('sandbox.recipient')}</Table.Th>
              <Table.Th>{t('sandbox.attachment')}</Table.Th>
              <Table.Th>{t('sandbox.verdict')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.data ?? []).map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{fmtTime(new Date(s.submittedAt).toISOString(), lang)}</Table.Td>
                <Table.Td>{s.subject}</Table.Td>
                <Table.Td>{s.sender}</Table.Td>
                <Table.Td>{s.recipient}</Table.Td>
                <Table.Td ff="monospace" fz="xs">{s.attachment}</Table.Td>
                <Table.Td><Badge color={COLOR[s.verdict]} variant="light">{t(`sandbox.verdicts.${s.verdict}`)}</Badge></Table.Td>
              </Table.Tr>
            ))}
            {(q.data ?? []).length === 0 && <Table.Tr><Table.Td colSpan={6}><Text size="sm" c="dimmed">{t('sandbox.none')}</Text></Table.Td></Table.Tr>}
          </Table.Tbody>
        </Table>
      </Paper>
    </>
  );
}
