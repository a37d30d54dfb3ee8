import { useEffect, useMemo, useState } from 'react';
import { ActionIcon, Alert, Button, Card, Group, Menu, SegmentedControl, SimpleGrid, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { EChartsCoreOption } from 'echarts/core';
import { analytics, gateways as gwApi } from '../api/endpoints.js';
import type { Gateway, WidgetSeries } from '../api/types.js';
import { Chart } from '../components/chart.js';
import { PageHeader, useTenantId } from '../components/common.js';
import { useSession } from '../components/session.js';

export const WIDGETS = ['top-applications', 'top-blocked-categories', 'top-blocked-sites', 'threats-over-time', 'top-users', 'cnc-hosts', 'gateway-status', 'deployments'] as const;
export type WidgetId = (typeof WIDGETS)[number];
const DEFAULT_LAYOUT: WidgetId[] = ['gateway-status', 'top-applications', 'threats-over-time', 'top-blocked-categories'];
const COLORS = ['#0f8c72', '#2bb59a', '#4dabf7', '#fab005', '#fa5252', '#845ef7', '#20c997', '#ff922b'];

function barOption(items: Array<{ label: string; value: number }>): EChartsCoreOption {
  const rows = [...items].reverse();
  return {
    color: COLORS,
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [{ type: 'bar', data: rows.map((r) => r.value), itemStyle: { borderRadius: [0, 3, 3, 0] } }],
  };
}
function pieOption(items: Array<{ label: string; value: number }>): EChartsCoreOption {
  return {
    color: COLORS,
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['40%', '70%'], center: ['50%', '45%'], data: items.map((i) => ({ name: i.label, value: i.value })), label: { show: false } }],
  };
}
function lineOption(series: NonNullable<WidgetSeries['series']>): EChartsCoreOption {
  return {
    color: COLORS,
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
    xAxis: { type: 'time' },
    yAxis: { type: 'value' },
    series: series.map((s) => ({ type: 'line', name: s.name, smooth: true, showSymbol: false, areaStyle: { opacity: 0.08 }, data: s.points })),
  };
}

/** Widgets computed from the gateway list (console API); the others come from the analytics API. */
function gatewayWidget(id: WidgetId, list: Gateway[], t: (k: string) => string): WidgetSeries | null {
  if (id === 'gateway-status') {
    const online = list.filter((g) => g.status === 'online').length;
    return { items: [{ label: t('gateways.online'), value: online }, { label: t('gateways.offline'), value: list.length - online }] };
  }
  if (id === 'deployments') {
    const c = { succeeded: 0, failed: 0, pending: 0 };
    for (const g of list) if (g.lastDeployment) c[g.lastDeployment.state]++;
    return { items: [{ label: t('gateways.deploySucceeded'), value: c.succeeded }, { label: t('gateways.deployFailed'), value: c.failed }, { label: t('gateways.deployPending'), value: c.pending }] };
  }
  return null;
}

function Widget({ tenantId, id, range, onRemove, onLeft, onRight, first, last }: { tenantId: string; id: WidgetId; range: string; onRemove: () => void; onLeft: () => void; onRight: () => void; first: boolean; last: boolean }) {
  const { t } = useTranslation();
  const fromGateways = id === 'gateway-status' || id === 'deployments';
  const gws = useQuery({ queryKey: ['gateways', tenantId], queryFn: () => gwApi.list(tenantId), enabled: fromGateways });
  const q = useQuery({ queryKey: ['widget', tenantId, id, range], queryFn: () => analytics.widget(tenantId, id, range), enabled: !fromGateways });
  const data = fromGateways ? (gws.data ? gatewayWidget(id, gws.data, t) : null) : (q.data ?? null);
  const failed = fromGateways ? gws.isError : q.isError;
  const option = useMemo(() => {
    if (!data) return null;
    if (data.series) return lineOption(data.series);
    const items = data.items ?? [];
    return id === 'gateway-status' || id === 'deployments' || id === 'top-blocked-categories' ? pieOption(items) : barOption(items);
  }, [data, id]);
  const title = t(`dashboard.widgets.${id}`);
  return (
    <Card withBorder shadow="xs" className="mamori-widget" data-testid={`widget-${id}`}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Text fw={600} size="sm">{title}</Text>
        <Group gap={2} wrap="nowrap">
          <Tooltip label={t('dashboard.left')}><ActionIcon variant="subtle" size="sm" disabled={first} onClick={onLeft} aria-label={`${t('dashboard.left')} ${title}`}>←</ActionIcon></Tooltip>
          <Tooltip label={t('dashboard.right')}><ActionIcon variant="subtle" size="sm" disabled={last} onClick={onRight} aria-label={`${t('dashboard.right')} ${title}`}>→</ActionIcon></Tooltip>
          <Tooltip label={t('dashboard.remove')}><ActionIcon variant="subtle" size="sm" color="red" onClick={onRemove} aria-label={`${t('dashboard.remove')} ${title}`}>×</ActionIcon></Tooltip>
        </Group>
      </Group>
      {failed && <Text size="sm" c="dimmed">{t('dashboard.noWidgetApi')}</Text>}
      {option && <Chart option={option} label={title} />}
      {data && !data.series && (data.items ?? []).length === 0 && <Text size="sm" c="dimmed">{t('common.noData')}</Text>}
    </Card>
  );
}

