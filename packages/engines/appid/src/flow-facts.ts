/** From a flow of the offline packet layer to the facts identify() reads. */
import type { Flow, FlowInspection } from '@mamori/flow';
import type { AppFacts } from './identify.js';

export function flowAppFacts(flow: Flow, seen: FlowInspection): AppFacts {
  const server = seen.reversed ? flow.client : flow.server;
  const client = seen.reversed ? flow.server : flow.client;
  const facts: AppFacts = { protocol: flow.protocol, dstPort: server.port, srcPort: client.port };
  const hello = seen.tls ?? seen.quic?.hello;
  if (hello) {
    if (hello.sni !== undefined) facts.sni = hello.sni;
    facts.alpn = hello.alpn;
    facts.ja3 = hello.ja3Hash;
    facts.ja4 = hello.ja4;
  }
  if (seen.gquic?.sni !== undefined && facts.sni === undefined) facts.sni = seen.gquic.sni;
  const req = seen.http?.[0];
  if (req) {
    if (req.host !== undefined) facts.host = req.host;
    facts.method = req.method;
    facts.path = req.path;
  }
  if (seen.dns && seen.dns.qname !== '') facts.dnsQuery = seen.dns.qname;
  if (seen.stun?.realm !== undefined && seen.stun.realm !== '') facts.realm = seen.stun.realm;
  if (seen.sshBanner !== undefined) facts.l7 = 'ssh';
  else if (seen.tls) facts.l7 = 'https';
  else if (seen.quic || seen.gquic) facts.l7 = 'quic';
  else if (seen.http) facts.l7 = 'http';
  else if (seen.dns) facts.l7 = 'dns';
  else if (seen.stun) facts.l7 = 'stun';
  return facts;
}
