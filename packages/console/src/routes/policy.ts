import { z } from 'zod';
import { FlowFacts, ListEntry, Policy, compilePolicy, evaluate, validate } from '@mamori/policy';
import { Ok, TenantParams, type RouteRegistry } from '../http/registry.js';
import { ApiError } from '../errors.js';
import { COLLECTIONS, DRAFT_DIFFERS_MESSAGE, LISTS, type CollectionDef } from '../services/policy.js';

const actorOf = (auth: { kind: string; account?: { id: string } }) => (auth.kind === 'session' && auth.account ? auth.account.id : 'system');
const ItemParams = TenantParams.extend({ itemId: z.string().min(1).max(64) });
const Localized = z.strictObject({ ja: z.string(), en: z.string() });

const DraftView = z.strictObject({
  policy: Policy,
  /** the draft differs from the deployed version: show the [すべて配信] banner */
  differs: z.boolean(),
  message: Localized.nullable(),
  deployedVersion: z.number().nullable(),
  updatedAt: z.number(),
  updatedBy: z.string(),
});

function collectionRoutes(r: RouteRegistry, c: CollectionDef): void {
  const base = `/api/tenants/:tenantId/policy/${c.path}`;
  const find = (items: Array<{ id: string }>, id: string) => {
    const i = items.findIndex((x) => x.id === id);
    if (i < 0) throw new ApiError('not_found');
    return i;
  };
  r.add({
    method: 'GET',
    url: base,
    area: 'policy',
    summary: `List ${c.label}s of the draft`,
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ items: z.array(c.schema) }),
    handler: async ({ tenantId, services }) => ({ items: c.get((await services.policy.draft(tenantId)).policy) }),
  });
  r.add({
    method: 'POST',
    url: base,
    area: 'policy',
    summary: `Add a ${c.label} to the draft`,
    access: 'tenantAdmin',
    tenantScoped: true,
    status: 201,
    params: TenantParams,
    body: c.schema,
    query: c.path === 'rules' ? z.strictObject({ position: z.coerce.number().int().min(0).optional() }) : undefined,
    response: c.schema,
    handler: async ({ tenantId, body, query, auth, services }) =>
      services.policy.change(tenantId, actorOf(auth), `policy.${c.path}.create`, `${c.path}/${body.id}`, (p) => {
        const items = c.get(p);
        if (items.some((x) => x.id === body.id)) throw new ApiError('policy.item_exists');
        const pos = (query as { position?: number } | undefined)?.position;
        const next = [...items];
        next.splice(pos === undefined ? next.length : Math.min(pos, next.length), 0, body);
        c.set(p, next);
        return { before: null, after: body, result: body };
      }),
  });
  r.add({
    method: 'GET',
    url: `${base}/:itemId`,
    area: 'policy',
    summary: `One ${c.label} of the draft`,
    access: 'tenantViewer',
    tenantScoped: true,
    params: ItemParams,
    response: c.schema,
    handler: async ({ tenantId, params, services }) => {
      const items = c.get((await services.policy.draft(tenantId)).policy);
      return items[find(items, params.itemId)] as { id: string };
    },
  });
  r.add({
    method: 'PUT',
    url: `${base}/:itemId`,
    area: 'policy',
    summary: `Replace a ${c.label} in the draft`,
    access: 'tenantAdmin',
    tenantScoped: true,
    params: ItemParams,
    body: c.schema,
    response: c.schema,
    handler: async ({ tenantId, params, body, auth, services }) =>
      services.policy.change(tenantId, actorOf(auth), `policy.${c.path}.update`, `${c.path}/${params.itemId}`, (p) => {
        const items = [...c.get(p)];
        const i = find(items, params.itemId);
        const before = items[i];
        if (body.id !== params.itemId && items.some((x) => x.id === body.id)) throw new ApiError('policy.item_exists');
        items[i] = body;
        c.set(p, items);
        return { before, after: body, result: body };
      }),
  });
  r.add({
    method: 'DELETE',
    url: `${base}/:itemId`,
    area: 'policy',
    summary: `Delete a ${c.label} from the draft (refused while something refers to it)`,
    access: 'tenantAdmin',
    tenantScoped: true,
    params: ItemParams,
    response: Ok,
    handler: async ({ tenantId, params, auth, services }) =>
      services.policy.change(tenantId, actorOf(auth), `policy.${c.path}.delete`, `${c.path}/${params.itemId}`, (p) => {
        const items = [...c.get(p)];
        const i = find(items, params.itemId);
        const [before] = items.splice(i, 1);
        c.set(p, items);
        return { before, after: null, result: { ok: true as const } };
      }),
  });
}

