/**
 * A minimal console for the agent's tests (the real one is the console helper's): enrollment
 * that signs the gateway's CSR, the mutual-TLS sync WebSocket and the events endpoint with
 * idempotent batches. `down` makes it refuse everything, like an unreachable console.
 */
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import type net from 'node:net';
import type tls from 'node:tls';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeEventColumns, EnrollRequest, EventBatch, GatewayMessage, isEventColumns, PROTOCOL_VERSION, type Deployment, type LogEvent } from '@mamori/policy';
import { generateCa, issueWithNewKey, loadCa, type LoadedCa, type PemPair } from '../tls/x509.js';

export interface TestConsole {
  url: string;
  ca: PemPair;
  token: string;
  enrollments: number;
  messages: GatewayMessage[];
  events: Map<string, LogEvent>;
  batches: Set<string>;
  /** the wire form of every events request: columns (mamori.columns/1) or rows */
  batchForms: Array<'columns' | 'rows'>;
  down: boolean;
  deploy(d: Deployment): void;
  /** resolves with the next deployResult for a version */
  result(version: number): Promise<Extract<GatewayMessage, { type: 'deployResult' }>>;
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startTestConsole(): Promise<TestConsole> {
  const ca = await generateCa('Test Console CA');
  const loaded: LoadedCa = await loadCa(ca);
  const server = await issueWithNewKey(loaded, ['127.0.0.1', 'localhost']);
  const sockets = new Set<WebSocket>();
  const raw = new Set<net.Socket>();
  const tc: TestConsole = {
    url: '',
    ca,
    token: 'enroll-token-0123456789abcdef',
    enrollments: 0,
    messages: [],
    events: new Map(),
    batches: new Set(),
    batchForms: [],
    down: false,
    deploy(d) {
      for (const s of sockets) s.send(JSON.stringify({ type: 'deploy', deployment: d }));
    },
    result(version) {
      return new Promise((resolve) => {
        const t = setInterval(() => {
          const m = tc.messages.find((x): x is Extract<GatewayMessage, { type: 'deployResult' }> => x.type === 'deployResult' && x.version === version);
          if (m) {
            clearInterval(t);
            resolve(m);
          }
        }, 20);
      });
    },
    dropConnections() {
      for (const s of sockets) s.terminate();
      for (const s of raw) s.destroy();
    },
    close: async () => undefined,
  };
  const srv = https.createServer({ key: server.privateKeyPem, cert: server.certificatePem, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (tc.down) return res.destroy();
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as unknown) : null;
        const authed = (req.socket as tls.TLSSocket).authorized;
        if (req.url === '/api/gateway/enroll' && req.method === 'POST') {
          const e = EnrollRequest.safeParse(body);
          if (!e.success || e.data.token !== tc.token) return json(res, 401, { message: 'invalid enrollment token' });
          tc.enrollments++;
          const csr = new x509.Pkcs10CertificateRequest(e.data.csrPem);
          const cert = await x509.X509CertificateGenerator.create({
            serialNumber: '0' + tc.enrollments.toString(16).padStart(8, '0'),
            subject: 'CN=gw-1',
            issuer: loaded.cert.subject,
            notBefore: new Date(Date.now() - 60_000),
            notAfter: new Date(Date.now() + 86400_000),
            signingAlgorithm: loaded.signingAlgorithm,
            publicKey: await csr.publicKey.export(),
            signingKey: loaded.signingKey,
            extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
          });
          return json(res, 200, { gatewayId: 'gw-1', tenantId: 't-1', certificatePem: cert.toString('pem'), caPem: ca.certificatePem, syncUrl: tc.url.replace(/^https/, 'wss') + '/api/gateway/sync' });
        }
        if (req.url === '/api/gateway/events' && req.method === 'POST') {
          if (!authed) return json(res, 401, { message: 'client certificate required' });
          // gateways ship columns (mamori.columns/1); kept as rows here
          tc.batchForms.push(isEventColumns(body) ? 'columns' : 'rows');
          const b = EventBatch.parse(isEventColumns(body) ? decodeEventColumns(body) : body);
          const dup = tc.batches.has(b.batchId);
          tc.batches.add(b.batchId);
          let accepted = 0;
          if (!dup) {
            for (const ev of b.events) {
              if (tc.events.has(ev.id)) continue;
              tc.events.set(ev.id, ev);
              accepted++;
            }
          }
          return json(res, 200, { batchId: b.batchId, accepted, duplicate: dup });
        }
        json(res, 404, { message: 'not found' });
      })();
    });
  });
  srv.on('connection', (s: net.Socket) => {
    raw.add(s);
    s.on('close', () => raw.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true });
  srv.on('upgrade', (req, socket, head) => {
    if (tc.down || req.url !== '/api/gateway/sync' || !(socket as tls.TLSSocket).authorized) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (d: Buffer) => tc.messages.push(GatewayMessage.parse(JSON.parse(d.toString()))));
      ws.send(JSON.stringify({ type: 'welcome', gatewayId: 'gw-1', protocol: PROTOCOL_VERSION, serverTime: Date.now() }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  tc.url = `https://127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
  tc.close = () =>
    new Promise<void>((r) => {
      tc.dropConnections();
      wss.close();
      srv.close(() => r());
    });
  return tc;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const b = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
  res.end(b);
}
