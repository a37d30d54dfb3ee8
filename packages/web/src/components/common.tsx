import type { ReactNode } from 'react';
import { Alert, Button, Group, Modal, Radio, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';

export function useTenantId(): string {
  const { tenantId } = useParams();
  if (!tenantId) throw new Error('no tenant in route');
  return tenantId;
}

export function PageHeader({ title, children, lead }: { title: string; children?: ReactNode; lead?: string }) {
  return (
    <Stack gap={4} mb="md">
      <Group justify="space-between" align="center">
        <Title order={2} size="h3">
          {title}
        </Title>
        <Group gap="xs">{children}</Group>
      </Group>
      {lead && (
        <Text size="sm" c="dimmed">
          {lead}
        </Text>
      )}
    </Stack>
  );
}

/** The manual's オン/オフ radio pair. */
export function OnOff({ label, value, onChange, disabled, description, name }: { label: string; value: boolean; onChange: (v: boolean) => void; disabled?: boolean; description?: string; name?: string }) {
  const { t } = useTranslation();
  return (
    <Radio.Group label={label} description={description} value={value ? 'on' : 'off'} onChange={(v) => onChange(v === 'on')} name={name} data-testid={name ? `onoff-${name}` : undefined}>
      <Group mt={4}>
        <Radio value="on" label={t('common.on')} disabled={disabled} />
        <Radio value="off" label={t('common.off')} disabled={disabled} />
      </Group>
    </Radio.Group>
  );
}

export function ConfirmDialog({ opened, message, onConfirm, onCancel, danger }: { opened: boolean; message: string; onConfirm: () => void; onCancel: () => void; danger?: boolean }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onCancel} title={t('common.confirmTitle')} centered>
      <Text size="sm">{message}</Text>
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
        <Button color={danger ? 'red' : undefined} onClick={onConfirm}>
          {t('common.ok')}
        </Button>
      </Group>
    </Modal>
  );
}

export function ErrorAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <Alert color="red" mb="sm" role="alert">
      {message}
    </Alert>
  );
}

export function fmtTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'en' ? 'en-GB' : 'ja-JP', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}
