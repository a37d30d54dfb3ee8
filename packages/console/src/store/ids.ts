import crypto from 'node:crypto';

/** Time-ordered, unguessable ids: sort by creation when compared as strings. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${crypto.randomBytes(8).toString('hex')}`;
}

/** A secret to hand out (links, tokens); only its hash is stored. */
export function newSecret(bytes = 24): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256(s: string | Buffer): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}
