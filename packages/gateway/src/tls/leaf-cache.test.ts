import { describe, expect, it } from 'vitest';
import tls from 'node:tls';
import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import { LeafCache } from './leaf-cache.js';
import { generateCa } from './x509.js';
import { parseClientHello } from './client-hello.js';

describe('leaf cache', () => {
  it('mints one ECDSA P-256 leaf per name under concurrency, signed by the tenant CA', async () => {
    const ca = await generateCa('Tenant CA');
    const cache = await LeafCache.create(ca);
    const ctxs = await Promise.all(Array.from({ length: 25 }, () => cache.get('Shop.Example.JP')));
    expect(cache.minted).toBe(1);
    expect(new Set(ctxs).size).toBe(1);
    await cache.get('other.example');
    expect(cache.minted).toBe(2);
    // serve with it and verify as a client trusting only the tenant CA
    const server = tls.createServer({ SNICallback: (_n, cb) => cb(null, ctxs[0]!) }, (s) => s.end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const peer = await new Promise<tls.PeerCertificate & { raw: Buffer }>((resolve, reject) => {
      const c = tls.connect({ port, host: '127.0.0.1', servername: 'shop.example.jp', ca: ca.certificatePem }, () => {
        resolve(c.getPeerCertificate() as tls.PeerCertificate & { raw: Buffer });
        c.destroy();
      });
      c.on('error', reject);
    });
    server.close();
    const x = new X509Certificate(peer.raw);
    expect(x.subjectAltName).toBe('DNS:shop.example.jp');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
  });

  it('refuses a CA key that is not PEM with a clear message', async () => {
    const ca = await generateCa('Tenant CA');
    await expect(LeafCache.create({ certificatePem: ca.certificatePem, privateKeyPem: 'nope' })).rejects.toThrow(/private key is not a valid PEM key/);
  });
});

describe('ClientHello reader', () => {
  it('reads SNI and ALPN from a real ClientHello and rejects non-TLS and junk', async () => {
    const hello = await new Promise<Buffer>((resolve) => {
      const srv = net.createServer((s) => s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        srv.close();
      }));
      srv.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ port: (srv.address() as net.AddressInfo).port, host: '127.0.0.1', servername: 'www.example.com', ALPNProtocols: ['h2', 'http/1.1'] });
        c.on('error', () => undefined);
      });
    });
    expect(parseClientHello(hello)).toEqual({ kind: 'hello', sni: 'www.example.com', alpn: ['h2', 'http/1.1'] });
    expect(parseClientHello(hello.subarray(0, 20))).toEqual({ kind: 'need-more' });
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'not-tls' });
    expect(parseClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0, 0, 1, 0])).kind).toBe('invalid');
    const truncated = Buffer.from(hello);
    truncated.writeUInt16BE(60, 3); // record claims 60 bytes: handshake body is cut
    truncated.writeUIntBE(56, 6, 3);
    expect(parseClientHello(truncated.subarray(0, 65)).kind).toBe('invalid');
  });
});
