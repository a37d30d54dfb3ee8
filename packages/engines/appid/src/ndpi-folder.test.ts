import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDnsQuery, buildEthernetFrame, writePcap } from '@mamori/flow';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateNdpiFolder } from './ndpi-folder.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-appid-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('evaluateNdpiFolder', () => {
  it('compares every capture that has a result file and reports damage', () => {
    fs.mkdirSync(path.join(tmp, 'pcap'));
    fs.mkdirSync(path.join(tmp, 'result'));
    const q = (port: number, name: string) => buildEthernetFrame({ src: '10.0.0.2', dst: '10.0.0.1', srcPort: port, dstPort: 53, protocol: 'udp', payload: buildDnsQuery(port, name) });
    const pcap = writePcap([{ ts: 1, data: q(40001, 'www.pixiv.net') }, { ts: 2, data: q(40002, 'corp.example') }]);
    fs.writeFileSync(path.join(tmp, 'pcap', 'a.pcap'), pcap.subarray(0, pcap.length - 3));
    fs.writeFileSync(
      path.join(tmp, 'result', 'a.pcap.out'),
      '\t1\tUDP 10.0.0.2:40001 -> 10.0.0.1:53 [proto: 5.999/DNS.Pixiv][Hostname/SNI: www.pixiv.net]\n',
    );
    fs.writeFileSync(path.join(tmp, 'pcap', 'b.pcap'), 'not a capture');
    fs.writeFileSync(path.join(tmp, 'result', 'b.pcap.out'), '');
    fs.writeFileSync(path.join(tmp, 'pcap', 'c.pcap'), pcap); // no result file: skipped
    const lines: string[] = [];
    const r = evaluateNdpiFolder(tmp, (l) => lines.push(l), { verbose: true });
    expect(r.results.map((x) => x.capture)).toEqual(['a.pcap']);
    expect(r.unreadable).toEqual([{ capture: 'b.pcap', reason: expect.stringMatching(/not a pcap or pcapng/) }]);
    // nDPI's "Pixiv" has no mapping: compared, not agreed, and listed
    expect([r.agreed, r.compared]).toEqual([0, 1]);
    expect(lines.join('\n')).toMatch(/a\.pcap: flows 1, compared 1, agree 0\/1 {2}damaged: record data truncated/);
    expect(lines.join('\n')).toMatch(/nDPI DNS\.Pixiv www\.pixiv\.net → ours pixiv/);
  });

  it('refuses a folder without pcap/ and result/', () => {
    expect(() => evaluateNdpiFolder(path.join(tmp, 'nope'))).toThrow(/has no pcap\/ and result\/ folders/);
  });
});
