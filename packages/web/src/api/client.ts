/**
 * The HTTP client: JSON in and out, the session cookie, the CSRF header, and the console's coded
 * problems turned into an ApiError that pages map onto their fields.
 */
import type { Localized, Problem } from '@mamori/policy';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly localized: Localized | undefined,
    readonly problems: Problem[],
  ) {
    super(localized?.en ?? code);
  }
  text(lang: 'ja' | 'en'): string {
    return this.localized?.[lang] ?? this.code;
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function cookie(name: string): string | null {
  const m = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${name}=`));
  return m ? decodeURIComponent(m.slice(name.length + 1)) : null;
}

function csrfHeader(): Record<string, string> {
  const token = csrfToken ?? cookie('mamori_csrf') ?? cookie('csrf');
  return token ? { 'x-csrf-token': token } : {};
}

function isLocalized(v: unknown): v is Localized {
  return typeof v === 'object' && v !== null && typeof (v as Localized).ja === 'string' && typeof (v as Localized).en === 'string';
}

/** Accepts { error: { code, message }, problems } and the flatter { code, message, problems }. */
export function toApiError(status: number, body: unknown): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const err = (typeof b['error'] === 'object' && b['error'] !== null ? b['error'] : b) as Record<string, unknown>;
  const code = typeof err['code'] === 'string' ? err['code'] : `http.${status}`;
  const msg = isLocalized(err['message']) ? err['message'] : isLocalized(err['messages']) ? err['messages'] : undefined;
  const rawProblems = (Array.isArray(err['problems']) ? err['problems'] : Array.isArray(b['problems']) ? b['problems'] : []) as unknown[];
  const problems = rawProblems.filter((p): p is Problem => typeof p === 'object' && p !== null && typeof (p as Problem).path === 'string');
  return new ApiError(status, code, msg, problems);
}

export interface RequestOptions {
  body?: unknown;
  /** send raw bytes (an uploaded backup file) instead of JSON */
  raw?: Blob | ArrayBuffer;
  contentType?: string;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(method === 'GET' ? {} : csrfHeader()) };
  let body: BodyInit | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.contentType ?? 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', undefined, []);
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) throw toApiError(res.status, data);
  return data as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body === undefined ? {} : { body });
export const put = <T>(path: string, body?: unknown) => request<T>('PUT', path, { body });
export const patch = <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body });
export const del = <T>(path: string) => request<T>('DELETE', path);