function ruleExtras(r: RouteRegistry): void {
  const rules = COLLECTIONS.find((c) => c.path === 'rules') as CollectionDef;
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/policy/rules/reorder',
    area: 'policy',
    summary: 'Put the rules in this order (all rule ids, top first)',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    body: z.strictObject({ ids: z.array(z.string().max(64)).max(10_000) }),
    response: z.strictObject({ ids: z.array(z.string()) }),
    handler: async ({ tenantId, body, auth, services }) =>
      services.policy.change(tenantId, actorOf(auth), 'policy.rules.reorder', 'rules', (p) => {
        const before = p.rules.map((x) => x.id);
        const same = body.ids.length === before.length && new Set(body.ids).size === before.length && body.ids.every((id) => before.includes(id));
        if (!same) {
          throw new ApiError('validation.failed', {
            problems: [{ path: 'body.ids', code: 'schema.invalid', message: { ja: 'すべてのルールIDを1回ずつ指定してください。', en: 'Give every rule id exactly once.' } }],
          });
        }
        const byId = new Map(p.rules.map((x) => [x.id, x]));
        p.rules = body.ids.map((id) => byId.get(id)!);
        return { before, after: body.ids, result: { ids: body.ids } };
      }),
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/policy/rules/:itemId/duplicate',
    area: 'policy',
    summary: 'Duplicate a rule (inserted below it, disabled, named "<name> のコピー")',
    access: 'tenantAdmin',
    tenantScoped: true,
    status: 201,
    params: ItemParams,
    response: rules.schema,
    handler: async ({ tenantId, params, auth, services }) =>
      services.policy.change(tenantId, actorOf(auth), 'policy.rules.duplicate', `rules/${params.itemId}`, (p) => {
        const i = p.rules.findIndex((x) => x.id === params.itemId);
        if (i < 0) throw new ApiError('not_found');
        const src = p.rules[i]!;
        const ids = new Set(p.rules.map((x) => x.id));
        const names = new Set(p.rules.map((x) => x.name));
        let n = 1;
        let id = `${src.id}-copy`.slice(0, 64);
        while (ids.has(id)) id = `${src.id}-copy${++n}`.slice(-64);
        let name = `${src.name} のコピー`;
        for (let k = 2; names.has(name); k++) name = `${src.name} のコピー (${k})`;
        const copy = { ...structuredClone(src), id, name, enabled: false };
        p.rules.splice(i + 1, 0, copy);
        return { before: null, after: copy, result: copy };
      }),
  });
  r.add({
    method: 'PATCH',
    url: '/api/tenants/:tenantId/policy/rules/:itemId/enabled',
    area: 'policy',
    summary: 'Enable or disable a rule',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: ItemParams,
    body: z.strictObject({ enabled: z.boolean() }),
    response: rules.schema,
    handler: async ({ tenantId, params, body, auth, services }) =>
      services.policy.change(tenantId, actorOf(auth), body.enabled ? 'policy.rules.enable' : 'policy.rules.disable', `rules/${params.itemId}`, (p) => {
        const rule = p.rules.find((x) => x.id === params.itemId);
        if (!rule) throw new ApiError('not_found');
        const before = { enabled: rule.enabled };
        rule.enabled = body.enabled;
        return { before, after: { enabled: body.enabled }, result: rule };
      }),
  });
}

