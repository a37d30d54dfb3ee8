import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readCapture } from './capture.js';
import { buildEthernetFrame, buildIpPacket, writePcap, writePcapng } from './capture-writer.js';
import { LINKTYPE } from './decode.js';

const frame = (i: number) => buildEthernetFrame({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1000 + i, dstPort: 80, protocol: 'udp', payload: Uint8Array.from([i]) });

describe('pcap reader', () => {
  it('reads little- and big-endian files with micro- and nanosecond stamps', () => {
    const recs = [0, 1, 2].map((i) => ({ ts: 1700000000 + i + 0.25, data: frame(i) }));
    for (const opts of [{}, { bigEndian: true }, { nanosecond: true }, { bigEndian: true, nanosecond: true }]) {
      const r = readCapture(writePcap(recs, opts));
      expect(r.format).toBe('pcap');
      expect(r.truncated).toBe(false);
      expect(r.packets).toHaveLength(3);
      expect(r.packets[1]!.ts).toBeCloseTo(1700000001.25, 6);
      expect(r.packets[2]!.linktype).toBe(1);
      expect([...r.packets[2]!.data]).toEqual([...recs[2]!.data]);
    }
  });

  it('reads a truncated file up to the damage and says why', () => {
    const whole = writePcap([0, 1, 2].map((i) => ({ ts: i, data: frame(i) })));
    const cut = whole.subarray(0, whole.length - 10);
    const r = readCapture(cut);
    expect(r.packets).toHaveLength(2);
    expect(r.truncated).toBe(true);
    expect(r.damage[0]!.reason).toMatch(/record data truncated/);
    const headerOnly = readCapture(whole.subarray(0, 30));
    expect(headerOnly.packets).toHaveLength(0);
    expect(headerOnly.damage[0]!.reason).toMatch(/record header truncated/);
    expect(readCapture(whole.subarray(0, 10)).damage[0]!.reason).toMatch(/file header truncated/);
  });

  it('stops at an implausible record length', () => {
    const buf = writePcap([{ ts: 0, data: frame(0) }, { ts: 1, data: frame(1) }]);
    new DataView(buf.buffer).setUint32(24 + 16 + frame(0).length + 8, 0x7fffffff, true);
    const r = readCapture(buf);
    expect(r.packets).toHaveLength(1);
    expect(r.damage[0]!.reason).toMatch(/not plausible/);
  });

  it('rejects bytes that are not a capture', () => {
    expect(() => readCapture(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(CaptureFormatError);
    expect(() => readCapture(new Uint8Array(2))).toThrow(/not a capture/);
  });
});

describe('pcapng reader', () => {
  it('reads two interfaces with different link types and timestamp resolutions', () => {
    const raw = buildIpPacket({ src: '10.0.0.9', dst: '10.0.0.8', srcPort: 5, dstPort: 53, protocol: 'udp', payload: Uint8Array.from([1, 2]) });
    for (const bigEndian of [false, true]) {
      const buf = writePcapng(
        [{ linktype: LINKTYPE.ETHERNET, tsresol: 6 }, { linktype: LINKTYPE.RAW, tsresol: 9 }],
        [
          { ts: 1600000000.5, data: frame(0), interfaceId: 0 },
          { ts: 1.000000123, data: raw, interfaceId: 1 },
        ],
        { bigEndian },
      );
      const r = readCapture(buf);
      expect(r.format).toBe('pcapng');
      expect(r.damage).toEqual([]);
      expect(r.packets.map((p) => [p.interfaceId, p.linktype])).toEqual([[0, 1], [1, 101]]);
      expect(r.packets[0]!.ts).toBeCloseTo(1600000000.5, 6);
      expect(r.packets[1]!.ts).toBeCloseTo(1.000000123, 9);
      expect([...r.packets[1]!.data]).toEqual([...raw]);
    }
  });

  it('reads a truncated pcapng up to the damage', () => {
    const buf = writePcapng([{ linktype: 1 }], [0, 1, 2].map((i) => ({ ts: i, data: frame(i) })));
    const r = readCapture(buf.subarray(0, buf.length - 7));
    expect(r.packets).toHaveLength(2);
    expect(r.truncated).toBe(true);
    expect(r.damage[0]!.reason).toMatch(/block truncated/);
  });

  it('skips a packet for an undeclared interface and goes on', () => {
    const buf = writePcapng([{ linktype: 1 }], [{ ts: 0, data: frame(0), interfaceId: 3 }, { ts: 1, data: frame(1), interfaceId: 0 }]);
    const r = readCapture(buf);
    expect(r.packets).toHaveLength(1);
    expect(r.damage[0]!.reason).toMatch(/unknown interface 3/);
    expect(r.truncated).toBe(false);
  });
});
