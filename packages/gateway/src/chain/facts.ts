/** What a proxy knows about one request (or one TLS handshake) when it runs the chain. */
export interface RequestFacts {
  requestId: string;
  srcIp: string;
  dstIp?: string;
  dstPort: number;
  host: string;
  scheme: 'http' | 'https';
  /** absent at handshake level (SNI/CONNECT only) */
  method?: string;
  path?: string;
  url?: string;
  sni?: string;
  alpn?: string;
  decrypted: boolean;
  /** 'l4': more (URL, app) may come after decryption; 'l7': final */
  stage: 'l4' | 'l7';
}