const storageKey = (account: string, tenant: string) => `mamori.dashboard.${account}.${tenant}`;

/** §4 ダッシュボード: chart widgets each user adds, removes and arranges; the layout is kept. */
export function DashboardPage() {
  const { t } = useTranslation();
  const tenantId = useTenantId();
  const session = useSession();
  const [range, setRange] = useState('24h');
  const server = useQuery({ queryKey: ['layout', tenantId], queryFn: () => analytics.layout(tenantId) });
  const [layout, setLayout] = useState<WidgetId[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (layout !== null || server.isPending) return;
    const fromServer = server.data?.widgets.filter((w): w is WidgetId => (WIDGETS as readonly string[]).includes(w));
    if (fromServer) return setLayout(fromServer);
    const local = localStorage.getItem(storageKey(session.account.id, tenantId));
    setLayout(local ? (JSON.parse(local) as WidgetId[]).filter((w) => (WIDGETS as readonly string[]).includes(w)) : DEFAULT_LAYOUT);
  }, [server.isPending, server.data, layout, session.account.id, tenantId]);
  const persist = (next: WidgetId[]) => {
    setLayout(next);
    localStorage.setItem(storageKey(session.account.id, tenantId), JSON.stringify(next));
    analytics.saveLayout(tenantId, next).then(() => setSaved(true), () => setSaved(true));
  };
  const swap = (i: number, j: number) => {
    if (!layout) return;
    const n = [...layout];
    [n[i], n[j]] = [n[j]!, n[i]!];
    persist(n);
  };
  const available = WIDGETS.filter((w) => !layout?.includes(w));
  return (
    <>
      <PageHeader title={t('dashboard.title')}>
        <SegmentedControl size="xs" value={range} onChange={setRange} aria-label={t('dashboard.range')}
          data={[{ value: '1h', label: t('dashboard.range1h') }, { value: '24h', label: t('dashboard.range24h') }, { value: '7d', label: t('dashboard.range7d') }, { value: '30d', label: t('dashboard.range30d') }]} />
        <Menu position="bottom-end">
          <Menu.Target><Button disabled={available.length === 0}>{t('dashboard.addWidget')}</Button></Menu.Target>
          <Menu.Dropdown>
            {available.map((w) => <Menu.Item key={w} onClick={() => persist([...(layout ?? []), w])}>{t(`dashboard.widgets.${w}`)}</Menu.Item>)}
          </Menu.Dropdown>
        </Menu>
      </PageHeader>
      {saved && <Text size="xs" c="dimmed" mb="xs" role="status">{t('dashboard.layoutSaved')}</Text>}
      {layout?.length === 0 && <Alert color="gray">{t('dashboard.empty')}</Alert>}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        {(layout ?? []).map((w, i) => (
          <Widget key={w} tenantId={tenantId} id={w} range={range} first={i === 0} last={i === (layout?.length ?? 0) - 1}
            onRemove={() => persist((layout ?? []).filter((x) => x !== w))} onLeft={() => swap(i, i - 1)} onRight={() => swap(i, i + 1)} />
        ))}
      </SimpleGrid>
    </>
  );
}
