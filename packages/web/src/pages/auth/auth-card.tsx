import type { ReactNode } from 'react';
import { Box, Group, Paper, Title } from '@mantine/core';
import { Logo } from '../../components/logo.js';
import { LanguageSwitch } from '../../components/shell.js';

export function AuthCard({ title, children, width = 420 }: { title: string; children: ReactNode; width?: number }) {
  return (
    <div className="mamori-auth-bg">
      <Box w={width} maw="100%">
        <Group justify="space-between" mb="md">
          <Logo size={28} />
          <LanguageSwitch dark />
        </Group>
        <Paper p="xl" radius="md" shadow="lg">
          <Title order={2} size="h3" mb="md">
            {title}
          </Title>
          {children}
        </Paper>
      </Box>
    </div>
  );
}