function listRoutes(r: RouteRegistry): void {
  for (const l of LISTS) {
    const base = `/api/tenants/:tenantId/policy/${l.path}`;
    const label = l.key === 'allowList' ? 'allow list' : 'block list';
    r.add({
      method: 'GET',
      url: base,
      area: 'policy',
      summary: `The ${label} of the draft`,
      access: 'tenantViewer',
      tenantScoped: true,
      params: TenantParams,
      response: z.strictObject({ entries: z.array(ListEntry) }),
      handler: async ({ tenantId, services }) => ({ entries: (await services.policy.draft(tenantId)).policy[l.key] }),
    });
    r.add({
      method: 'PUT',
      url: base,
      area: 'policy',
      summary: `Replace the ${label}`,
      access: 'tenantAdmin',
      tenantScoped: true,
      params: TenantParams,
      body: z.strictObject({ entries: z.array(ListEntry).max(10_000) }),
      response: z.strictObject({ entries: z.array(ListEntry) }),
      handler: async ({ tenantId, body, auth, services }) =>
        services.policy.change(tenantId, actorOf(auth), `policy.${l.key}.replace`, l.key, (p) => {
          const before = p[l.key];
          p[l.key] = body.entries;
          return { before, after: body.entries, result: { entries: body.entries } };
        }),
    });
    r.add({
      method: 'POST',
      url: base,
      area: 'policy',
      summary: `Add an entry (URL, *.example.com or IP) to the ${label}`,
      access: 'tenantAdmin',
      tenantScoped: true,
      status: 201,
      params: TenantParams,
      body: ListEntry,
      response: ListEntry,
      handler: async ({ tenantId, body, auth, services }) =>
        services.policy.change(tenantId, actorOf(auth), `policy.${l.key}.add`, `${l.key}/${body.value}`, (p) => {
          p[l.key] = [...p[l.key], body];
          return { before: null, after: body, result: body };
        }),
    });
    r.add({
      method: 'DELETE',
      url: base,
      area: 'policy',
      summary: `Remove an entry from the ${label}`,
      access: 'tenantAdmin',
      tenantScoped: true,
      params: TenantParams,
      query: z.strictObject({ value: z.string().min(1).max(2048) }),
      response: Ok,
      handler: async ({ tenantId, query, auth, services }) =>
        services.policy.change(tenantId, actorOf(auth), `policy.${l.key}.remove`, `${l.key}/${query.value}`, (p) => {
          const i = p[l.key].findIndex((e) => e.value.toLowerCase() === query.value.trim().toLowerCase());
          if (i < 0) throw new ApiError('not_found');
          const before = p[l.key][i];
          p[l.key] = p[l.key].filter((_, k) => k !== i);
          return { before, after: null, result: { ok: true as const } };
        }),
    });
  }
}

const DeploymentState = z.strictObject({
  gatewayId: z.string(),
  name: z.string(),
  state: z.enum(['pending', 'succeeded', 'failed']),
  error: z.string().nullable(),
  updatedAt: z.number(),
});

