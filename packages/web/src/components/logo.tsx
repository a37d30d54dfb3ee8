import { Group, Text } from '@mantine/core';

export function Logo({ size = 22, dark = false }: { size?: number; dark?: boolean }) {
  return (
    <Group gap={8} wrap="nowrap">
      <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden>
        <path d="M16 2 4 7v8c0 7.5 5.1 13.4 12 15 6.9-1.6 12-7.5 12-15V7z" fill="#2bb59a" />
        <path d="M11 16l4 4 7-8" stroke="#fff" strokeWidth="2.6" fill="none" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <Text fw={700} size="lg" c={dark ? 'dark' : 'white'} style={{ letterSpacing: 0.5 }}>
        Mamori <Text span size="sm" fw={400} c={dark ? 'dimmed' : 'gray.4'}>守り</Text>
      </Text>
    </Group>
  );
}
