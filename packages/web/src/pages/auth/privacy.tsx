import { useState } from 'react';
import { Alert, Button, Group, ScrollArea, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { auth, PRIVACY_VERSION_FALLBACK } from '../../api/endpoints.js';
import { useSession } from '../../components/session.js';
import { errorText } from '../../components/problems.js';
import { AuthCard } from './auth-card.js';

/** Shown once, at the first sign-in (manual §3 ③ note). */
export function PrivacyPage() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const accept = async () => {
    try {
      await auth.acceptPrivacy(session.privacyNoticeVersion || PRIVACY_VERSION_FALLBACK);
      await qc.invalidateQueries({ queryKey: ['session'] });
      const next = params.get('next');
      nav(next && next.startsWith('/') && next !== '/privacy' ? next : '/portal', { replace: true });
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <AuthCard title={t('auth.privacyTitle')} width={560}>
      {error && <Alert color="red" mb="sm">{error}</Alert>}
      <ScrollArea h={200} type="auto">
        <Text size="sm" style={{ lineHeight: 1.8 }}>{t('auth.privacyBody')}</Text>
      </ScrollArea>
      <Group justify="flex-end" mt="lg">
        <Button onClick={() => void accept()}>{t('auth.privacyAccept')}</Button>
      </Group>
    </AuthCard>
  );
}