export function policyRoutes(r: RouteRegistry): void {
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/policy',
    area: 'policy',
    summary: 'The draft policy and whether it differs from the deployed version',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: DraftView,
    handler: async ({ tenantId, services }) => {
      const d = await services.policy.draft(tenantId);
      return { ...d, message: d.differs ? DRAFT_DIFFERS_MESSAGE : null };
    },
  });
  r.add({
    method: 'PUT',
    url: '/api/tenants/:tenantId/policy',
    area: 'policy',
    summary: 'Replace the whole draft policy',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    body: Policy,
    response: DraftView,
    handler: async ({ tenantId, body, auth, services }) => {
      await services.policy.replaceDraft(tenantId, actorOf(auth), body);
      const d = await services.policy.draft(tenantId);
      return { ...d, message: d.differs ? DRAFT_DIFFERS_MESSAGE : null };
    },
  });
  for (const c of COLLECTIONS) {
    if (c.path === 'rules') ruleExtras(r);
    collectionRoutes(r, c);
  }
  listRoutes(r);
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/policy/deploy',
    area: 'policy',
    summary: 'Deploy all (すべて配信): snapshot a numbered version and push it to every gateway of the tenant',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ version: z.number(), gateways: z.array(z.strictObject({ gatewayId: z.string(), name: z.string(), state: z.literal('pending'), connected: z.boolean() })) }),
    handler: async ({ tenantId, auth, services }) => services.policy.deployAll(tenantId, actorOf(auth)),
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/policy/versions',
    area: 'policy',
    summary: 'Deployed versions, newest first',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ versions: z.array(z.strictObject({ version: z.number(), createdAt: z.number(), createdBy: z.string() })) }),
    handler: async ({ tenantId, services }) => ({
      versions: (await services.store.tenant(tenantId).policy.versions()).map((v) => ({ version: v.version, createdAt: v.created_at, createdBy: v.created_by })),
    }),
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/policy/versions/:version',
    area: 'policy',
    summary: 'One deployed version: the policy and the result per gateway',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams.extend({ version: z.coerce.number().int().positive() }),
    response: z.strictObject({ version: z.number(), createdAt: z.number(), createdBy: z.string(), policy: Policy, gateways: z.array(DeploymentState) }),
    handler: async ({ tenantId, params, services }) => {
      const ts = services.store.tenant(tenantId);
      const v = await ts.policy.version(params.version);
      if (!v) throw new ApiError('not_found');
      const names = new Map((await ts.gateways.list()).map((g) => [g.id, g.name]));
      const gateways = (await ts.deployments.forVersion(v.version)).map((d) => ({ gatewayId: d.gateway_id, name: names.get(d.gateway_id) ?? '(removed)', state: d.state, error: d.error, updatedAt: d.updated_at }));
      return { version: v.version, createdAt: v.createdAt, createdBy: v.createdBy, policy: JSON.parse(v.json) as Policy, gateways };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/policy/simulate',
    area: 'policy',
    summary: 'What happens to this flow? Evaluates the draft or the deployed policy and explains the decision',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    body: z.strictObject({ flow: z.record(z.string(), z.unknown()), source: z.enum(['draft', 'deployed']).default('draft'), gatewayGroups: z.array(z.string().max(64)).max(32).default([]) }),
    response: z.strictObject({
      source: z.enum(['draft', 'deployed']),
      version: z.number().nullable(),
      decision: z.enum(['allow', 'block', 'undecided']),
      needs: z.array(z.enum(['application', 'url'])),
      reason: z.strictObject({ kind: z.enum(['allowList', 'blockList', 'rule', 'default']), id: z.string().optional(), name: z.string().optional(), entry: z.string().optional() }).nullable(),
      log: z.boolean().nullable(),
      profileId: z.string().nullable(),
      explanation: Localized,
    }),
    handler: async ({ tenantId, body, services }) => {
      const facts = validate(FlowFacts, body.flow);
      if (!facts.ok) throw new ApiError('validation.failed', { problems: facts.problems.map((p) => ({ ...p, path: `body.flow${p.path ? '.' + p.path : ''}` })) });
      let policy: Policy;
      let version: number | null = null;
      if (body.source === 'deployed') {
        const latest = await services.store.tenant(tenantId).policy.latestVersion();
        if (!latest) throw new ApiError('policy.nothing_deployed');
        policy = JSON.parse(latest.json) as Policy;
        version = latest.version;
      } else {
        policy = (await services.policy.draft(tenantId)).policy;
      }
      const d = evaluate(compilePolicy(policy, {}, { gatewayGroups: body.gatewayGroups }), facts.value);
      if (d.decision === 'undecided') {
        return {
          source: body.source,
          version,
          decision: 'undecided' as const,
          needs: d.needs,
          reason: null,
          log: null,
          profileId: null,
          explanation: { ja: `判定には次の情報が必要です: ${d.needs.join(', ')}`, en: `Deciding needs: ${d.needs.join(', ')}` },
        };
      }
      const verdict = { ja: d.decision === 'allow' ? '許可' : 'ブロック', en: d.decision };
      const why =
        d.reason.kind === 'rule'
          ? { ja: `ルール「${d.reason.name ?? d.reason.id}」`, en: `rule "${d.reason.name ?? d.reason.id}"` }
          : d.reason.kind === 'allowList'
            ? { ja: `許可リストの「${d.reason.entry}」`, en: `allow list entry "${d.reason.entry}"` }
            : d.reason.kind === 'blockList'
              ? { ja: `ブロックリストの「${d.reason.entry}」`, en: `block list entry "${d.reason.entry}"` }
              : { ja: '一致するルールがないため既定の動作', en: 'no rule matched (default)' };
      return {
        source: body.source,
        version,
        decision: d.decision,
        needs: [],
        reason: d.reason,
        log: d.log,
        profileId: d.profile?.id ?? null,
        explanation: { ja: `${why.ja}により${verdict.ja}されます。`, en: `${verdict.en === 'allow' ? 'Allowed' : 'Blocked'} by ${why.en}.` },
      };
    },
  });
}
