// A small agent run inside a test network namespace (`ip netns exec <ns> node ns-agent.mjs`).
// It reads one JSON command per line on stdin and answers one JSON line per command on stdout.
// Plain JavaScript so that it starts fast without a TypeScript loader.
import net from 'node:net';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import readline from 'node:readline';
import { createRequire } from 'node:module';

const servers = [];

function tcpProbe({ host, port, src, timeoutMs = 1500, payload = 'ping' }) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, ...(src ? { localAddress: src } : {}) });
    let data = '';
    const done = (r) => { clearTimeout(t); s.destroy(); resolve(r); };
    const t = setTimeout(() => done({ ok: false, error: 'timeout' }), timeoutMs);
    s.on('connect', () => s.write(payload + '\n'));
    s.on('data', (b) => { data += b.toString(); if (data.includes('\n')) done({ ok: true, data: data.trim() }); });
    s.on('error', (e) => done({ ok: false, error: e.code ?? e.message }));
  });
}

function udpProbe({ host, port, src, timeoutMs = 1500 }) {
  return new Promise((resolve) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (r) => { clearTimeout(t); s.close(); resolve(r); };
    const t = setTimeout(() => done({ ok: false, error: 'timeout' }), timeoutMs);
    s.on('message', (m) => done({ ok: true, data: m.toString() }));
    s.on('error', (e) => done({ ok: false, error: e.code ?? e.message }));
    s.bind({ port: 0, ...(src ? { address: src } : {}) }, () => s.send('ping', port, host));
  });
}

function httpGet({ url, headers, timeoutMs = 3000 }) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, ...(headers ? { headers } : {}) }, (res) => {
      let body = '';
      res.on('data', (b) => { body += b.toString(); });
      res.on('end', () => resolve({ ok: true, status: res.statusCode, headers: res.headers, body, local: `${req.socket.localAddress}:${req.socket.localPort}` }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ ok: false, error: 'timeout' }); });
    req.on('error', (e) => resolve({ ok: false, error: e.code ?? e.message }));
  });
}

/** HTTPS GET to an address with a given SNI/Host, trusting only the given CA */
function httpsGet({ host, port = 443, servername, path = '/', ca, timeoutMs = 5000 }) {
  return new Promise((resolve) => {
    const req = https.get({ host, port, servername, path, ca, headers: { host: servername }, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      const issuer = res.socket.getPeerCertificate?.()?.issuer?.CN ?? null;
      res.on('data', (b) => { body += b.toString(); });
      res.on('end', () => resolve({ ok: true, status: res.statusCode, headers: res.headers, body, issuer }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ ok: false, error: 'timeout' }); });
    req.on('error', (e) => resolve({ ok: false, error: e.code ?? e.message }));
  });
}

/** A and AAAA lookups against one resolver */
async function dnsQuery({ server, name, type = 'A' }) {
  const r = new dns.promises.Resolver({ timeout: 4000, tries: 3 });
  r.setServers([server]);
  try {
    const addrs = type === 'AAAA' ? await r.resolve6(name) : await r.resolve4(name);
    return { ok: true, addresses: addrs };
  } catch (e) {
    return { ok: false, error: e.code ?? e.message };
  }
}

function listenHttps({ port, host = '0.0.0.0', key, cert }) {
  return new Promise((resolve, reject) => {
    const srv = https.createServer({ key, cert }, (req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`secure ${req.headers.host} ${req.url} from ${req.socket.remoteAddress}`);
    });
    srv.on('error', reject);
    srv.listen(port, host, () => { servers.push(srv); resolve({ ok: true }); });
  });
}

/** Answers each connection with the original destination the addon reads from its socket. */
function origDstServer({ port, addonPath }) {
  const addon = createRequire(import.meta.url)(addonPath);
  return new Promise((resolve, reject) => {
    const srv = net.createServer((c) => {
      c.on('error', () => {});
      let line;
      try {
        const d = addon.originalDst(c._handle.fd);
        line = `orig ${d.ip} ${d.port} ${d.family} local ${c.localAddress} ${c.localPort}`;
      } catch (e) {
        line = `error ${e.code ?? e.message}`;
      }
      c.end(line + '\n');
    });
    srv.on('error', reject);
    srv.listen(port, '::', () => { servers.push(srv); resolve({ ok: true }); });
  });
}

