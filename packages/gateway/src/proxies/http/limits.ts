/** Limits of the web proxy; every one configurable (DESIGN "huge headers, slow clients ... bounded"). */
export interface ProxyLimits {
  /** request line + headers, bytes (Node's parser rejects more with 431) */
  maxHeaderBytes: number;
  /** time to receive the complete request headers */
  headersTimeoutMs: number;
  /** time to receive the complete request */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** time to receive a TLS ClientHello after CONNECT / on 443 */
  helloTimeoutMs: number;
  /** an idle tunnel or connection is closed after this */
  idleTimeoutMs: number;
  /** how often slow-header/request timeouts are checked */
  checkIntervalMs: number;
  /** downloads up to this size are held, hashed and checked against file-hash reputation (0: off) */
  fileScanMaxBytes: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  helloTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  checkIntervalMs: 1_000,
  fileScanMaxBytes: 8 * 1024 * 1024,
};
