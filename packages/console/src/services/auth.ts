/**
 * Accounts and sign-in (manual §3): account ids TMF + 10 digits, password-setting and reset
 * links (7 days, single use), argon2id, sessions with a CSRF token, login throttling per
 * client address and lockout per account, optional TOTP, the privacy notice.
 */
import crypto from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { generateSecret, generateURI, verify as totpVerify } from 'otplib';
import { ApiError } from '../errors.js';
import { newAccountMail, passwordResetMail, type Lang } from '../mail/templates.js';
import type { AccountRow, Role } from '../store/schema.js';
import { newSecret, sha256 } from '../store/ids.js';
import type { Store } from '../store/store.js';
import type { Mailer } from '../mail/mailer.js';

export const LINK_VALID_MS = 7 * 24 * 3600 * 1000;
export const SESSION_MS = 12 * 3600 * 1000;
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;
/** failed attempts per client address per window before 429 */
export const THROTTLE_MAX = 20;
export const THROTTLE_WINDOW_MS = 5 * 60 * 1000;
export const PRIVACY_NOTICE_VERSION = '2026-11';

export interface AuthDeps {
  store: Store;
  mailer: Mailer;
  publicUrl: () => string;
  now?: () => number;
}

export class AuthService {
  private readonly failuresByIp = new Map<string, number[]>();
  constructor(private readonly d: AuthDeps) {}

  private now(): number {
    return this.d.now ? this.d.now() : Date.now();
  }

  async newAccountId(): Promise<string> {
    for (;;) {
      const digits = crypto.randomInt(0, 10_000_000_000).toString().padStart(10, '0');
      const id = `TMF${digits}`;
      if (!(await this.d.store.accounts.exists(id))) return id;
    }
  }

  /** Creates the account and mails it the login URL, its name and a password-setting link. */
  async createAccount(a: { tenantId: string | null; role: Role; email: string; name: string; lang: Lang }): Promise<{ account: AccountRow; setPasswordUrl: string }> {
    const email = a.email.toLowerCase();
    if (await this.d.store.accounts.byEmail(email)) throw new ApiError('account.email_taken');
    const id = await this.newAccountId();
    const row: AccountRow = {
      id,
      tenant_id: a.tenantId,
      role: a.role,
      email,
      name: a.name,
      lang: a.lang,
      password_hash: null,
      totp_secret: null,
      totp_enabled: 0,
      privacy_accepted_at: null,
      failed_logins: 0,
      locked_until: null,
      created_at: this.now(),
    };
    await this.d.store.accounts.insert(row);
    const setPasswordUrl = await this.sendNewAccountMail(row);
    return { account: row, setPasswordUrl };
  }

  async sendNewAccountMail(account: AccountRow): Promise<string> {
    const setPasswordUrl = await this.issueLink(account.id, 'set-password');
    const mail = newAccountMail(account.lang, { loginUrl: this.loginUrl(), accountId: account.id, setPasswordUrl, validDays: 7 });
    await this.d.mailer.send({ tenantId: account.tenant_id, to: account.email, ...mail });
    return setPasswordUrl;
  }

  loginUrl(): string {
    return `${this.d.publicUrl()}/login`;
  }

  async issueLink(accountId: string, purpose: 'set-password' | 'reset-password'): Promise<string> {
    const token = newSecret(32);
    await this.d.store.accountTokens.insert({ token_hash: sha256(token), account_id: accountId, purpose, expires_at: this.now() + LINK_VALID_MS, used_at: null, created_at: this.now() });
    return `${this.d.publicUrl()}/${purpose}?token=${token}`;
  }

  /** What a link is for, without using it (the UI shows "ログインID: TMF…"). */
  async inspectLink(token: string): Promise<{ accountId: string; purpose: 'set-password' | 'reset-password' }> {
    const t = await this.validLink(token);
    return { accountId: t.account_id, purpose: t.purpose };
  }

  private async validLink(token: string) {
    const t = await this.d.store.accountTokens.byHash(sha256(token));
    if (!t) throw new ApiError('auth.link_invalid');
    if (t.used_at !== null) throw new ApiError('auth.link_used');
    if (t.expires_at <= this.now()) throw new ApiError('auth.link_expired');
    return t;
  }

  /** Uses a set-password or reset link once. */
  async setPassword(token: string, password: string, confirm: string): Promise<{ accountId: string }> {
    const t = await this.validLink(token);
    if (password !== confirm) throw new ApiError('auth.password_mismatch');
    checkStrength(password);
    const hash = await argonHash(password);
    return this.d.store.transaction(async (tx) => {
      if (!(await tx.accountTokens.consume(t.token_hash, this.now()))) throw new ApiError('auth.link_used');
      await tx.accounts.update(t.account_id, { password_hash: hash, failed_logins: 0, locked_until: null });
      // a new password ends every other session and link of the account
      await tx.sessions.deleteForAccount(t.account_id);
      await tx.accountTokens.invalidate(t.account_id, this.now());
      return { accountId: t.account_id };
    });
  }

  /** Always answers the same, whether or not the account exists. */
  async requestReset(login: string): Promise<void> {
    const account = await this.findLogin(login);
    if (!account) return;
    const resetUrl = await this.issueLink(account.id, 'reset-password');
    const mail = passwordResetMail(account.lang, { accountId: account.id, resetUrl, validDays: 7 });
    await this.d.mailer.send({ tenantId: account.tenant_id, to: account.email, ...mail });
  }

