import { describe, expect, it } from 'vitest';
import { detectRouterCapability } from './router-mode.js';
import { routerInterfaces } from './router-flag.js';
import { localRunner } from './nft-runner.js';
import { parseCounters, parseSets } from './nft-json.js';

describe('router capability', () => {
  it('falls back to explicit-proxy mode off Linux or without privileges, and says why', async () => {
    const off = await detectRouterCapability(localRunner(), 'darwin', true);
    expect(off).toMatchObject({ ok: false, mode: 'explicit-proxy', reason: 'not-linux' });
    const unpriv = await detectRouterCapability(localRunner(), 'linux', false);
    expect(unpriv).toMatchObject({ ok: false, reason: 'not-root' });
    if (!unpriv.ok) expect(unpriv.message).toMatch(/explicit-proxy mode/);
  });

  it('reports a missing nft command', async () => {
    const runner = { run: async (cmd: string) => ({ code: cmd === 'nft' ? 127 : 0, stdout: '', stderr: 'spawn nft ENOENT' }) };
    expect(await detectRouterCapability(runner, 'linux', true)).toMatchObject({ ok: false, reason: 'no-nft' });
  });
});

describe('--router flags', () => {
  it('needs both LAN and WAN with --router and nothing without', () => {
    expect(routerInterfaces({})).toBeNull();
    expect(routerInterfaces({ router: true, lan: 'lan0, lan1', wan: 'wan0' })).toEqual({ lan: ['lan0', 'lan1'], wan: 'wan0' });
    expect(() => routerInterfaces({ router: true, lan: 'lan0' })).toThrow(/--wan/);
    expect(() => routerInterfaces({ wan: 'wan0' })).toThrow(/need --router/);
  });
});

describe('nft -j output', () => {
  it('reads counters and set elements with their counters', () => {
    const meta = '{"metainfo": {"version": "1.0.6"}}';
    const counters = `{"nftables": [${meta}, {"counter": {"family": "inet", "name": "rule_0", "table": "mamori", "handle": 5, "packets": 3, "bytes": 180}}]}`;
    expect(parseCounters(counters)).toEqual([{ name: 'rule_0', packets: 3, bytes: 180 }]);
    const sets = `{"nftables": [${meta}, {"set": {"name": "ev_syn_flood_4", "elem": [{"elem": {"val": "10.99.1.2", "expires": 59, "counter": {"packets": 7, "bytes": 0}}}, "10.99.1.3"]}}]}\n` +
      `{"nftables": [${meta}, {"map": {"name": "steer_orig_4", "elem": [[{"concat": ["10.99.1.2", 40000]}, {"concat": ["10.99.2.2", 80]}]]}}]}`;
    const parsed = parseSets(sets);
    expect(parsed.get('ev_syn_flood_4')).toEqual([{ value: '10.99.1.2', packets: 7, expiresSec: 59 }, { value: '10.99.1.3' }]);
    expect(parsed.get('steer_orig_4')).toEqual([{ value: '10.99.1.2 . 40000 : 10.99.2.2 . 80' }]);
  });
});
