import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogEvent, type LogEventInput } from '@mamori/policy';
import { ManualClock } from '../clock.js';
import { emptyFacts, type AlertType, type DeploymentInfo, type GatewayInfo, type MailMessage } from '../console-facts.js';
import type { MetaDb } from '../meta/meta-store.js';
import { SqliteEventStore } from '../store/sqlite-store.js';
import { sqliteMeta } from '../test-support/meta.js';
import { AlertEngine } from './engine.js';

const T0 = Date.UTC(2026, 10, 25, 1, 0, 0);
const MIN = 60_000;

describe('admin alerts', () => {
  let events: SqliteEventStore;
  let meta: MetaDb;
  let clock: ManualClock;
  let mails: MailMessage[];
  let gateways: GatewayInfo[];
  let deployments: DeploymentInfo[];
  let engine: AlertEngine;
  let types: Partial<Record<AlertType, boolean>> | undefined;
  let seq = 0;

  const ingest = async (evs: Array<Partial<LogEventInput> & { type: LogEventInput['type'] }>, gatewayId = 'gw1') => {
    await events.ingest('t1', { batchId: `b${seq++}`, gatewayId, events: evs.map((e) => LogEvent.parse({ id: `e${seq}-${Math.random()}`, ts: clock.now(), srcIp: '10.0.0.9', ...e })) });
  };
  const cnc = (host: string, srcIp = '10.0.0.9') => ({ type: 'security' as const, threatType: 'cnc' as const, action: 'block' as const, signature: 'Botnet C&C', host, srcIp });

  beforeEach(async () => {
    events = new SqliteEventStore({ path: ':memory:' });
    meta = await sqliteMeta();
    clock = new ManualClock(T0);
    mails = [];
    gateways = [{ id: 'gw1', name: '本社', lastSeenAt: T0 }];
    deployments = [];
    types = undefined;
    const facts = emptyFacts({
      gateways: async () => gateways,
      deployments: async () => deployments,
      alertSettings: async () => ({ enabled: true, recipients: ['soc@example.jp', 'admin@example.jp'], ...(types ? { types } : {}) }),
      sendMail: async (_t, m) => { mails.push(m); return true; },
    });
    engine = new AlertEngine(events, meta, facts, clock, { settings: { cncThreshold: 3 }, maxMailsPerHour: 5 });
  });
  afterEach(async () => {
    await events.close();
    await meta.destroy();
  });

  it('raises "gateway offline" after 15 minutes without contact, once, and "back online" when it returns', async () => {
    clock.set(T0 + 14 * MIN);
    expect(await engine.evaluate('t1')).toEqual([]);
    clock.set(T0 + 15 * MIN);
    const [off] = await engine.evaluate('t1');
    expect(off).toMatchObject({ kind: 'gateway.offline', key: 'gw1', state: 'open', severity: 'critical' });
    expect(off!.title).toContain('本社');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(['soc@example.jp', 'admin@example.jp']);
    expect(mails[0]!.subject).toContain('オフライン');
    clock.set(T0 + 40 * MIN);
    expect(await engine.evaluate('t1')).toEqual([]);
    expect(mails).toHaveLength(1);
    gateways = [{ id: 'gw1', name: '本社', lastSeenAt: T0 + 41 * MIN }];
    clock.set(T0 + 42 * MIN);
    const [on] = await engine.evaluate('t1');
    expect(on).toMatchObject({ kind: 'gateway.online', key: 'gw1' });
    expect(mails).toHaveLength(2);
    const list = await engine.list('t1');
    expect(list.map((a) => [a.kind, a.state])).toEqual([['gateway.online', 'resolved'], ['gateway.offline', 'resolved']]);
  });

  it('gives every alert a Japanese and an English title and message, in the list and in the mail', async () => {
    gateways = [];
    await ingest([cnc('c2.bad.example', '10.0.0.7'), cnc('c2.bad.example', '10.0.0.7'), cnc('evil.example', '10.0.0.8')]);
    deployments = [{ id: 'd1', version: 7, at: T0, results: [{ gatewayId: 'gw9', status: 'failed', error: 'timeout' }] } as DeploymentInfo];
    await engine.evaluate('t1');
    const list = await engine.list('t1');
    const c = list.find((a) => a.kind === 'cnc.callback')!;
    expect(c.titles).toEqual({ ja: 'C&Cコールバック通信を検知しました (3件)', en: 'C&C callbacks detected (3)' });
    expect(c.messages.ja).toContain('c2.bad.example (2)');
    expect(c.messages.ja).toContain('10.0.0.7 (2)');
    expect(c.messages.en).toContain('Top hosts: c2.bad.example (2), evil.example (1)');
    const d = list.find((a) => a.kind === 'deployment.failed')!;
    expect(d.titles.en).toBe('Policy deployment (version 7) to gateway "gw9" failed');
    expect(d.messages).toEqual({ ja: 'エラー: timeout', en: 'Error: timeout' });
    const mail = mails.find((m) => m.subject.includes('C&C'))!;
    expect(mail.subject).toBe('【Mamori 管理者アラート】C&Cコールバック通信を検知しました (3件) / [Mamori admin alert] C&C callbacks detected (3)');
    expect(mail.text).toContain('重大度: 重大');
    expect(mail.text).toContain('Severity: Critical');
    expect(mail.text).toContain('Top clients: 10.0.0.7 (2), 10.0.0.8 (1)');
  });

  it('counts events as contact: a gateway that only sends logs is online', async () => {
    clock.set(T0 + 20 * MIN);
    await ingest([{ type: 'bandwidth', app: 'dns', bytesUp: 1, bytesDown: 1 }]);
    expect(await engine.evaluate('t1')).toEqual([]);
  });

  it('raises a C&C callback alert at the threshold with the top hosts, deduplicated while it repeats', async () => {
    gateways = [];
    await ingest([cnc('c2.bad.example'), cnc('c2.bad.example')]);
    expect(await engine.evaluate('t1')).toEqual([]);
    await ingest([cnc('c2.bad.example', '10.0.0.7'), cnc('beacon.evil.example')]);
    const [a] = await engine.evaluate('t1');
    expect(a).toMatchObject({ kind: 'cnc.callback', count: 1, state: 'open' });
    expect(a!.details['count']).toBe(4);
    expect(a!.details['topHosts']).toEqual([{ host: 'c2.bad.example', count: 3 }, { host: 'beacon.evil.example', count: 1 }]);
    expect(a!.details['topClients']).toEqual([{ srcIp: '10.0.0.9', count: 3 }, { srcIp: '10.0.0.7', count: 1 }]);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('c2.bad.example');
    clock.advance(2 * MIN);
    await ingest([cnc('c2.bad.example')]);
    const [again] = await engine.evaluate('t1');
    expect(again).toMatchObject({ id: a!.id, count: 2 });
    expect(mails).toHaveLength(1); // deduplicated: not mailed again within the hour
    const open = await engine.list('t1', { state: 'open' });
    expect(open).toHaveLength(1);
    // still happening an hour later: mailed again
    clock.advance(61 * MIN);
    await ingest([cnc('c2.bad.example'), cnc('c2.bad.example'), cnc('c2.bad.example')]);
    await engine.evaluate('t1');
    expect(mails).toHaveLength(2);
    // quiet for 30 minutes: resolved
    clock.advance(45 * MIN);
    expect(await engine.evaluate('t1')).toEqual([]);
    expect(await engine.list('t1', { state: 'open' })).toEqual([]);
  });

  it('raises deployment failures per gateway and bursts of malware and DoS', async () => {
    deployments = [{ id: 'd7', version: 7, at: T0, results: [{ gatewayId: 'gw1', status: 'failed', error: 'nft: syntax error' }, { gatewayId: 'gw2', status: 'success' }] }];
    const mal = { type: 'security' as const, threatType: 'malware' as const, action: 'block' as const, signature: 'Win.Trojan.Emotet' };
    await ingest(Array.from({ length: 10 }, () => mal));
    await ingest([{ type: 'security', threatType: 'dos', action: 'block', signature: 'SYN flood' }]);
    const raised = await engine.evaluate('t1');
    expect(raised.map((a) => a.kind).sort()).toEqual(['deployment.failed', 'dos.detected', 'malware.burst']);
    const dep = raised.find((a) => a.kind === 'deployment.failed')!;
    expect(dep.details).toMatchObject({ version: 7, gatewayId: 'gw1', error: 'nft: syntax error' });
    expect(raised.find((a) => a.kind === 'malware.burst')!.details['topSignatures']).toEqual([{ signature: 'Win.Trojan.Emotet', count: 10 }]);
  });

  it('rate-limits mail per tenant and keeps every alert visible', async () => {
    deployments = [{ id: 'd1', version: 1, at: T0, results: Array.from({ length: 8 }, (_, i) => ({ gatewayId: `g${i}`, status: 'failed' as const })) }];
    const raised = await engine.evaluate('t1');
    expect(raised).toHaveLength(8);
    expect(mails).toHaveLength(5);
    expect(await engine.list('t1')).toHaveLength(8);
    expect(await engine.list('other')).toEqual([]);
  });

  it('respects the admin-alert type switches: a type switched off raises and mails nothing', async () => {
    types = { gatewayStatus: false, cncCallback: false, deploymentFailed: true };
    deployments = [{ id: 'd3', version: 3, at: T0, results: [{ gatewayId: 'gw1', status: 'failed', error: 'boom' }] }];
    clock.set(T0 + 20 * MIN);
    await ingest([cnc('c2.bad.example'), cnc('c2.bad.example'), cnc('c2.bad.example')], 'gw9');
    const raised = await engine.evaluate('t1');
    expect(raised.map((a) => a.kind)).toEqual(['deployment.failed']);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining('ポリシー配信')]);
    expect((await engine.list('t1')).map((a) => a.kind)).toEqual(['deployment.failed']);
    // switched back on: the gateway that is still silent and the C&C callbacks are raised now
    types = { gatewayStatus: true, cncCallback: true, deploymentFailed: false };
    clock.advance(MIN);
    const now = await engine.evaluate('t1');
    expect(now.map((a) => a.kind).sort()).toEqual(['cnc.callback', 'gateway.offline']);
    expect(mails).toHaveLength(3);
  });

  it('treats a gateway whose sync channel is open as online whatever the clock says', async () => {
    gateways = [{ id: 'gw1', name: '本社', lastSeenAt: T0, connected: true }];
    clock.set(T0 + 30 * MIN);
    expect(await engine.evaluate('t1')).toEqual([]);
    gateways = [{ id: 'gw1', name: '本社', lastSeenAt: T0, connected: false }];
    expect((await engine.evaluate('t1')).map((a) => a.kind)).toEqual(['gateway.offline']);
    gateways = [{ id: 'gw1', name: '本社', lastSeenAt: T0, connected: true }];
    clock.advance(MIN);
    expect((await engine.evaluate('t1')).map((a) => a.kind)).toEqual(['gateway.online']);
  });
});
