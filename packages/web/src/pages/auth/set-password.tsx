import { useState } from 'react';
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { auth } from '../../api/endpoints.js';
import { errorText, useProblems } from '../../components/problems.js';
import { AuthCard } from './auth-card.js';

const MIN = 10;

/** The page behind the mailed link (valid 7 days, single use): パスワードのリセット. */
export function SetPasswordPage() {
  return <SetPasswordForm />;
}

export function SetPasswordForm() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const info = useQuery({ queryKey: ['pwtoken', token], queryFn: () => auth.passwordLink(token), enabled: token !== '' });
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const pr = useProblems('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    pr.clear();
    if (pw.length < MIN) return pr.setFields({ password: t('auth.tooShort', { min: MIN }) });
    if (pw !== pw2) return pr.setFields({ confirm: t('auth.mismatch') });
    setBusy(true);
    try {
      await auth.setPassword(token, pw, pw2);
      nav(`/login?set=1&account=${encodeURIComponent(info.data?.accountId ?? '')}`, { replace: true });
    } catch (err) {
      pr.take(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title={t('auth.setTitle')}>
      {token === '' || info.isError ? (
        <Stack>
          <Alert color="red" role="alert">{info.error ? errorText(info.error, t) : t('auth.tokenMissing')}</Alert>
          <Anchor component={Link} to="/login">{t('auth.backToLogin')}</Anchor>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <Text size="sm">{t('auth.setLead')}</Text>
            {pr.general && <Alert color="red" role="alert">{pr.general}</Alert>}
            <TextInput label={t('auth.loginId')} value={info.data?.accountId ?? ''} readOnly data-testid="login-id" />
            <PasswordInput label={t('auth.newPassword')} value={pw} onChange={(e) => setPw(e.currentTarget.value)} error={pr.err('password')} autoComplete="new-password" name="password" required />
            <PasswordInput label={t('auth.confirmPassword')} value={pw2} onChange={(e) => setPw2(e.currentTarget.value)} error={pr.err('confirm')} autoComplete="new-password" name="confirm" required />
            <Button type="submit" loading={busy}>{t('auth.submit')}</Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}
