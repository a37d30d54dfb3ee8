/**
 * What a flow shows at L7: HTTP requests, the TLS or QUIC ClientHello, the DNS query, an SSH
 * banner. Reads the reassembled streams / first datagrams; tries the other direction when the
 * capture started mid-connection and the roles came out reversed.
 */
import type { DnsMessage } from './dns.js';
import { parseDnsMessage, parseDnsOverTcp } from './dns.js';
import type { Flow } from './flow-table.js';
import type { HttpRequest } from './http.js';
import { parseHttpRequests } from './http.js';
import { assembleCrypto, decryptClientInitials, parseGquicChlo } from './quic.js';
import type { ClientHello } from './tls.js';
import type { StunMessage } from './stun.js';
import { parseStun } from './stun.js';
import { parseHandshakeClientHello, parseTlsClientHello } from './tls.js';

export interface FlowInspection {
  http?: HttpRequest[];
  tls?: ClientHello;
  quic?: { version: number; hello?: ClientHello };
  /** Google QUIC's clear-text client hello */
  gquic?: { sni?: string; userAgent?: string };
  dns?: DnsMessage;
  sshBanner?: string;
  /** STUN/TURN: the first message that names a realm or software, else the first message */
  stun?: StunMessage;
  /** true when the server → client direction carried the client's messages */
  reversed?: boolean;
}

const DNS_PORTS = new Set([53, 5353, 5355]);

export function inspectFlow(flow: Flow): FlowInspection {
  const out: FlowInspection = {};
  if (flow.streams) {
    const dirs = [flow.streams[0].read({ contiguous: true }).data, flow.streams[1].read({ contiguous: true }).data];
    for (const [i, s] of dirs.entries()) {
      if (s.length === 0) continue;
      const tls = parseTlsClientHello(s);
      if (tls.ok) {
        out.tls = tls.hello;
        if (i === 1) out.reversed = true;
        break;
      }
      const http = parseHttpRequests(s);
      if (http.length > 0) {
        out.http = http;
        if (i === 1) out.reversed = true;
        break;
      }
      if (s[0] === 0x53 && s[1] === 0x53 && s[2] === 0x48 && s[3] === 0x2d) {
        const end = s.indexOf(0x0a);
        out.sshBanner = Buffer.from(s.subarray(0, end === -1 ? Math.min(255, s.length) : end)).toString('latin1').trim();
        if (i === 1) out.reversed = true;
        break;
      }
    }
    if (DNS_PORTS.has(flow.server.port) || DNS_PORTS.has(flow.client.port)) {
      const q = dirs[0]!.length > 0 ? parseDnsOverTcp(dirs[0]!) : undefined;
      const dns = q ?? (dirs[1]!.length > 0 ? parseDnsOverTcp(dirs[1]!) : undefined);
      if (dns) out.dns = dns;
    }
    return out;
  }
  if (flow.protocol !== 'udp') return out;
  if (DNS_PORTS.has(flow.server.port) || DNS_PORTS.has(flow.client.port)) {
    for (const d of flow.datagrams) {
      const m = parseDnsMessage(d.data);
      if (m) {
        out.dns = m;
        break;
      }
    }
    return out;
  }
  for (const dir of [0, 1] as const) {
    const initials = flow.datagrams.filter((d) => d.dir === dir).flatMap((d) => decryptClientInitials(d.data));
    if (initials.length === 0) continue;
    const hs = assembleCrypto(initials);
    const parsed = parseHandshakeClientHello(hs, 'q');
    out.quic = { version: initials[0]!.version };
    if (parsed.ok) out.quic.hello = parsed.hello;
    if (dir === 1) out.reversed = true;
    break;
  }
  for (const d of flow.datagrams) {
    const m = parseStun(d.data);
    if (!m) continue;
    if (!out.stun || (out.stun.realm === undefined && m.realm !== undefined)) out.stun = m;
    if (out.stun.realm !== undefined) break;
  }
  if (out.quic?.hello === undefined && !out.stun) {
    for (const d of flow.datagrams) {
      const chlo = parseGquicChlo(d.data);
      if (chlo) {
        out.gquic = chlo;
        if (d.dir === 1) out.reversed = true;
        break;
      }
    }
  }
  return out;
}
