/**
 * The configuration store. Global tables (tenants, accounts, sessions, …) are on Store; every
 * table a tenant owns is reachable only through `store.tenant(tenantId)`, whose queries all
 * carry the tenant id. There is deliberately no method that lists tenant-owned rows without one.
 */
import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type {
  AccountsTable,
  AccountRow,
  AuditRow,
  BackupRow,
  Database,
  GatewayRow,
  GatewaysTable,
  OutboxRow,
  OutboxTable,
  TenantRow,
} from './schema.js';
import type { Dialect } from './db.js';
import { newId } from './ids.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditInput {
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export class Store {
  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
  ) {}

  tenant(tenantId: string): TenantStore {
    if (!tenantId) throw new Error('tenant id required');
    return new TenantStore(this.db, tenantId);
  }

  /** Run fn in one transaction; the Store passed to fn uses it. */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return (this.db as Kysely<Database>).transaction().execute((trx) => fn(new Store(trx, this.dialect)));
  }

  async close(): Promise<void> {
    if (!this.db.isTransaction) await (this.db as Kysely<Database>).destroy();
  }

  // --- tenants (operator's view) --------------------------------------------------------
  readonly tenants = {
    create: async (t: { name: string; model: number }): Promise<TenantRow> => {
      const row: TenantRow = { id: newId('tn'), name: t.name, model: t.model, created_at: Date.now() };
      await this.db.insertInto('tenants').values(row).execute();
      return row;
    },
    get: async (id: string): Promise<TenantRow | undefined> => this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst(),
    list: async (): Promise<TenantRow[]> => this.db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute(),
  };

  // --- accounts (sign-in needs them before any tenant is known) ---------------------------
  readonly accounts = {
    insert: async (a: Insertable<AccountsTable>): Promise<void> => {
      await this.db.insertInto('accounts').values(a).execute();
    },
    byId: async (id: string): Promise<AccountRow | undefined> => this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst(),
    byEmail: async (email: string): Promise<AccountRow | undefined> =>
      this.db.selectFrom('accounts').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst(),
    update: async (id: string, patch: Updateable<AccountsTable>): Promise<void> => {
      await this.db.updateTable('accounts').set(patch).where('id', '=', id).execute();
    },
    operators: async (): Promise<AccountRow[]> => this.db.selectFrom('accounts').selectAll().where('role', '=', 'operator').orderBy('created_at').execute(),
    exists: async (id: string): Promise<boolean> => (await this.db.selectFrom('accounts').select('id').where('id', '=', id).executeTakeFirst()) !== undefined,
  };

  readonly accountTokens = {
    insert: async (t: Database['account_tokens']): Promise<void> => {
      await this.db.insertInto('account_tokens').values(t).execute();
    },
    byHash: async (hash: string) => this.db.selectFrom('account_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst(),
    /** marks it used; false when it was already used (single use even under races) */
    consume: async (hash: string, now: number): Promise<boolean> => {
      const r = await this.db.updateTable('account_tokens').set({ used_at: now }).where('token_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    unusedFor: async (accountId: string, purpose: string, now: number) =>
      this.db
        .selectFrom('account_tokens')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('purpose', '=', purpose as 'set-password')
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .execute(),
    invalidate: async (accountId: string, now: number): Promise<void> => {
      await this.db.updateTable('account_tokens').set({ used_at: now }).where('account_id', '=', accountId).where('used_at', 'is', null).execute();
    },
  };

  readonly sessions = {
    insert: async (s: Database['sessions']): Promise<void> => {
      await this.db.insertInto('sessions').values(s).execute();
    },
    byHash: async (hash: string) => this.db.selectFrom('sessions').selectAll().where('id_hash', '=', hash).executeTakeFirst(),
    delete: async (hash: string): Promise<void> => {
      await this.db.deleteFrom('sessions').where('id_hash', '=', hash).execute();
    },
    deleteForAccount: async (accountId: string): Promise<void> => {
      await this.db.deleteFrom('sessions').where('account_id', '=', accountId).execute();
    },
  };

  /** Mail for operators and accounts without a tenant; tenant mail is also readable per tenant. */
  readonly outbox = {
    insert: async (m: Omit<Insertable<OutboxTable>, 'id' | 'created_at'>): Promise<OutboxRow> => {
      const row = { id: newId('ml'), created_at: Date.now(), error: null, tenant_id: null, ...m } as OutboxRow;
      await this.db.insertInto('outbox').values(row).execute();
      return row;
    },
    listAll: async (limit = 100): Promise<OutboxRow[]> => this.db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(limit).execute(),
  };

  readonly kv = {
    get: async (key: string): Promise<string | undefined> => (await this.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst())?.value,
    set: async (key: string, value: string): Promise<void> => {
      await this.db.insertInto('kv').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },
    /** insert unless present; returns the stored value (first writer wins across nodes) */
    setIfAbsent: async (key: string, value: string): Promise<string> => {
      await this.db.insertInto('kv').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
      return (await this.kv.get(key)) ?? value;
    },
  };

  /** Authenticating a gateway by its client certificate yields its tenant. */
  async gatewayByFingerprint(fingerprint: string): Promise<{ id: string; tenantId: string } | undefined> {
    const r = await this.db.selectFrom('gateways').select(['id', 'tenant_id']).where('cert_fingerprint', '=', fingerprint).executeTakeFirst();
    return r && { id: r.id, tenantId: r.tenant_id };
  }

  /** Consuming a one-time enrollment token yields its tenant (the token is the credential). */
  async consumeEnrollmentToken(hash: string, now: number): Promise<{ tenantId: string; name: string; groups: string[] } | undefined> {
    const row = await this.db.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!row || row.used_at !== null || row.expires_at <= now) return undefined;
    const r = await this.db.updateTable('enrollment_tokens').set({ used_at: now }).where('token_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    return { tenantId: row.tenant_id, name: row.name, groups: JSON.parse(row.groups_json) as string[] };
  }

  /** Operator-level audit entries (tenant creation, …). */
  async audit(entry: AuditInput, tenantId: string | null = null): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({ id: newId('au'), tenant_id: tenantId, actor: entry.actor, action: entry.action, target: entry.target, before_json: json(entry.before), after_json: json(entry.after), at: Date.now() })
      .execute();
  }

  async auditAll(limit = 200): Promise<AuditRow[]> {
    return this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  /** Gateways that are marked connected (on startup, a node resets its own view). */
  async markAllGatewaysDisconnected(): Promise<void> {
    await this.db.updateTable('gateways').set({ connected: 0 }).where('connected', '=', 1).execute();
  }
}

/** Everything one tenant owns. Every query is filtered by this.tenantId. */
export class TenantStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  info(): Promise<TenantRow | undefined> {
    return this.db.selectFrom('tenants').selectAll().where('id', '=', this.tenantId).executeTakeFirst();
  }

  readonly accounts = {
    list: (): Promise<AccountRow[]> => this.db.selectFrom('accounts').selectAll().where('tenant_id', '=', this.tenantId).orderBy('created_at').orderBy('id').execute(),
    get: (id: string): Promise<AccountRow | undefined> =>
      this.db.selectFrom('accounts').selectAll().where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst(),
  };

  readonly gateways = {
    list: (): Promise<GatewayRow[]> => this.db.selectFrom('gateways').selectAll().where('tenant_id', '=', this.tenantId).orderBy('enrolled_at').orderBy('id').execute(),
    get: (id: string): Promise<GatewayRow | undefined> =>
      this.db.selectFrom('gateways').selectAll().where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst(),
    insert: async (g: Omit<GatewayRow, 'tenant_id'>): Promise<void> => {
      await this.db.insertInto('gateways').values({ ...g, tenant_id: this.tenantId }).execute();
    },
    update: async (id: string, patch: Omit<Updateable<GatewaysTable>, 'id' | 'tenant_id'>): Promise<boolean> => {
      const r = await this.db.updateTable('gateways').set(patch).where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    delete: async (id: string): Promise<boolean> => {
      const r = await this.db.deleteFrom('gateways').where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };

  readonly enrollmentTokens = {
    insert: async (t: { tokenHash: string; id: string; name: string; groups: string[]; expiresAt: number }): Promise<void> => {
      await this.db
        .insertInto('enrollment_tokens')
        .values({ token_hash: t.tokenHash, id: t.id, tenant_id: this.tenantId, name: t.name, groups_json: JSON.stringify(t.groups), expires_at: t.expiresAt, used_at: null, created_at: Date.now() })
        .execute();
    },
    list: () =>
      this.db
        .selectFrom('enrollment_tokens')
        .select(['id', 'name', 'groups_json', 'expires_at', 'used_at', 'created_at'])
        .where('tenant_id', '=', this.tenantId)
        .orderBy('created_at', 'desc')
        .execute(),
    delete: async (id: string): Promise<boolean> => {
      const r = await this.db.deleteFrom('enrollment_tokens').where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };

  readonly policy = {
    draft: async (): Promise<{ json: string; updatedAt: number; updatedBy: string } | undefined> => {
      const r = await this.db.selectFrom('policy_drafts').selectAll().where('tenant_id', '=', this.tenantId).executeTakeFirst();
      return r && { json: r.policy_json, updatedAt: r.updated_at, updatedBy: r.updated_by };
    },
    putDraft: async (policyJson: string, by: string): Promise<void> => {
      const now = Date.now();
      await this.db
        .insertInto('policy_drafts')
        .values({ tenant_id: this.tenantId, policy_json: policyJson, updated_at: now, updated_by: by })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ policy_json: policyJson, updated_at: now, updated_by: by }))
        .execute();
    },
    latestVersion: async (): Promise<{ version: number; json: string; createdAt: number; createdBy: string } | undefined> => {
      const r = await this.db.selectFrom('policy_versions').selectAll().where('tenant_id', '=', this.tenantId).orderBy('version', 'desc').limit(1).executeTakeFirst();
      return r && { version: r.version, json: r.policy_json, createdAt: r.created_at, createdBy: r.created_by };
    },
    version: async (v: number): Promise<{ version: number; json: string; createdAt: number; createdBy: string } | undefined> => {
      const r = await this.db.selectFrom('policy_versions').selectAll().where('tenant_id', '=', this.tenantId).where('version', '=', v).executeTakeFirst();
      return r && { version: r.version, json: r.policy_json, createdAt: r.created_at, createdBy: r.created_by };
    },
    versions: () =>
      this.db.selectFrom('policy_versions').select(['version', 'created_at', 'created_by']).where('tenant_id', '=', this.tenantId).orderBy('version', 'desc').execute(),
    insertVersion: async (version: number, policyJson: string, by: string): Promise<void> => {
      await this.db.insertInto('policy_versions').values({ tenant_id: this.tenantId, version, policy_json: policyJson, created_at: Date.now(), created_by: by }).execute();
    },
  };

  readonly deployments = {
    upsert: async (version: number, gatewayId: string, state: 'pending' | 'succeeded' | 'failed', error: string | null): Promise<void> => {
      const now = Date.now();
      await this.db
        .insertInto('deployments')
        .values({ tenant_id: this.tenantId, version, gateway_id: gatewayId, state, error, updated_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'version', 'gateway_id']).doUpdateSet({ state, error, updated_at: now }))
        .execute();
    },
    forVersion: (version: number) =>
      this.db.selectFrom('deployments').selectAll().where('tenant_id', '=', this.tenantId).where('version', '=', version).orderBy('gateway_id').execute(),
  };

  readonly backups = {
    list: (): Promise<BackupRow[]> => this.db.selectFrom('backups').selectAll().where('tenant_id', '=', this.tenantId).orderBy('id', 'desc').execute(),
    get: (id: string): Promise<BackupRow | undefined> =>
      this.db.selectFrom('backups').selectAll().where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst(),
    insert: async (b: Omit<BackupRow, 'tenant_id'>): Promise<void> => {
      await this.db.insertInto('backups').values({ ...b, tenant_id: this.tenantId }).execute();
    },
    delete: async (id: string): Promise<boolean> => {
      const r = await this.db.deleteFrom('backups').where('tenant_id', '=', this.tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };

  readonly ca = {
    get: async (): Promise<{ certPem: string; keyEnc: string; source: 'generated' | 'imported'; updatedAt: number } | undefined> => {
      const r = await this.db.selectFrom('tenant_cas').selectAll().where('tenant_id', '=', this.tenantId).executeTakeFirst();
      return r && { certPem: r.cert_pem, keyEnc: r.key_enc, source: r.source, updatedAt: r.updated_at };
    },
    put: async (certPem: string, keyEnc: string, source: 'generated' | 'imported'): Promise<void> => {
      const now = Date.now();
      await this.db
        .insertInto('tenant_cas')
        .values({ tenant_id: this.tenantId, cert_pem: certPem, key_enc: keyEnc, source, updated_at: now })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ cert_pem: certPem, key_enc: keyEnc, source, updated_at: now }))
        .execute();
    },
  };

  readonly alerts = {
    get: async (): Promise<string | undefined> =>
      (await this.db.selectFrom('alert_settings').select('settings_json').where('tenant_id', '=', this.tenantId).executeTakeFirst())?.settings_json,
    put: async (settingsJson: string): Promise<void> => {
      const now = Date.now();
      await this.db
        .insertInto('alert_settings')
        .values({ tenant_id: this.tenantId, settings_json: settingsJson, updated_at: now })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings_json: settingsJson, updated_at: now }))
        .execute();
    },
  };

  readonly audit = {
    add: async (entry: AuditInput): Promise<void> => {
      await this.db
        .insertInto('audit_log')
        .values({ id: newId('au'), tenant_id: this.tenantId, actor: entry.actor, action: entry.action, target: entry.target, before_json: json(entry.before), after_json: json(entry.after), at: Date.now() })
        .execute();
    },
    list: (opts: { limit?: number; before?: string } = {}): Promise<AuditRow[]> => {
      let q = this.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', this.tenantId);
      if (opts.before) q = q.where('id', '<', opts.before);
      return q.orderBy('id', 'desc').limit(opts.limit ?? 100).execute();
    },
  };

  readonly outbox = {
    list: (limit = 100): Promise<OutboxRow[]> => this.db.selectFrom('outbox').selectAll().where('tenant_id', '=', this.tenantId).orderBy('id', 'desc').limit(limit).execute(),
  };
}