  private async findLogin(login: string): Promise<AccountRow | undefined> {
    const l = login.trim();
    return /^TMF\d{10}$/i.test(l) ? this.d.store.accounts.byId(l.toUpperCase()) : this.d.store.accounts.byEmail(l);
  }

  private throttled(ip: string): boolean {
    const now = this.now();
    const list = (this.failuresByIp.get(ip) ?? []).filter((t) => t > now - THROTTLE_WINDOW_MS);
    this.failuresByIp.set(ip, list);
    return list.length >= THROTTLE_MAX;
  }

  private noteFailure(ip: string): void {
    const list = this.failuresByIp.get(ip) ?? [];
    list.push(this.now());
    this.failuresByIp.set(ip, list);
  }

  async login(p: { login: string; password: string; totp?: string | undefined; ip: string }): Promise<{ account: AccountRow; sessionId: string; csrf: string; expiresAt: number }> {
    if (this.throttled(p.ip)) throw new ApiError('auth.throttled');
    const account = await this.findLogin(p.login);
    if (!account) {
      this.noteFailure(p.ip);
      // spend the same time as a real check so that account names cannot be probed by timing
      await argonVerify(DUMMY_HASH, p.password).catch(() => false);
      throw new ApiError('auth.invalid_credentials');
    }
    const now = this.now();
    if (account.locked_until !== null && account.locked_until > now) throw new ApiError('auth.locked');
    if (account.password_hash === null) {
      this.noteFailure(p.ip);
      throw new ApiError('auth.password_not_set');
    }
    const ok = await argonVerify(account.password_hash, p.password).catch(() => false);
    if (!ok) {
      this.noteFailure(p.ip);
      const failed = account.failed_logins + 1;
      if (failed >= LOCKOUT_THRESHOLD) {
        await this.d.store.accounts.update(account.id, { failed_logins: 0, locked_until: now + LOCKOUT_MS });
        throw new ApiError('auth.locked');
      }
      await this.d.store.accounts.update(account.id, { failed_logins: failed });
      throw new ApiError('auth.invalid_credentials');
    }
    if (account.totp_enabled === 1 && account.totp_secret) {
      if (!p.totp) throw new ApiError('auth.totp_required');
      const r = await totpVerify({ secret: account.totp_secret, token: p.totp });
      if (!r.valid) {
        this.noteFailure(p.ip);
        await this.d.store.accounts.update(account.id, { failed_logins: account.failed_logins + 1 });
        throw new ApiError('auth.totp_invalid');
      }
    }
    await this.d.store.accounts.update(account.id, { failed_logins: 0, locked_until: null });
    const sessionId = newSecret(32);
    const csrf = newSecret(24);
    const expiresAt = now + SESSION_MS;
    await this.d.store.sessions.insert({ id_hash: sha256(sessionId), account_id: account.id, csrf, created_at: now, expires_at: expiresAt });
    return { account, sessionId, csrf, expiresAt };
  }

  async session(sessionId: string): Promise<{ account: AccountRow; csrf: string } | undefined> {
    const s = await this.d.store.sessions.byHash(sha256(sessionId));
    if (!s) return undefined;
    if (s.expires_at <= this.now()) {
      await this.d.store.sessions.delete(s.id_hash);
      return undefined;
    }
    const account = await this.d.store.accounts.byId(s.account_id);
    return account && { account, csrf: s.csrf };
  }

  async logout(sessionId: string): Promise<void> {
    await this.d.store.sessions.delete(sha256(sessionId));
  }

  async acceptPrivacy(accountId: string): Promise<number> {
    const at = this.now();
    await this.d.store.accounts.update(accountId, { privacy_accepted_at: at });
    return at;
  }

  async startTotp(account: AccountRow): Promise<{ secret: string; uri: string }> {
    const secret = generateSecret();
    await this.d.store.accounts.update(account.id, { totp_secret: secret, totp_enabled: 0 });
    return { secret, uri: generateURI({ issuer: 'Mamori', label: account.id, secret }) };
  }

  async confirmTotp(accountId: string, code: string): Promise<void> {
    const a = await this.d.store.accounts.byId(accountId);
    if (!a?.totp_secret) throw new ApiError('auth.totp_not_pending');
    const r = await totpVerify({ secret: a.totp_secret, token: code });
    if (!r.valid) throw new ApiError('auth.totp_invalid');
    await this.d.store.accounts.update(accountId, { totp_enabled: 1 });
  }

  async disableTotp(accountId: string, code: string): Promise<void> {
    const a = await this.d.store.accounts.byId(accountId);
    if (!a?.totp_secret || a.totp_enabled !== 1) throw new ApiError('auth.totp_not_pending');
    const r = await totpVerify({ secret: a.totp_secret, token: code });
    if (!r.valid) throw new ApiError('auth.totp_invalid');
    await this.d.store.accounts.update(accountId, { totp_enabled: 0, totp_secret: null });
  }
}

// argon2id hash of a random string, for constant-time behaviour on unknown accounts
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0k1i0n3Vh3b2cSxrWv1mJm6E0R7sZl2V0y8J8s0n9cA';

export function checkStrength(pw: string): void {
  if (pw.length < 12 || pw.length > 256 || !/[A-Za-z]/.test(pw) || !/\d/.test(pw)) throw new ApiError('auth.password_weak');
}
