/**
 * Test helpers: a console on ephemeral ports and a signed-in HTTP client (cookie + CSRF).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConsole, type Console } from '../app.js';
import type { ConsoleOptions } from '../config.js';
import type { Role } from '../store/schema.js';

export async function testConsole(extra: Partial<ConsoleOptions> = {}): Promise<Console & { dataDir: string }> {
  const dataDir = extra.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-console-'));
  const c = await createConsole({ host: '127.0.0.1', port: 0, gatewayPort: 0, dataDir, logLevel: 'silent', ...extra });
  const close = c.close.bind(c);
  return Object.assign(c, {
    dataDir,
    close: async () => {
      await close();
      if (!extra.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export interface Res<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  raw: Buffer;
}

export class Client {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async req<T = Record<string, unknown>>(method: string, url: string, body?: unknown, opts: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.cookie) headers['cookie'] = this.cookie;
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(this.base + url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const setCookie = r.headers.get('set-cookie');
    if (setCookie) {
      const m = /mamori_session=([^;]*)/.exec(setCookie);
      if (m) this.cookie = m[1] ? `mamori_session=${m[1]}` : '';
    }
    const raw = Buffer.from(await r.arrayBuffer());
    const ct = r.headers.get('content-type') ?? '';
    const parsed = ct.includes('json') && raw.length ? (JSON.parse(raw.toString('utf8')) as T) : (raw.toString('utf8') as unknown as T);
    return { status: r.status, body: parsed, headers: r.headers, raw };
  }
  get<T = Record<string, unknown>>(url: string) {
    return this.req<T>('GET', url);
  }
  post<T = Record<string, unknown>>(url: string, body?: unknown) {
    return this.req<T>('POST', url, body ?? {});
  }
  put<T = Record<string, unknown>>(url: string, body?: unknown) {
    return this.req<T>('PUT', url, body ?? {});
  }
  patch<T = Record<string, unknown>>(url: string, body?: unknown) {
    return this.req<T>('PATCH', url, body ?? {});
  }
  del<T = Record<string, unknown>>(url: string) {
    return this.req<T>('DELETE', url);
  }

  async login(login: string, password: string, acceptPrivacy = true): Promise<Res> {
    const r = await this.post('/api/auth/login', { login, password });
    if (r.status === 200) {
      this.csrf = String((r.body as { csrfToken: string }).csrfToken);
      if (acceptPrivacy && (r.body as { privacyNoticeRequired: boolean }).privacyNoticeRequired) {
        const p = await this.post('/api/auth/privacy', { accept: true, version: '2026-11' });
        if (p.status !== 200) throw new Error(`privacy: ${p.status}`);
      }
    }
    return r;
  }
}

export const PASSWORD = 'correct horse 42 battery';

export function tokenOf(url: string): string {
  const t = new URL(url).searchParams.get('token');
  if (!t) throw new Error(`no token in ${url}`);
  return t;
}

/** An account with a password, signed in, privacy accepted. */
export async function signedIn(c: Console, role: Role, tenantId: string | null, email: string): Promise<{ client: Client; accountId: string }> {
  const { account, setPasswordUrl } = await c.services.auth.createAccount({ tenantId, role, email, name: email, lang: 'ja' });
  await c.services.auth.setPassword(tokenOf(setPasswordUrl), PASSWORD, PASSWORD);
  const client = new Client(c.url);
  const r = await client.login(account.id, PASSWORD);
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { client, accountId: account.id };
}
