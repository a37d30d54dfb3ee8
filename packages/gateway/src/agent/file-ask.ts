/** The console's file-hash lookup (`POST /api/gateway/intel/files`, mutual TLS) for FileReputation. */
import { FileLookupResponse, type FileVerdict } from '@mamori/policy';
import { httpJson, type TlsClientOptions } from './http-client.js';

export function fileAsk(origin: string, tls: TlsClientOptions, timeoutMs = 1_500): (sha256: string) => Promise<FileVerdict> {
  return async (sha256) => {
    const r = await httpJson(`${origin}/api/gateway/intel/files`, 'POST', { sha256: [sha256] }, tls, timeoutMs);
    if (r.status !== 200) throw new Error(`file lookup: HTTP ${r.status}`);
    const parsed = FileLookupResponse.safeParse(r.body);
    if (!parsed.success || parsed.data.results.length !== 1) throw new Error('file lookup: unexpected answer');
    return parsed.data.results[0]!;
  };
}
