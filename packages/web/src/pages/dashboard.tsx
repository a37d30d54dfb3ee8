import { useEffect, useMemo, useState } from 'react';
import { ActionIcon, Alert, Button, Card, Group, Menu, ScrollArea, SegmentedControl, SimpleGrid, Table, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { EChartsCoreOption } from 'echarts/core';
import { analytics } from '../api/endpoints.js';
import type { LayoutItem, WidgetData, WidgetInfo } from '../api/types.js';
import { Chart } from '../components/chart.js';
import { PageHeader, useTenantId } from '../components/common.js';
import { errorText } from '../components/problems.js';
import { currentLang } from '../i18n/index.js';

const COLORS = ['#0f8c72', '#2bb59a', '#4dabf7', '#fab005', '#fa5252', '#845ef7', '#20c997', '#ff922b'];
const PIE = new Set(['top-blocked-categories', 'threat-summary']);

function fmtValue(v: number, unit: string): string {
  if (unit !== 'bytes') return v.toLocaleString();
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < u.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(i ? 1 : 0)} ${u[i]}`;
}

function optionFor(id: string, d: WidgetData): EChartsCoreOption | null {
  if (d.kind === 'bar') {
    if (PIE.has(id)) {
      return {
        color: COLORS,
        tooltip: { trigger: 'item' },
        legend: { bottom: 0, type: 'scroll' },
        series: [{ type: 'pie', radius: ['40%', '70%'], center: ['50%', '45%'], data: d.items.map((i) => ({ name: i.label ?? i.key, value: i.value })), label: { show: false } }],
      };
    }
    const rows = [...d.items].reverse();
    return {
      color: COLORS,
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmtValue(v, d.unit) },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmtValue(v, d.unit) } },
      yAxis: { type: 'category', data: rows.map((r) => r.label ?? r.key), axisLabel: { width: 140, overflow: 'truncate' } },
      series: [{ type: 'bar', data: rows.map((r) => r.value), itemStyle: { borderRadius: [0, 3, 3, 0] } }],
    };
  }
  if (d.kind === 'series') {
    return {
      color: COLORS,
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
      xAxis: { type: 'time' },
      yAxis: { type: 'value' },
      series: d.series.map((s) => ({ type: 'line', name: s.key, smooth: true, showSymbol: false, areaStyle: { opacity: 0.08 }, data: s.values.map((v, i) => [d.buckets[i], v]) })),
    };
  }
  return null;
}

/** What the chart shows, in words: the chart's accessible name (screen readers cannot read a canvas). */
function summary(d: WidgetData): string {
  if (d.kind === 'bar') return d.items.slice(0, 5).map((i) => `${i.label ?? i.key} ${fmtValue(i.value, d.unit)}`).join(', ');
  if (d.kind === 'series') return d.series.map((s) => `${s.key} ${s.values.reduce((a, b) => a + b, 0).toLocaleString()}`).join(', ');
  return '';
}

function Widget({ tenantId, info, hours, onRemove, onLeft, onRight, first, last }: { tenantId: string; info: WidgetInfo; hours: number; onRemove: () => void; onLeft: () => void; onRight: () => void; first: boolean; last: boolean }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['widget', tenantId, info.id, hours], queryFn: () => analytics.widget(tenantId, info.id, hours), refetchInterval: 60_000 });
  const data = q.data?.data;
  const option = useMemo(() => (data ? optionFor(info.id, data) : null), [data, info.id]);
  const title = info.title[currentLang()];
  const empty = data && ((data.kind === 'bar' && data.items.length === 0) || (data.kind === 'series' && data.series.length === 0) || (data.kind === 'table' && data.rows.length === 0));
  return (
    <Card withBorder shadow="xs" className="mamori-widget" data-testid={`widget-${info.id}`}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Text fw={600} size="sm">{title}</Text>
        <Group gap={2} wrap="nowrap">
          <Tooltip label={t('dashboard.left')}><ActionIcon variant="subtle" size="sm" disabled={first} onClick={onLeft} aria-label={`${t('dashboard.left')} ${title}`}>←</ActionIcon></Tooltip>
          <Tooltip label={t('dashboard.right')}><ActionIcon variant="subtle" size="sm" disabled={last} onClick={onRight} aria-label={`${t('dashboard.right')} ${title}`}>→</ActionIcon></Tooltip>
          <Tooltip label={t('dashboard.remove')}><ActionIcon variant="subtle" size="sm" color="red" onClick={onRemove} aria-label={`${t('dashboard.remove')} ${title}`}>×</ActionIcon></Tooltip>
        </Group>
      </Group>
      {q.isError && <Text size="sm" c="dimmed">{errorText(q.error, t)}</Text>}
      {empty && <Text size="sm" c="dimmed">{t('common.noData')}</Text>}
      {option && !empty && data && <Chart option={option} label={`${title}: ${summary(data)}`} />}
      {data?.kind === 'table' && !empty && (
        <ScrollArea h={260}>
          <Table striped fz="xs">
            <Table.Thead><Table.Tr>{data.columns.map((c) => <Table.Th key={c}>{c}</Table.Th>)}</Table.Tr></Table.Thead>
            <Table.Tbody>{data.rows.map((r, i) => <Table.Tr key={i}>{data.columns.map((c) => <Table.Td key={c}>{String(r[c] ?? '')}</Table.Td>)}</Table.Tr>)}</Table.Tbody>
          </Table>
        </ScrollArea>
      )}
    </Card>
  );
}

const place = (ids: string[]): LayoutItem[] => ids.map((widget, i) => ({ widget, x: (i % 2) * 6, y: Math.floor(i / 2) * 4, w: 6, h: 4 }));
const order = (items: LayoutItem[]) => [...items].sort((a, b) => a.y - b.y || a.x - b.x).map((i) => i.widget);

/** §4 ダッシュボード: chart widgets each user adds, removes and arranges; the layout is kept per user. */
export function DashboardPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const tenantId = useTenantId();
  const [hours, setHours] = useState('24');
  const infos = useQuery({ queryKey: ['widgets'], queryFn: () => analytics.widgets(tenantId), staleTime: Infinity });
  const server = useQuery({ queryKey: ['layout', tenantId], queryFn: () => analytics.layout(tenantId) });
  const [layout, setLayout] = useState<string[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    if (layout === null && server.data) setLayout(order(server.data.widgets));
  }, [server.data, layout]);
  const persist = async (next: string[]) => {
    setLayout(next);
    try {
      await analytics.saveLayout(tenantId, place(next));
      setStatus(t('dashboard.layoutSaved'));
    } catch (e) {
      setStatus(errorText(e, t));
    }
  };
  const swap = (i: number, j: number) => {
    if (!layout) return;
    const n = [...layout];
    [n[i], n[j]] = [n[j]!, n[i]!];
    void persist(n);
  };
  const byId = new Map((infos.data ?? []).map((w) => [w.id, w]));
  const available = (infos.data ?? []).filter((w) => !layout?.includes(w.id));
  return (
    <>
      <PageHeader title={t('dashboard.title')}>
        <SegmentedControl size="xs" value={hours} onChange={setHours} aria-label={t('dashboard.range')}
          data={[{ value: '1', label: t('dashboard.range1h') }, { value: '24', label: t('dashboard.range24h') }, { value: '168', label: t('dashboard.range7d') }, { value: '720', label: t('dashboard.range30d') }]} />
        <Menu position="bottom-end">
          <Menu.Target><Button disabled={available.length === 0}>{t('dashboard.addWidget')}</Button></Menu.Target>
          <Menu.Dropdown>
            {available.map((w) => <Menu.Item key={w.id} onClick={() => void persist([...(layout ?? []), w.id])}>{w.title[lang]}</Menu.Item>)}
          </Menu.Dropdown>
        </Menu>
      </PageHeader>
      {(infos.isError || server.isError) && <Alert color="gray" mb="md">{t('dashboard.noWidgetApi')} ({errorText(infos.error ?? server.error, t)})</Alert>}
      {status && <Text size="xs" c="dimmed" mb="xs" role="status">{status}</Text>}
      {layout?.length === 0 && <Alert color="gray">{t('dashboard.empty')}</Alert>}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        {(layout ?? []).map((id, i) => {
          const info = byId.get(id);
          if (!info) return null;
          return <Widget key={id} tenantId={tenantId} info={info} hours={Number(hours)} first={i === 0} last={i === (layout?.length ?? 0) - 1}
            onRemove={() => void persist((layout ?? []).filter((x) => x !== id))} onLeft={() => swap(i, i - 1)} onRight={() => swap(i, i + 1)} />;
        })}
      </SimpleGrid>
    </>
  );
}
