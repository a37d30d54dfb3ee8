import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetFrame, buildTlsClientHelloRecord, TCP_FLAGS, writePcap } from '@mamori/flow';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-appid-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const main = path.join(import.meta.dirname, '..', 'main.ts');
const tsx = path.join(import.meta.dirname, '..', '..', '..', '..', 'node_modules', '.bin', 'tsx');

describe('mamori appid', { timeout: 120_000 }, () => {
  it('eval prints per-capture lines and a last line agree: M/N', () => {
    fs.mkdirSync(path.join(dir, 'pcap'));
    fs.mkdirSync(path.join(dir, 'result'));
    const c = { src: '10.0.0.2', dst: '192.0.2.9', srcPort: 50000, dstPort: 443, protocol: 'tcp' as const };
    const frames = [
      buildEthernetFrame({ ...c, seq: 1, flags: TCP_FLAGS.SYN }),
      buildEthernetFrame({ ...c, seq: 2, flags: TCP_FLAGS.PSH | TCP_FLAGS.ACK, payload: buildTlsClientHelloRecord({ sni: 'www.chatwork.com' }) }),
    ];
    fs.writeFileSync(path.join(dir, 'pcap', 'cw.pcap'), writePcap(frames.map((data, i) => ({ ts: i, data }))));
    fs.writeFileSync(path.join(dir, 'result', 'cw.pcap.out'), '\t1\tTCP 10.0.0.2:50000 <-> 192.0.2.9:443 [proto: 91.999/TLS.Slack][Hostname/SNI: www.chatwork.com]\n');
    const out = execFileSync(tsx, [main, 'appid', 'eval', '--ndpi', dir, '-v'], { encoding: 'utf8' }).trim().split('\n');
    expect(out[0]).toBe('cw.pcap: flows 1, compared 1, agree 0/1');
    expect(out[1]).toMatch(/nDPI TLS\.Slack www\.chatwork\.com → ours chatwork/);
    expect(out.at(-1)).toBe('agree: 0/1');
  });

  it('eval on a folder without captures is an error with exit 2', () => {
    const r = spawnSync(tsx, [main, 'appid', 'eval', '--ndpi', path.join(dir, 'missing')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/has no pcap\/ and result\/ folders/);
  });

  it('identify prints one JSON object', () => {
    const out = execFileSync(tsx, [main, 'appid', 'identify', '--host', 'acme.cybozu.com', '--method', 'GET', '--path', '/g/portal'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ app: 'garoon', category: 'collaboration' });
  });
});
