import { Button, Group, List, Paper, Tabs, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { certificates as api } from '../../api/endpoints.js';
import { PageHeader, useTenantId } from '../../components/common.js';

const PLATFORMS = ['windows', 'firefox', 'thunderbird', 'android', 'ios', 'macos'] as const;

/** §6-8: the client-side steps to import the exported certificate, per platform. */
export function CertificateInstallPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  return (
    <>
      <PageHeader title={t('install.title')} lead={t('install.lead')}>
        <Button component="a" href={api.pemUrl(tenantId)} download="Mamori.crt">{t('certs.export')}</Button>
      </PageHeader>
      <Tabs defaultValue="windows" variant="pills">
        <Tabs.List mb="md">
          {PLATFORMS.map((p) => <Tabs.Tab key={p} value={p}>{t(`install.platforms.${p}`)}</Tabs.Tab>)}
        </Tabs.List>
        {PLATFORMS.map((p) => {
          const steps = t(`install.steps.${p}`, { returnObjects: true }) as unknown as string[];
          return (
            <Tabs.Panel key={p} value={p}>
              <Paper withBorder p="lg">
                <Text fw={700} mb="sm">{t(`install.platforms.${p}`)}</Text>
                <List type="ordered" spacing="sm">
                  {steps.map((s, i) => <List.Item key={i}><Text size="sm">{s}</Text></List.Item>)}
                </List>
              </Paper>
            </Tabs.Panel>
          );
        })}
      </Tabs>
      <Group mt="md" />
    </>
  );
}
