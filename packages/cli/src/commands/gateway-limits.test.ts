/** `mamori gateway` proxy limit flags: parsed into the proxy's limits, bad values refused clearly. */
import { describe, expect, it } from 'vitest';
import { limitsFrom } from './gateway.js';

describe('mamori gateway limit flags', () => {
  it('maps the flags to the proxy limits and leaves the others at their defaults', () => {
    expect(limitsFrom({})).toEqual({});
    expect(limitsFrom({ maxHeaderBytes: '8192', headersTimeout: '5000', requestTimeout: '60000', idleTimeout: '120000' })).toEqual({
      maxHeaderBytes: 8192,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 60000,
      idleTimeoutMs: 120000,
    });
    expect(limitsFrom({ fileScanMaxBytes: '0' })).toEqual({ fileScanMaxBytes: 0 });
    expect(limitsFrom({ fileScanMaxBytes: '1048576' })).toEqual({ fileScanMaxBytes: 1048576 });
  });

  it('refuses values that are not integers in range, and a header timeout above the request timeout', () => {
    expect(() => limitsFrom({ maxHeaderBytes: 'big' })).toThrow(/--max-header-bytes must be an integer >= 1024, got "big"/);
    expect(() => limitsFrom({ maxHeaderBytes: '100' })).toThrow(/--max-header-bytes must be an integer >= 1024/);
    expect(() => limitsFrom({ idleTimeout: '1.5' })).toThrow(/--idle-timeout must be an integer >= 100/);
    expect(() => limitsFrom({ fileScanMaxBytes: '-1' })).toThrow(/--file-scan-max-bytes must be an integer >= 0, got "-1"/);
    expect(() => limitsFrom({ headersTimeout: '9000', requestTimeout: '1000' })).toThrow(/--headers-timeout must not exceed --request-timeout/);
  });
});
