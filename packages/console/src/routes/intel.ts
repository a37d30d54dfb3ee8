/**
 * Intel routes: gateways' cloud lookups (URL category/reputation, file hashes) and the download
 * of the active database over mutual TLS; the operator's database upload and file-hash list; the
 * tenants' reclassifications (deployed with the policy).
 */
import { z } from 'zod';
import { CloudLookupRequest, CloudLookupResponse, FileLookupRequest, FileLookupResponse, FileVerdict, Reclassification } from '@mamori/policy';
import { ApiError } from '../errors.js';
import { Ok, TenantParams, type RouteRegistry } from '../http/registry.js';
import type { Services } from '../services/services.js';
import { consoleIntel, ConsoleIntel, IntelDbInvalid } from '../intel/console-intel.js';

export function intelFor(services: Services): Promise<ConsoleIntel> {
  return consoleIntel(services.store, services.options.dataDir, services.options.intelFile);
}

const IntelInfoSchema = z.strictObject({
  version: z.string(),
  sha256: z.string(),
  name: z.string(),
  builtAt: z.string().nullable(),
  activatedAt: z.number(),
  bytes: z.number(),
  counts: z.strictObject({ hosts: z.number(), urls: z.number(), ipv4: z.number(), ipv6: z.number() }),
  source: z.enum(['starter', 'file', 'upload']),
});

const ReclassList = z.strictObject({ reclassifications: z.array(Reclassification).max(20_000) });
const FileHashList = z.strictObject({
  hashes: z.array(z.strictObject({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/), verdict: FileVerdict.shape.verdict, name: z.string().max(256).optional() })).max(1_000_000),
});

export function intelRoutes(r: RouteRegistry): void {
  r.add({
    method: 'POST',
    url: '/api/gateway/intel/lookup',
    area: 'intel',
    summary: "Cloud lookup: URL categories and reputation of hosts/URLs the gateway's database does not know (tenant reclassifications, then the console's database)",
    access: 'gateway',
    listener: 'gateway',
    tenantScoped: false,
    body: CloudLookupRequest,
    response: CloudLookupResponse,
    handler: async ({ auth, body, services }) => {
      if (auth.kind !== 'gateway') throw new ApiError('auth.required');
      const intel = await intelFor(services);
      return { intelVersion: intel.info.version, results: await intel.lookup(auth.tenantId, body.items) };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/gateway/intel/files',
    area: 'intel',
    summary: 'Cloud lookup: file-hash (SHA-256) reputation',
    access: 'gateway',
    listener: 'gateway',
    tenantScoped: false,
    body: FileLookupRequest,
    response: FileLookupResponse,
    handler: async ({ auth, body, services }) => {
      if (auth.kind !== 'gateway') throw new ApiError('auth.required');
      return { results: (await intelFor(services)).fileVerdicts(body.sha256) };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/gateway/intel/db',
    area: 'intel',
    summary: 'The active intel database (MAMORIDB); ?sha256= asks for that exact content (404 once another one is active)',
    access: 'gateway',
    listener: 'gateway',
    tenantScoped: false,
    query: z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/).optional() }),
    response: 'file',
    handler: async ({ query, services }) => {
      const intel = await intelFor(services);
      const file = intel.file(query.sha256);
      if (!file) throw new ApiError('not_found');
      return { file, contentType: 'application/octet-stream', filename: `mamori-intel-${intel.info.sha256.slice(0, 16)}.mdb` };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/intel',
    area: 'intel',
    summary: 'The active intel database: version (content hash + build time), counts, source',
    access: 'signedIn',
    tenantScoped: false,
    response: IntelInfoSchema,
    handler: async ({ services }) => (await intelFor(services)).info,
  });
  r.add({
    method: 'PUT',
    url: '/api/intel/db',
    area: 'intel',
    summary: 'Upload a database built by `mamori intel build` (base64); validated completely before it becomes active, then announced to every connected gateway',
    access: 'operator',
    tenantScoped: false,
    bodyLimit: 1024 * 1024 * 1024,
    body: z.strictObject({ base64: z.string().min(1) }),
    response: IntelInfoSchema,
    handler: async ({ body, services }) => {
      const intel = await intelFor(services);
      try {
        return await intel.upload(Buffer.from(body.base64, 'base64'));
      } catch (e) {
        if (e instanceof IntelDbInvalid) throw new ApiError('validation.failed', { details: { reason: `the intel database is not valid: ${e.message}` } });
        throw e;
      }
    },
  });
  r.add({
    method: 'GET',
    url: '/api/intel/file-hashes',
    area: 'intel',
    summary: 'Known file hashes the console answers gateways with',
    access: 'operator',
    tenantScoped: false,
    response: FileHashList,
    handler: async ({ services }) => ({ hashes: await (await intelFor(services)).fileHashes() }),
  });
  r.add({
    method: 'PUT',
    url: '/api/intel/file-hashes',
    area: 'intel',
    summary: 'Replace the known file hashes',
    access: 'operator',
    tenantScoped: false,
    bodyLimit: 256 * 1024 * 1024,
    body: FileHashList,
    response: Ok,
    handler: async ({ body, services }) => {
      await (await intelFor(services)).setFileHashes(body.hashes);
      return { ok: true as const };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/intel/reclassifications',
    area: 'intel',
    summary: "The tenant's URL reclassifications (applied before the intel database; deployed with the policy)",
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: ReclassList,
    handler: async ({ tenantId, services }) => ({ reclassifications: await (await intelFor(services)).reclassifications(tenantId) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/tenants/:tenantId/intel/reclassifications',
    area: 'intel',
    summary: "Replace the tenant's URL reclassifications; they reach the gateways with the next deployment",
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    body: ReclassList,
    response: ReclassList,
    handler: async ({ tenantId, body, auth, services }) => {
      const intel = await intelFor(services);
      const problems = ConsoleIntel.problems(body.reclassifications);
      if (problems.length > 0) throw new ApiError('validation.failed', { problems: problems.map((p) => ({ ...p, path: `body.${p.path}` })) });
      const before = await intel.reclassifications(tenantId);
      await intel.setReclassifications(tenantId, body.reclassifications);
      const actor = auth.kind === 'session' ? auth.account.id : 'system';
      await services.store.tenant(tenantId).audit.add({ actor, action: 'intel.reclassify', target: 'reclassifications', before, after: body.reclassifications });
      return { reclassifications: body.reclassifications };
    },
  });
}
