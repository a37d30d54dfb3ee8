import { buildDnsQuery, buildEthernetFrame, buildTlsClientHelloRecord, TCP_FLAGS, writePcap } from '@mamori/flow';
import { describe, expect, it } from 'vitest';
import { defaultCatalogue } from './catalogue.js';
import { compileCatalogue } from './identify.js';
import { compareWithNdpi, NDPI_TO_CATALOGUE, parseNdpiResult } from './ndpi.js';

const OUT = `Guessed flow protos:\t0

\t1\tTCP 10.0.0.2:50000 <-> 192.0.2.80:443 [proto: 91.124/TLS.YouTube][IP: 0/Unknown][Encrypted][Confidence: DPI][cat: Media/1][Hostname/SNI: www.youtube.com][TLSv1.3]
\t2\tUDP 10.0.0.2:40000 -> 10.0.0.1:53 [proto: 5.119/DNS.Facebook][IP: 0/Unknown][ClearText][Hostname/SNI: graph.facebook.com]
\t3\tTCP 10.0.0.2:50001 <-> 192.0.2.81:443 [proto: 91/TLS][Hostname/SNI: example.org]
\t4\tUDP [2001:db8::2]:5353 -> [ff02::fb]:5353 [proto: 8/MDNS][Hostname/SNI: printer.local]
\t5\tTCP 10.0.0.2:50002 <-> 192.0.2.82:443 [proto: 91.7/TLS.NetFlix][Hostname/SNI: www.netflix.com]
`;

function tls(port: number, dst: string, sni: string): Uint8Array[] {
  const c = { src: '10.0.0.2', dst, srcPort: port, dstPort: 443, protocol: 'tcp' as const };
  const s = { src: dst, dst: '10.0.0.2', srcPort: 443, dstPort: port, protocol: 'tcp' as const };
  return [
    buildEthernetFrame({ ...c, seq: 1, flags: TCP_FLAGS.SYN }),
    buildEthernetFrame({ ...s, seq: 9, ack: 2, flags: TCP_FLAGS.SYN | TCP_FLAGS.ACK }),
    buildEthernetFrame({ ...c, seq: 2, ack: 10, flags: TCP_FLAGS.PSH | TCP_FLAGS.ACK, payload: buildTlsClientHelloRecord({ sni }) }),
  ];
}

describe('parseNdpiResult', () => {
  it('reads flow lines with IPv4 and IPv6 endpoints, names and hostnames', () => {
    const flows = parseNdpiResult(OUT);
    expect(flows).toHaveLength(5);
    expect(flows[0]).toMatchObject({ protocol: 'tcp', a: { ip: '10.0.0.2', port: 50000 }, b: { ip: '192.0.2.80', port: 443 }, proto: 'TLS.YouTube', app: 'YouTube', hostname: 'www.youtube.com' });
    expect(flows[3]).toMatchObject({ protocol: 'udp', a: { ip: '2001:db8::2', port: 5353 }, app: 'MDNS' });
    expect(parseNdpiResult('no flows here\n')).toEqual([]);
  });

  it('maps every nDPI name onto ids that exist in the catalogue', () => {
    const cat = defaultCatalogue();
    const categories = new Set(cat.taxonomy.categories.map((c) => c.id));
    for (const [name, ids] of Object.entries(NDPI_TO_CATALOGUE)) {
      for (const id of ids) {
        if (id.startsWith('category:')) expect(categories.has(id.slice(9)), name).toBe(true);
        else expect(cat.byId.has(id), `${name} → ${id}`).toBe(true);
      }
    }
  });
});

describe('compareWithNdpi', () => {
  it('compares flows where nDPI names an application and a hostname', () => {
    const frames = [
      ...tls(50000, '192.0.2.80', 'www.youtube.com'),
      buildEthernetFrame({ src: '10.0.0.2', dst: '10.0.0.1', srcPort: 40000, dstPort: 53, protocol: 'udp', payload: buildDnsQuery(7, 'graph.facebook.com') }),
      ...tls(50001, '192.0.2.81', 'example.org'),
      ...tls(50002, '192.0.2.82', 'www.example.net'),
    ];
    const pcap = writePcap(frames.map((data, i) => ({ ts: 100 + i, data })));
    const r = compareWithNdpi(compileCatalogue(defaultCatalogue()), 'synthetic.pcap', pcap, OUT);
    // the generic TLS flow is not compared; the MDNS flow is compared but absent from the capture
    expect(r.compared).toBe(4);
    expect(r.agreed).toBe(2);
    expect(r.missing).toBe(1);
    expect(r.misses.map((m) => [m.ndpi, m.ours])).toEqual([
      ['MDNS', '(flow not found)'],
      ['TLS.NetFlix', 'https'],
    ]);
  });
});
