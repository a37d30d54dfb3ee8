import { useState } from 'react';
import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { auth } from '../../api/endpoints.js';
import { ApiError, setCsrfToken } from '../../api/client.js';
import { errorText } from '../../components/problems.js';
import { AuthCard } from './auth-card.js';

export function LoginPage() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const [accountId, setAccountId] = useState(params.get('account') ?? '');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = params.get('set') === '1' ? t('auth.passwordSet') : null;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await auth.login(accountId.trim(), password, needTotp ? totp : undefined);
      setCsrfToken(s.csrfToken ?? null);
      qc.setQueryData(['session'], s);
      const next = params.get('next');
      nav(next && next.startsWith('/') ? next : '/portal', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && /totp/i.test(err.code)) setNeedTotp(true);
      setError(err instanceof ApiError && err.status === 401 && !err.localized ? t('auth.badCredentials') : errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title={t('auth.title')}>
      <form onSubmit={submit}>
        <Stack>
          {notice && <Alert color="teal">{notice}</Alert>}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label={t('auth.accountName')} placeholder={t('auth.accountPlaceholder')} value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)} required autoComplete="username" name="accountId" />
          <PasswordInput label={t('auth.password')} value={password} onChange={(e) => setPassword(e.currentTarget.value)} required autoComplete="current-password" name="password" />
          {needTotp && <TextInput label={t('auth.totp')} value={totp} onChange={(e) => setTotp(e.currentTarget.value)} autoComplete="one-time-code" name="totp" />}
          <Button type="submit" loading={busy} fullWidth>
            {t('auth.signIn')}
          </Button>
          <Anchor component={Link} to="/reset-password" size="sm" ta="center">
            {t('auth.forgot')}
          </Anchor>
        </Stack>
      </form>
    </AuthCard>
  );
}
