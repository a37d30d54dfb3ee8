import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { auth } from '../../api/endpoints.js';
import { useSession, useSignOut } from '../../components/session.js';
import { errorText } from '../../components/problems.js';
import { AuthCard } from './auth-card.js';

/** The service portal (manual §3 ③): the subscribed gateway model with コンソールを開く. */
export function PortalPage() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const session = useSession();
  const signOut = useSignOut();
  const q = useQuery({ queryKey: ['services'], queryFn: auth.services });
  return (
    <AuthCard title={t('portal.title')} width={640}>
      <Stack>
        <Text size="sm" c="dimmed">{t('portal.lead')}</Text>
        {q.isError && <Alert color="red">{errorText(q.error, t)}</Alert>}
        {q.data?.length === 0 && <Text>{t('portal.none')}</Text>}
        <SimpleGrid cols={1}>
          {q.data?.map((s) => (
            <Card key={s.tenantId} withBorder padding="md" data-testid={`service-${s.tenantId}`}>
              <Group justify="space-between">
                <div>
                  <Text fw={600}>{t('portal.gatewaySecurity')} — {t('portal.modelName', { model: s.model })}</Text>
                  <Text size="sm" c="dimmed">{s.tenantName}</Text>
                </div>
                <Group>
                  <Badge variant="light">{t('portal.model')}: {s.model}</Badge>
                  <Button onClick={() => nav(s.consolePath || `/tenants/${encodeURIComponent(s.tenantId)}/dashboard`)}>{t('portal.open')}</Button>
                </Group>
              </Group>
            </Card>
          ))}
        </SimpleGrid>
        <Group justify="space-between">
          {session.account.role === 'operator' ? (
            <Button variant="light" onClick={() => nav('/operator')}>{t('menu.operator')}</Button>
          ) : <span />}
          <Button variant="subtle" onClick={() => void signOut()}>{t('app.signOut')}</Button>
        </Group>
      </Stack>
    </AuthCard>
  );
}
