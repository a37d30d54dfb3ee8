import { useEffect, useState } from 'react';
import { Alert, Button, Group, List, Loader, Modal, Progress, Text, ThemeIcon } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { policy as policyApi } from '../api/endpoints.js';
import type { Deployment } from '../api/types.js';
import { draftKey } from './policy-draft.js';
import { errorText } from './problems.js';
import { useCanEdit } from './session.js';

export function CheckIcon() {
  return (
    <ThemeIcon color="teal" radius="xl" size="sm" aria-label="done">
      <svg width="12" height="12" viewBox="0 0 24 24"><path d="M5 12l5 5 9-10" stroke="currentColor" strokeWidth="3" fill="none" /></svg>
    </ThemeIcon>
  );
}
function CrossIcon() {
  return (
    <ThemeIcon color="red" radius="xl" size="sm" aria-label="failed">
      <svg width="12" height="12" viewBox="0 0 24 24"><path d="M6 6l12 12M18 6 6 18" stroke="currentColor" strokeWidth="3" /></svg>
    </ThemeIcon>
  );
}

/** The pending-changes banner of the manual (§6-3 ⑪) with the すべて配信 button. */
export function DeployBanner({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: draftKey(tenantId), queryFn: () => policyApi.draft(tenantId) });
  const canEdit = useCanEdit();
  const [open, setOpen] = useState(false);
  if (!q.data?.differs && !open) return null;
  return (
    <>
      {q.data?.differs && (
        <Alert color="yellow" radius={0} py={8} data-testid="deploy-banner">
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm">{t('deploy.pending')}</Text>
            {canEdit && (
              <Button size="xs" color="orange" onClick={() => setOpen(true)}>
                {t('deploy.deployAll')}
              </Button>
            )}
          </Group>
        </Alert>
      )}
      {open && <DeployModal tenantId={tenantId} onClose={() => setOpen(false)} />}
    </>
  );
}

/** Deploy all: create a version, then follow each gateway until it succeeds or fails. */
export function DeployModal({ tenantId, onClose }: { tenantId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [dep, setDep] = useState<Deployment | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    (async () => {
      try {
        let d = await policyApi.deploy(tenantId);
        if (stop) return;
        setDep(d);
        void qc.invalidateQueries({ queryKey: draftKey(tenantId) });
        while (!stop && d.gateways.some((g) => g.state === 'pending')) {
          await new Promise((r) => setTimeout(r, 700));
          d = await policyApi.deployment(tenantId, d.version);
          if (!stop) setDep(d);
        }
        void qc.invalidateQueries({ queryKey: ['gateways', tenantId] });
      } catch (e) {
        if (!stop) setError(errorText(e, t));
      }
    })();
    return () => {
      stop = true;
    };
  }, [tenantId, qc, t]);
  const total = dep?.gateways.length ?? 0;
  const done = dep?.gateways.filter((g) => g.state !== 'pending').length ?? 0;
  const finished = dep !== null && done === total;
  return (
    <Modal opened onClose={onClose} title={t('deploy.title')} centered>
      {error && <Alert color="red">{error}</Alert>}
      {!dep && !error && (
        <Group>
          <Loader size="sm" />
          <Text>{t('common.working')}</Text>
        </Group>
      )}
      {dep && (
        <>
          <Text size="sm" c="dimmed" mb="xs">
            {t('deploy.version', { version: dep.version })}
          </Text>
          {total === 0 ? (
            <Alert color="blue" data-testid="deploy-result">{t('deploy.noGateways', { version: dep.version })}</Alert>
          ) : (
            <>
              <Progress value={total ? (done / total) * 100 : 100} animated={!finished} mb="sm" aria-label={t('deploy.progress', { done, total })} />
              <Text size="sm" mb="sm">{finished ? '' : t('deploy.progress', { done, total })}</Text>
              <List spacing="xs" listStyleType="none">
                {dep.gateways.map((g) => (
                  <List.Item key={g.gatewayId} data-testid={`deploy-gw-${g.gatewayId}`}
                    icon={g.state === 'succeeded' ? <CheckIcon /> : g.state === 'failed' ? <CrossIcon /> : <Loader size={18} />}>
                    <Text size="sm">
                      {g.name} — {t(g.state === 'succeeded' ? 'gateways.deploySucceeded' : g.state === 'failed' ? 'gateways.deployFailed' : 'gateways.deployPending')}
                      {g.error ? `: ${g.error}` : ''}
                    </Text>
                  </List.Item>
                ))}
              </List>
              {finished && (
                <Alert mt="md" color={dep.gateways.some((g) => g.state === 'failed') ? 'red' : 'teal'} data-testid="deploy-result">
                  {dep.gateways.some((g) => g.state === 'failed') ? t('deploy.failed') : t('deploy.done')}
                </Alert>
              )}
            </>
          )}
        </>
      )}
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onClose}>
          {t('common.close')}
        </Button>
      </Group>
    </Modal>
  );
}

/** A stand-alone すべて配信 button (the manual shows it at the bottom of the policy pages). */
export function DeployAllButton({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const canEdit = useCanEdit();
  const [open, setOpen] = useState(false);
  if (!canEdit) return null;
  return (
    <>
      <Button color="orange" onClick={() => setOpen(true)}>
        {t('deploy.deployAll')}
      </Button>
      {open && <DeployModal tenantId={tenantId} onClose={() => setOpen(false)} />}
    </>
  );
}
