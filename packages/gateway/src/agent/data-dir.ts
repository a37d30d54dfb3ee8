/**
 * The gateway's data directory: identity (key 0600, client certificate, console CA, ids), the last
 * deployment (0600: it carries the decryption CA key) and the log spool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileDurable } from '../spool/spool.js';

export const Identity = z.strictObject({
  gatewayId: z.string(),
  tenantId: z.string(),
  consoleUrl: z.string(),
  syncUrl: z.string(),
});
export type Identity = z.infer<typeof Identity>;

export class DataDir {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(root, 'identity'), { recursive: true, mode: 0o700 });
  }

  get keyFile(): string {
    return path.join(this.root, 'identity', 'client-key.pem');
  }
  get certFile(): string {
    return path.join(this.root, 'identity', 'client-cert.pem');
  }
  get caFile(): string {
    return path.join(this.root, 'identity', 'console-ca.pem');
  }
  get identityFile(): string {
    return path.join(this.root, 'identity', 'gateway.json');
  }
  get deploymentFile(): string {
    return path.join(this.root, 'deployment.json');
  }
  get spoolDir(): string {
    return path.join(this.root, 'spool');
  }

  /** written with 0600 whatever the umask */
  writeSecret(file: string, data: string): void {
    writeFileDurable(file, data);
    fs.chmodSync(file, 0o600);
  }

  readIdentity(): { identity: Identity; keyPem: string; certPem: string; caPem: string } | null {
    if (!fs.existsSync(this.identityFile)) return null;
    const identity = Identity.parse(JSON.parse(fs.readFileSync(this.identityFile, 'utf8')));
    return {
      identity,
      keyPem: fs.readFileSync(this.keyFile, 'utf8'),
      certPem: fs.readFileSync(this.certFile, 'utf8'),
      caPem: fs.readFileSync(this.caFile, 'utf8'),
    };
  }
}
