/**
 * Test fixtures: a test PKI (upstream CA + origin certificates, tenant CA), HTTP and HTTPS origin
 * servers on ephemeral ports that echo what they received and count connections, and a resolver
 * that maps *.test names to 127.0.0.1.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { generateCa, issueWithNewKey, loadCa, type PemPair } from '../tls/x509.js';

export interface Pki {
  upstreamCa: PemPair;
  origin: PemPair;
  tenantCa: PemPair;
  /** a self-signed origin certificate nobody trusts */
  rogue: PemPair;
}

/** names the test origins answer for (curl refuses a *.test wildcard) */
export const ORIGIN_NAMES = ['localhost', '127.0.0.1', 'bank.test', 'pinned.test', 'site.test', 'news.test', 'files.test', 'www.evil.test', 'blocked.test', 'shop.test'];

export async function makePki(): Promise<Pki> {
  const upstreamCa = await generateCa('Mamori Test Upstream CA');
  const tenantCa = await generateCa('Mamori Test Tenant CA');
  const origin = await issueWithNewKey(await loadCa(upstreamCa), ORIGIN_NAMES);
  const rogueCa = await generateCa('Rogue CA');
  const rogue = await issueWithNewKey(await loadCa(rogueCa), ORIGIN_NAMES);
  return { upstreamCa, origin, tenantCa, rogue };
}

export interface Origin {
  port: number;
  /** TCP connections accepted so far */
  connections: number;
  /** requests seen: "METHOD host path" */
  seen: string[];
  close(): Promise<void>;
}

function handler(o: Origin): http.RequestListener {
  return (req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      o.seen.push(`${req.method} ${req.headers.host ?? ''} ${req.url ?? ''}`);
      const body = JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, bodyBytes: n, httpVersion: req.httpVersion });
      res.writeHead(200, { 'content-type': 'application/json', 'x-origin': 'yes' });
      res.end(body);
    });
  };
}

async function listen(server: http.Server | https.Server, o: Origin): Promise<Origin> {
  server.on('connection', () => o.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  o.port = (server.address() as net.AddressInfo).port;
  o.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return o;
}

export async function startHttpOrigin(): Promise<Origin> {
  const o: Origin = { port: 0, connections: 0, seen: [], close: async () => undefined };
  return listen(http.createServer(handler(o)), o);
}

export async function startHttpsOrigin(cert: PemPair): Promise<Origin> {
  const o: Origin = { port: 0, connections: 0, seen: [], close: async () => undefined };
  return listen(https.createServer({ key: cert.privateKeyPem, cert: cert.certificatePem }, handler(o)), o);
}

/** resolves every name to 127.0.0.1 (the test origins live there) */
export const loopbackLookup: net.LookupFunction = (_host, opts, cb) => {
  const o = opts as { all?: boolean };
  if (o.all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};
