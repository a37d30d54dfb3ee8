/**
 * File-hash reputation of downloads through the proxy: samples are random bytes made at run time
 * (no malware, no EICAR in the repo) whose hashes are put on the local intel list or answered by
 * a stand-in for the console's cloud lookup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { ProxyAgent, request } from 'undici';
import type { FileVerdict } from '@mamori/policy';
import { makePki } from '../../test-support/origins.js';
import { startTestGateway, testPolicy, type TestGateway } from '../../test-support/gateway.js';
import { FileReputation, isScannableDownload } from '../../chain/file-reputation.js';

const sample = (n: number) => crypto.randomBytes(n);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const files = {
  benign: sample(300_000),
  small: sample(20_000),
  local: sample(50_000),
  cloud: sample(70_000),
  big: sample(200_000),
};
let origin: http.Server;
let port: number;
let gw: TestGateway;
let agent: ProxyAgent;
let cloudAnswers: Record<string, FileVerdict['verdict']>;
let asked: string[];

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    const name = (req.url ?? '').replace(/^\/(chunked\/)?/, '').replace(/\..*$/, '') as keyof typeof files;
    const body = files[name];
    if (!body) return res.writeHead(404).end();
    const chunked = (req.url ?? '').startsWith('/chunked/');
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...(chunked ? {} : { 'content-length': body.length }) });
    // in pieces, like a real download
    for (let i = 0; i < body.length; i += 16_384) res.write(body.subarray(i, i + 16_384));
    res.end();
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  port = (origin.address() as net.AddressInfo).port;
  gw = await startTestGateway(await makePki(), testPolicy(), { files: { [sha(files.local)]: 'Test.Sample.Local' } }, { limits: { fileScanMaxBytes: 100_000 } });
  cloudAnswers = { [sha(files.cloud)]: 'malicious' };
  asked = [];
  gw.rt.files.setAsk(async (h) => {
    asked.push(h);
    return { sha256: h, verdict: cloudAnswers[h] ?? 'unknown', ...(cloudAnswers[h] === 'malicious' ? { name: 'Test.Sample.Cloud' } : {}) };
  });
  agent = new ProxyAgent({ uri: gw.url, proxyTunnel: false });
});

afterAll(async () => {
  await agent?.close();
  await gw?.close();
  origin.closeAllConnections();
  await new Promise((r) => origin.close(r));
});

async function download(path: string): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  const r = await request(`http://files.test:${port}${path}`, { dispatcher: agent, headers: { 'accept-language': 'en' } });
  return { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()), headers: r.headers };
}

describe('file-hash reputation of downloads', () => {
  it('passes a benign file unchanged (over the scan limit: streamed) and one under the limit after its check', async () => {
    const big = await download('/benign.bin');
    expect(big.status).toBe(200);
    expect(sha(big.body)).toBe(sha(files.benign));
    const small = await download('/small.bin');
    expect(small.status).toBe(200);
    expect(sha(small.body)).toBe(sha(files.small));
    expect(small.headers['content-type']).toBe('application/octet-stream');
    // checked: local list, then the console
    expect(asked).toContain(sha(files.small));
    expect(asked).not.toContain(sha(files.benign));
  });

  it('replaces a file on the local intel list with the block page and logs a malware event with the hash', async () => {
    const r = await download('/local.bin');
    expect(r.status).toBe(403);
    const page = r.body.toString();
    expect(page).toContain('Malicious file');
    expect(page).toContain(sha(files.local));
    expect(page).toContain('Test.Sample.Local');
    expect(r.headers['x-mamori-block-reason']).toBe('file');
    const ev = gw.sink.events.find((e) => e.type === 'security' && e.fileSha256 === sha(files.local));
    expect(ev).toMatchObject({ threatType: 'malware', action: 'block', signature: sha(files.local), fileName: 'Test.Sample.Local', host: 'files.test', severity: 'high' });
    expect(gw.sink.events.find((e) => e.type === 'access' && String(e.url).endsWith('/local.bin'))).toMatchObject({ action: 'block', status: 403 });
    // the local list answers: the console is not asked
    expect(asked).not.toContain(sha(files.local));
  });

  it('blocks a file only the console knows, from a body without Content-Length too', async () => {
    cloudAnswers = { [sha(files.cloud)]: 'malicious' };
    const r = await download('/chunked/cloud.bin');
    expect(r.status).toBe(403);
    expect(r.body.toString()).toContain(sha(files.cloud));
    expect(asked).toContain(sha(files.cloud));
    expect(gw.sink.events.filter((e) => e.type === 'security' && e.fileSha256 === sha(files.cloud)).length).toBeGreaterThanOrEqual(1);
  });

  it('passes a download larger than the limit without Content-Length unchecked and intact', async () => {
    cloudAnswers = { [sha(files.big)]: 'malicious' };
    const r = await download('/chunked/big.bin');
    expect(r.status).toBe(200);
    expect(sha(r.body)).toBe(sha(files.big));
  });

  it('keeps the download going when the console does not answer (lookup timeout)', async () => {
    const before = gw.rt.files;
    try {
      gw.rt.files = new FileReputation({ local: () => undefined, ask: () => new Promise<never>(() => undefined), timeoutMs: 300 });
      const unknown = sample(40_000);
      files.benign = unknown; // served at /benign.bin from now on, under the limit
      const r = await download('/benign.bin');
      expect(r.status).toBe(200);
      expect(sha(r.body)).toBe(sha(unknown));
      expect(gw.rt.files.stats.cloudFailed).toBe(1);
    } finally {
      gw.rt.files = before;
    }
  });

  it('holds only downloads: pages, scripts, images and encoded bodies are not held', () => {
    const h = (headers: Record<string, string>) => isScannableDownload('GET', 200, headers, 1000);
    expect(h({ 'content-type': 'application/octet-stream', 'content-length': '500' })).toBe(true);
    expect(h({ 'content-type': 'application/zip' })).toBe(true);
    expect(h({ 'content-type': 'text/plain', 'content-disposition': 'attachment; filename="a.exe"' })).toBe(true);
    expect(h({})).toBe(true);
    expect(h({ 'content-type': 'text/html; charset=utf-8' })).toBe(false);
    expect(h({ 'content-type': 'text/plain', 'content-length': '1024' })).toBe(false);
    expect(h({ 'content-type': 'application/javascript' })).toBe(false);
    expect(h({ 'content-type': 'image/png' })).toBe(false);
    expect(h({ 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' })).toBe(false);
    expect(h({ 'content-type': 'application/octet-stream', 'content-length': '5000' })).toBe(false);
    expect(isScannableDownload('HEAD', 200, { 'content-type': 'application/zip' }, 1000)).toBe(false);
    expect(isScannableDownload('GET', 206, { 'content-type': 'application/zip' }, 1000)).toBe(false);
    expect(isScannableDownload('GET', 200, { 'content-type': 'application/zip' }, 0)).toBe(false);
  });
});
