import { useState } from 'react';
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { SetPasswordForm } from './set-password.js';
import { auth } from '../../api/endpoints.js';
import { errorText } from '../../components/problems.js';
import { AuthCard } from './auth-card.js';

/** Without a token: ask for the mail. With the mailed ?token=: set the new password. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  return params.get('token') ? <SetPasswordForm /> : <RequestReset />;
}

function RequestReset() {
  const { t } = useTranslation();
  const [accountId, setAccountId] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await auth.requestReset(accountId.trim());
      setSent(true);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title={t('auth.resetTitle')}>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">{t('auth.resetLead')}</Text>
          {sent && <Alert color="teal" role="status">{t('auth.resetSent')}</Alert>}
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <TextInput label={t('auth.accountName')} placeholder={t('auth.accountPlaceholder')} value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)} required name="accountId" />
          <Button type="submit" loading={busy}>{t('auth.submit')}</Button>
          <Anchor component={Link} to="/login" size="sm" ta="center">{t('auth.backToLogin')}</Anchor>
        </Stack>
      </form>
    </AuthCard>
  );
}
