/** JSON over HTTP(S) with optional client certificate (enrollment, event batches). */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { asciiJson } from '@mamori/policy';

export interface TlsClientOptions {
  key?: string;
  cert?: string;
  /** CA to trust in addition to Node's store */
  ca?: string;
}

export function httpJson(url: string, method: 'GET' | 'POST', body: unknown, tls: TlsClientOptions = {}, timeoutMs = 15_000): Promise<{ status: number; body: unknown }> {
  const u = new URL(url);
  // ASCII JSON (non-ASCII as \u escapes): the console reads it as a one-byte string
  const data = body === undefined ? undefined : Buffer.from(asciiJson(body), 'latin1');
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method,
        headers: { accept: 'application/json', ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) },
        timeout: timeoutMs,
        ...(u.protocol === 'https:' ? { key: tls.key, cert: tls.cert, ...(tls.ca ? { ca: [...rootCertificates, tls.ca] } : {}) } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 4 * 1024 * 1024) req.destroy(new Error('console answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // keep text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${u.host} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}
