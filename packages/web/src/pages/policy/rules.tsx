import { useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Group, Paper, Table, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Policy, PolicyRule } from '@mamori/policy';
import { ConfirmDialog, PageHeader, useTenantId } from '../../components/common.js';
import { DeployAllButton } from '../../components/deploy.js';
import { usePolicyDraft } from '../../components/policy-draft.js';
import { contentNames, useCatalog, type FullCatalog } from '../../components/catalog.js';
import { errorText } from '../../components/problems.js';
import { useCanEdit } from '../../components/session.js';
import { RuleEditor } from './rule-editor.js';

function StatusDot({ on, label }: { on: boolean; label: string }) {
  return (
    <Tooltip label={label}>
      <span role="img" aria-label={label} style={{ display: 'inline-block', width: 12, height: 12, borderRadius: 6, background: on ? '#12b886' : '#adb5bd' }} />
    </Tooltip>
  );
}

function summary(rule: PolicyRule, policy: Policy, catalog: FullCatalog | undefined, t: (k: string, o?: Record<string, unknown>) => string) {
  const names = (ids: string[], list: Array<{ id: string; name: string }>) => ids.map((i) => list.find((x) => x.id === i)?.name ?? i);
  const src = rule.source.type === 'any' ? t('rules.summaryAny') : [...names(rule.source.addresses, policy.objects.addresses), ...names(rule.source.users, policy.objects.users), ...names(rule.source.groups, policy.objects.userGroups), ...names(rule.source.macs, policy.objects.macs)].join(', ');
  const dst = rule.destination.type === 'any' ? t('rules.summaryAny') : rule.destination.type === 'addresses' ? names(rule.destination.addresses, policy.objects.addresses).join(', ') : rule.destination.countries.join(', ');
  const svc = rule.service.type === 'any' ? t('rules.summaryAny') : names(rule.service.services, policy.objects.services).join(', ');
  const c = rule.content;
  const all = c.type === 'any' ? [] : [...contentNames(c, catalog), ...names(c.customCategories, policy.objects.customCategories)];
  const content = c.type === 'any' ? t('rules.summaryAny') : all.slice(0, 4).join(', ') + (all.length > 4 ? ' …' : '');
  return { src, dst, svc, content };
}

/** §6-1/6-2/6-3 ポリシールール: applied top-down; enabled/disabled; reorder; edit; 追加. */
export function RulesPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const canEdit = useCanEdit();
  const draft = usePolicyDraft(tenantId);
  const catalog = useCatalog();
  const [editing, setEditing] = useState<PolicyRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<PolicyRule | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const policy = draft.policy;

  const move = async (from: number, to: number) => {
    if (to < 0 || !policy || to >= policy.rules.length || from === to) return;
    setError(null);
    try {
      await draft.save((p) => {
        const [r] = p.rules.splice(from, 1);
        p.rules.splice(to, 0, r!);
      });
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  const remove = async (rule: PolicyRule) => {
    setDeleting(null);
    try {
      await draft.save((p) => {
        p.rules = p.rules.filter((r) => r.id !== rule.id);
      });
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  return (
    <>
      <PageHeader title={t('rules.title')} lead={t('rules.lead')}>
        {canEdit && <Button onClick={() => setEditing('new')}>{t('common.add')}</Button>}
      </PageHeader>
      {draft.query.isError && <Alert color="red">{errorText(draft.query.error, t)}</Alert>}
      {error && <Alert color="red" mb="sm">{error}</Alert>}
      <Group gap="lg" mb="xs">
        <Group gap={6}><StatusDot on label={t('rules.activeLegend')} /><Text size="xs">{t('rules.activeLegend')}</Text></Group>
        <Group gap={6}><StatusDot on={false} label={t('rules.inactiveLegend')} /><Text size="xs">{t('rules.inactiveLegend')}</Text></Group>
      </Group>
      {policy && (
        <Paper withBorder>
          <Table highlightOnHover verticalSpacing="xs" data-testid="rules-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={60}>{t('rules.order')}</Table.Th>
                <Table.Th w={30} />
                <Table.Th>{t('rules.name')}</Table.Th>
                <Table.Th>{t('rules.gatewayGroups')}</Table.Th>
                <Table.Th>{t('rules.source')}</Table.Th>
                <Table.Th>{t('rules.destination')}</Table.Th>
                <Table.Th>{t('rules.service')}</Table.Th>
                <Table.Th>{t('rules.content')}</Table.Th>
                <Table.Th>{t('rules.action')}</Table.Th>
                {canEdit && <Table.Th w={150} />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {policy.rules.map((r, i) => {
                const s = summary(r, policy, catalog.data, t);
                return (
                  <Table.Tr
                    key={r.id}
                    className={r.enabled ? '' : 'mamori-rule-disabled'}
                    data-testid={`rule-row-${r.id}`}
                    draggable={canEdit}
                    onDragStart={() => setDragFrom(i)}
                    onDragOver={(e) => e.preventDefault()}
                    onDrop={() => {
                      if (dragFrom !== null) void move(dragFrom, i);
                      setDragFrom(null);
                    }}
                    style={{ cursor: canEdit ? 'grab' : undefined }}
                  >
                    <Table.Td>{i + 1}</Table.Td>
                    <Table.Td><StatusDot on={r.enabled} label={r.enabled ? t('rules.activeLegend') : t('rules.inactiveLegend')} /></Table.Td>
                    <Table.Td>
                      <Text component="button" type="button" onClick={() => setEditing(r)} fw={600} size="sm" c="teal.8" style={{ background: 'none', border: 0, padding: 0, cursor: 'pointer', textAlign: 'left' }}>
                        {r.name}
                      </Text>
                    </Table.Td>
                    <Table.Td><Text size="sm">{r.gatewayGroups.length ? r.gatewayGroups.map((g) => policy.gatewayGroups.find((x) => x.id === g)?.name ?? g).join(', ') : t('rules.allGroups')}</Text></Table.Td>
                    <Table.Td><Text size="sm">{s.src}</Text></Table.Td>
                    <Table.Td><Text size="sm">{s.dst}</Text></Table.Td>
                    <Table.Td><Text size="sm">{s.svc}</Text></Table.Td>
                    <Table.Td><Text size="sm">{s.content}</Text></Table.Td>
                    <Table.Td><Badge color={r.action === 'block' ? 'red' : 'teal'} variant="light">{t(r.action === 'block' ? 'common.block' : 'common.allow')}</Badge></Table.Td>
                    {canEdit && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          <ActionIcon variant="subtle" aria-label={`${t('common.moveUp')} ${r.name}`} disabled={i === 0} onClick={() => void move(i, i - 1)}>↑</ActionIcon>
                          <ActionIcon variant="subtle" aria-label={`${t('common.moveDown')} ${r.name}`} disabled={i === policy.rules.length - 1} onClick={() => void move(i, i + 1)}>↓</ActionIcon>
                          <Button size="compact-xs" variant="light" onClick={() => setEditing(r)}>{t('common.edit')}</Button>
                          <ActionIcon variant="subtle" color="red" aria-label={`${t('common.delete')} ${r.name}`} onClick={() => setDeleting(r)}>×</ActionIcon>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <Group justify="flex-end" mt="md">
        <DeployAllButton tenantId={tenantId} />
      </Group>
      {editing && policy && <RuleEditor tenantId={tenantId} policy={policy} rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog opened={deleting !== null} danger message={t('common.confirmDelete', { name: deleting?.name ?? '' })} onCancel={() => setDeleting(null)} onConfirm={() => deleting && void remove(deleting)} />
    </>
  );
}
