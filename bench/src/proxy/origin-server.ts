/** Bench origin: HTTP and HTTPS servers answering 1 KiB, in their own process. argv: certDir */
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
h.listen(0, '127.0.0.1', () => {
  s.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ http: (h.address() as net.AddressInfo).port, https: (s.address() as net.AddressInfo).port }) + '\n');
  });
});
