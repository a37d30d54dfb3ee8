/**
 * Bench origin: HTTP and HTTPS servers answering 1 KiB, in their own process. argv: certDir.
 * The HTTPS origin listens on 127.0.0.1:443 when that port is free, because e2guardian only
 * intercepts (MITM) CONNECTs to port 443; otherwise on an ephemeral port (and says so).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type net from 'node:net';

const dir = process.argv[2]!;
const body = Buffer.alloc(1024, 'm');
const handler: http.RequestListener = (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
};
const h = http.createServer({ keepAliveTimeout: 60_000 }, handler);
const s = https.createServer({ key: fs.readFileSync(path.join(dir, 'origin.key')), cert: fs.readFileSync(path.join(dir, 'origin.pem')), keepAliveTimeout: 60_000 }, handler);

function listen(srv: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      srv.off('error', reject);
      resolve((srv.address() as net.AddressInfo).port);
    });
  });
}

const httpPort = await listen(h, 0);
const httpsPort = await listen(s, 443).catch(() => listen(s, 0));
process.stdout.write(JSON.stringify({ http: httpPort, https: httpsPort }) + '\n');
