/**
 * The SO_ORIGINAL_DST addon (@mamori/sockopt) against real conntrack: connections from the LAN
 * client namespace to WAN addresses (IPv4 and IPv6) are redirected by an nft rule in the gateway
 * namespace to a listener there, which reads their original destination from its socket.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDON_PATH, available, loadError, originalDestination, originalDstOfFd, socketFd } from '@mamori/sockopt';
import { nftFile } from '../../../packages/gateway/src/firewall/index.js';
import { createTopology, type Topology } from './topology.js';

let topo: Topology;

beforeAll(async () => {
  topo = await createTopology('o');
  const rules = [
    'table inet sockopt_test {',
    '\tchain pre { type nat hook prerouting priority dstnat; policy accept; iifname "lan0" tcp dport { 80, 443 } redirect to :8181; }',
    '}',
  ].join('\n');
  const r = await nftFile(topo.gw, rules);
  expect(r.stderr).toBe('');
  expect((await topo.agents.gateway.call('origDstServer', { port: 8181, addonPath: ADDON_PATH })).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  await topo?.destroy();
});

describe('@mamori/sockopt', () => {
  it('is built by the install script and loads', () => {
    expect(loadError).toBeNull();
    expect(available).toBe(true);
    expect(fs.existsSync(ADDON_PATH)).toBe(true);
  });

  it('gives the original IPv4 destination of a redirected connection', async () => {
    const r = await topo.agents.client.call('tcp', { host: '10.99.2.2', port: 80 });
    expect(r).toMatchObject({ ok: true, data: 'orig 10.99.2.2 80 4 local ::ffff:10.99.1.1 8181' });
    const r2 = await topo.agents.client.call('tcp', { host: '10.99.200.5', port: 443 });
    expect(r2).toMatchObject({ ok: true, data: 'orig 10.99.200.5 443 4 local ::ffff:10.99.1.1 8181' });
  });

  it('gives the original IPv6 destination of a redirected connection (IP6T_SO_ORIGINAL_DST)', async () => {
    const r = await topo.agents.client.call('tcp', { host: 'fd99:2::2', port: 443 });
    expect(r).toMatchObject({ ok: true, data: 'orig fd99:2::2 443 6 local fd99:1::1 8181' });
  });

  it('a connection that was not redirected has itself as original destination', async () => {
    const r = await topo.agents.client.call('tcp', { host: '10.99.1.1', port: 8181 });
    expect(r).toMatchObject({ ok: true, data: 'orig 10.99.1.1 8181 4 local ::ffff:10.99.1.1 8181' });
  });

  it('refuses bad file descriptors with a clear error', async () => {
    expect(() => originalDstOfFd(-1)).toThrow(/invalid file descriptor/);
    const fd = fs.openSync(ADDON_PATH, 'r');
    try {
      expect(() => originalDstOfFd(fd)).toThrow(/getsockname: Socket operation on non-socket/);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('gives undefined for a loopback connection here (not redirected; this namespace may have no conntrack)', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((r) => srv.once('connection', r));
    const c = net.connect(port, '127.0.0.1');
    const s = await accepted;
    expect(socketFd(s)).toBeGreaterThanOrEqual(0);
    expect(originalDestination(s)).toBeUndefined();
    c.destroy();
    s.destroy();
    srv.close();
  });
});
