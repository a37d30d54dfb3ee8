/**
 * Tenants (customers): created by the operator with a gateway model and an administrator, who
 * gets the new-account mail. Creation also makes the tenant's decryption CA, its default
 * policy (`defaultPolicy(model)`) and its admin-alert settings.
 */
import type { Lang } from '../mail/templates.js';
import type { AccountRow, Role, TenantRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { AuthService } from './auth.js';
import type { CertService } from './certs.js';
import type { PolicyService } from './policy.js';
import { defaultAlertSettings } from './alerts.js';

export type Model = 10 | 50 | 100;

export class TenantService {
  constructor(
    private readonly store: Store,
    private readonly auth: AuthService,
    private readonly certs: CertService,
    private readonly policy: PolicyService,
  ) {}

  async create(
    input: { name: string; model: Model; admin: { email: string; name: string; lang: Lang } },
    actor: string,
  ): Promise<{ tenant: TenantRow; admin: AccountRow; setPasswordUrl: string }> {
    const tenant = await this.store.transaction(async (tx) => {
      const t = await tx.tenants.create({ name: input.name, model: input.model });
      await this.certs.generate(tx, t.id, t.name);
      await this.policy.initDraft(tx, t.id, input.model, actor);
      await tx.tenant(t.id).alerts.put(JSON.stringify(defaultAlertSettings(input.admin.email.toLowerCase())));
      await tx.audit({ actor, action: 'tenant.create', target: t.id, after: { name: t.name, model: t.model } }, t.id);
      return t;
    });
    const { account, setPasswordUrl } = await this.auth.createAccount({ tenantId: tenant.id, role: 'tenantAdmin', ...input.admin });
    await this.store.tenant(tenant.id).audit.add({ actor, action: 'account.create', target: account.id, after: { email: account.email, role: account.role } });
    return { tenant, admin: account, setPasswordUrl };
  }

  async addAccount(tenantId: string, input: { email: string; name: string; lang: Lang; role: Exclude<Role, 'operator'> }, actor: string): Promise<AccountRow> {
    const { account } = await this.auth.createAccount({ tenantId, ...input });
    await this.store.tenant(tenantId).audit.add({ actor, action: 'account.create', target: account.id, after: { email: account.email, role: account.role } });
    return account;
  }
}

export function serviceName(model: number): string {
  return `Mamori Gateway ${model}`;
}
