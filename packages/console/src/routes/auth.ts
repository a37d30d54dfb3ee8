import { z } from 'zod';
import { Ok, type RouteRegistry } from '../http/registry.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../http/mount.js';
import { ApiError } from '../errors.js';
import { PRIVACY_NOTICE_VERSION, SESSION_MS } from '../services/auth.js';
import type { AccountRow } from '../store/schema.js';

export const AccountView = z.strictObject({
  id: z.string(),
  tenantId: z.string().nullable(),
  role: z.enum(['operator', 'tenantAdmin', 'tenantViewer']),
  email: z.string(),
  name: z.string(),
  lang: z.enum(['ja', 'en']),
  passwordSet: z.boolean(),
  totpEnabled: z.boolean(),
  privacyAcceptedAt: z.number().nullable(),
  createdAt: z.number(),
});

export function accountView(a: AccountRow): z.infer<typeof AccountView> {
  return {
    id: a.id,
    tenantId: a.tenant_id,
    role: a.role,
    email: a.email,
    name: a.name,
    lang: a.lang,
    passwordSet: a.password_hash !== null,
    totpEnabled: a.totp_enabled === 1,
    privacyAcceptedAt: a.privacy_accepted_at,
    createdAt: a.created_at,
  };
}

const SessionView = z.strictObject({
  account: AccountView,
  csrfToken: z.string(),
  privacyNoticeRequired: z.boolean(),
  privacyNoticeVersion: z.string(),
});

const Password = z.string().min(1).max(256);

export function authRoutes(r: RouteRegistry): void {
  r.add({
    method: 'POST',
    url: '/api/auth/login',
    area: 'auth',
    summary: 'Sign in with the account name (TMF…) or email, password and, when enabled, the TOTP code',
    access: 'public',
    tenantScoped: false,
    csrfExempt: true,
    body: z.strictObject({ login: z.string().min(1).max(254), password: Password, totp: z.string().regex(/^\d{6}$/).optional() }),
    response: SessionView,
    handler: async ({ body, services, req, reply }) => {
      const s = await services.auth.login({ login: body.login, password: body.password, totp: body.totp, ip: req.ip });
      reply.setCookie(SESSION_COOKIE, s.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: services.publicUrl().startsWith('https:'),
        path: '/',
        maxAge: Math.floor(SESSION_MS / 1000),
      });
      return { account: accountView(s.account), csrfToken: s.csrf, privacyNoticeRequired: s.account.privacy_accepted_at === null, privacyNoticeVersion: PRIVACY_NOTICE_VERSION };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/auth/logout',
    area: 'auth',
    summary: 'Sign out',
    access: 'signedIn',
    tenantScoped: false,
    response: Ok,
    handler: async ({ auth, services, reply }) => {
      if (auth.kind === 'session') await services.auth.logout(auth.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/auth/session',
    area: 'auth',
    summary: `The signed-in account and the CSRF token to send as ${CSRF_HEADER}`,
    access: 'signedIn',
    tenantScoped: false,
    response: SessionView,
    handler: async ({ auth }) => {
      if (auth.kind !== 'session') throw new ApiError('auth.required');
      return { account: accountView(auth.account), csrfToken: auth.csrf, privacyNoticeRequired: auth.account.privacy_accepted_at === null, privacyNoticeVersion: PRIVACY_NOTICE_VERSION };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/auth/privacy',
    area: 'auth',
    summary: 'Accept the privacy notice (asked at the first sign-in)',
    access: 'signedIn',
    tenantScoped: false,
    body: z.strictObject({ accept: z.literal(true), version: z.string().max(32) }),
    response: z.strictObject({ acceptedAt: z.number() }),
    handler: async ({ auth, services }) => {
      if (auth.kind !== 'session') throw new ApiError('auth.required');
      const at = await services.auth.acceptPrivacy(auth.account.id);
      await services.store.audit({ actor: auth.account.id, action: 'account.privacy_accept', target: auth.account.id, after: { at } }, auth.account.tenant_id);
      return { acceptedAt: at };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/auth/password-link',
    area: 'auth',
    summary: 'What a password-setting or reset link is for (the login ID to show); errors when expired or used',
    access: 'public',
    tenantScoped: false,
    query: z.strictObject({ token: z.string().min(10).max(128) }),
    response: z.strictObject({ accountId: z.string(), purpose: z.enum(['set-password', 'reset-password']) }),
    handler: async ({ query, services }) => services.auth.inspectLink(query.token),
  });
  r.add({
    method: 'POST',
    url: '/api/auth/password',
    area: 'auth',
    summary: 'Set a password with a link from a mail (valid 7 days, single use)',
    access: 'public',
    tenantScoped: false,
    csrfExempt: true,
    body: z.strictObject({ token: z.string().min(10).max(128), password: Password, confirm: Password }),
    response: z.strictObject({ accountId: z.string() }),
    handler: async ({ body, services }) => {
      const r2 = await services.auth.setPassword(body.token, body.password, body.confirm);
      await services.store.audit({ actor: r2.accountId, action: 'account.password_set', target: r2.accountId });
      return r2;
    },
  });
  r.add({
    method: 'POST',
    url: '/api/auth/password-reset',
    area: 'auth',
    summary: 'Mail a password-reset link (the answer is the same whether or not the account exists)',
    access: 'public',
    tenantScoped: false,
    csrfExempt: true,
    body: z.strictObject({ login: z.string().min(1).max(254) }),
    response: Ok,
    handler: async ({ body, services }) => {
      await services.auth.requestReset(body.login);
      return { ok: true as const };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/auth/totp/setup',
    area: 'auth',
    summary: 'Start TOTP set-up: returns the secret and otpauth URI to scan',
    access: 'signedIn',
    tenantScoped: false,
    response: z.strictObject({ secret: z.string(), uri: z.string() }),
    handler: async ({ auth, services }) => {
      if (auth.kind !== 'session') throw new ApiError('auth.required');
      return services.auth.startTotp(auth.account);
    },
  });
  r.add({
    method: 'POST',
    url: '/api/auth/totp/confirm',
    area: 'auth',
    summary: 'Confirm TOTP set-up with a current code; sign-in then needs a code',
    access: 'signedIn',
    tenantScoped: false,
    body: z.strictObject({ code: z.string().regex(/^\d{6}$/) }),
    response: Ok,
    handler: async ({ auth, body, services }) => {
      if (auth.kind !== 'session') throw new ApiError('auth.required');
      await services.auth.confirmTotp(auth.account.id, body.code);
      await services.store.audit({ actor: auth.account.id, action: 'account.totp_enable', target: auth.account.id }, auth.account.tenant_id);
      return { ok: true as const };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/auth/totp/disable',
    area: 'auth',
    summary: 'Turn TOTP off (needs a current code)',
    access: 'signedIn',
    tenantScoped: false,
    body: z.strictObject({ code: z.string().regex(/^\d{6}$/) }),
    response: Ok,
    handler: async ({ auth, body, services }) => {
      if (auth.kind !== 'session') throw new ApiError('auth.required');
      await services.auth.disableTotp(auth.account.id, body.code);
      await services.store.audit({ actor: auth.account.id, action: 'account.totp_disable', target: auth.account.id }, auth.account.tenant_id);
      return { ok: true as const };
    },
  });
}