function listenTcp({ port, host = '0.0.0.0' }) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((c) => {
      c.on('error', () => {});
      let sink = false;
      c.on('data', (b) => {
        if (sink || b.toString().startsWith('stream')) { sink = true; return; } // a long stream: just sink it
        c.end(`hello ${c.localAddress}:${c.localPort} from ${c.remoteAddress}\n`);
      });
    });
    srv.on('error', reject);
    srv.listen(port, host, () => { servers.push(srv); resolve({ ok: true }); });
  });
}

function listenUdp({ port, host = '0.0.0.0' }) {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (m, r) => s.send(`udp ${port} from ${r.address}`, r.port, r.address));
    s.on('error', reject);
    s.bind(port, host, () => { servers.push(s); resolve({ ok: true }); });
  });
}

function listenHttp({ port, host = '0.0.0.0' }) {
  return new Promise((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`web ${req.headers.host} ${req.url} from ${req.socket.remoteAddress}`);
    });
    srv.on('error', reject);
    srv.listen(port, host, () => { servers.push(srv); resolve({ ok: true }); });
  });
}

/** A transparent HTTP proxy (the target of `redirect`): forwards to the Host header, marks the answer. */
function transparentProxy({ port }) {
  return new Promise((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      const [h, p] = (req.headers.host ?? '').split(':');
      const up = http.request({ host: h, port: Number(p ?? 80), method: req.method, path: req.url, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, { ...ur.headers, 'x-mamori-proxy': 'transparent', 'x-proxy-client': `${req.socket.remoteAddress}:${req.socket.remotePort}`, 'x-proxy-local': `${req.socket.localAddress}:${req.socket.localPort}` });
        ur.pipe(res);
      });
      up.on('error', (e) => { res.writeHead(502); res.end(String(e.code)); });
      req.pipe(up);
    });
    srv.on('error', reject);
    srv.listen(port, '0.0.0.0', () => { servers.push(srv); resolve({ ok: true }); });
  });
}

async function burst({ host, port, count, ports, src, timeoutMs = 800 }) {
  const targets = ports ?? Array.from({ length: count }, () => port);
  const rs = await Promise.all(targets.map((p) => tcpProbe({ host, port: p, src, timeoutMs })));
  return { ok: true, succeeded: rs.filter((r) => r.ok).length, failed: rs.filter((r) => !r.ok).length };
}

async function udpBurst({ host, port, count }) {
  const s = dgram.createSocket('udp4');
  let answers = 0;
  s.on('message', () => { answers++; });
  await new Promise((r) => s.bind(0, r));
  for (let i = 0; i < count; i++) s.send('x', port, host);
  await new Promise((r) => setTimeout(r, 500));
  s.close();
  return { ok: true, answers };
}

/** Keep one TCP connection busy; `streamStatus` tells how much was written and whether it broke. */
let stream = null;
function streamStart({ host, port }) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    stream = { sock: s, written: 0, error: null, timer: null };
    s.on('error', (e) => { stream.error = e.code ?? e.message; });
    s.on('connect', () => {
      s.write('stream\n');
      stream.timer = setInterval(() => { if (s.write(Buffer.alloc(1024))) stream.written += 1024; }, 5);
      resolve({ ok: true });
    });
  });
}
function streamStatus() {
  return { ok: true, written: stream?.written ?? 0, error: stream?.error ?? null, destroyed: stream?.sock.destroyed ?? true };
}
function streamStop() {
  if (stream) { clearInterval(stream.timer); stream.sock.destroy(); }
  return { ok: true };
}

const ops = { origDstServer, tcp: tcpProbe, udp: udpProbe, http: httpGet, https: httpsGet, dns: dnsQuery, listenHttps, listenTcp, listenUdp, listenHttp, transparentProxy, burst, udpBurst, streamStart, streamStatus, streamStop };

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  let cmd;
  try { cmd = JSON.parse(line); } catch { return; }
  const f = ops[cmd.op];
  let r;
  try { r = f ? await f(cmd) : { ok: false, error: `unknown op ${cmd.op}` }; } catch (e) { r = { ok: false, error: String(e?.message ?? e) }; }
  process.stdout.write(JSON.stringify({ id: cmd.id, ...r }) + '\n');
});
rl.on('close', () => process.exit(0));
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
