/** HTTP/1.x request lines and headers from the start of a client stream. */

export interface HttpRequest {
  method: string;
  path: string;
  version: string;
  host?: string;
  userAgent?: string;
  headers: Array<[string, string]>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH', 'NOTIFY', 'M-SEARCH', 'SUBSCRIBE', 'UNSUBSCRIBE', 'SOURCE']);

/** Parse up to `max` pipelined requests (bodies with Content-Length are skipped). */
export function parseHttpRequests(stream: Uint8Array, max = 4, maxHeaderBytes = 16_384): HttpRequest[] {
  const out: HttpRequest[] = [];
  let off = 0;
  while (out.length < max && off < stream.length) {
    const limit = Math.min(stream.length, off + maxHeaderBytes);
    const text = Buffer.from(stream.buffer, stream.byteOffset + off, limit - off).toString('latin1');
    const sp = text.indexOf(' ');
    if (sp <= 0 || !METHODS.has(text.slice(0, sp))) break;
    const headEnd = text.indexOf('\r\n\r\n');
    const lines = (headEnd === -1 ? text : text.slice(0, headEnd)).split(/\r?\n/);
    const m = /^(\S+) (\S+)(?: (HTTP\/\d(?:\.\d)?))?$/.exec(lines[0] ?? '');
    if (!m) break;
    const req: HttpRequest = { method: m[1]!, path: m[2]!, version: m[3] ?? 'HTTP/0.9', headers: [] };
    for (const line of lines.slice(1)) {
      const c = line.indexOf(':');
      if (c <= 0) continue;
      const name = line.slice(0, c).trim();
      const value = line.slice(c + 1).trim();
      req.headers.push([name, value]);
      const lower = name.toLowerCase();
      if (lower === 'host' && req.host === undefined) req.host = value;
      else if (lower === 'user-agent' && req.userAgent === undefined) req.userAgent = value;
    }
    // absolute-form request target carries the host
    if (req.host === undefined) {
      const abs = /^[a-z]+:\/\/([^/?#]+)/i.exec(req.path);
      if (abs) req.host = abs[1];
      else if (req.method === 'CONNECT') req.host = req.path;
    }
    out.push(req);
    if (headEnd === -1) break;
    const clen = Number(req.headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1] ?? '0');
    off += headEnd + 4 + (Number.isFinite(clen) && clen > 0 ? clen : 0);
  }
  return out;
}
