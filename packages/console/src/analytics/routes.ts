/**
 * HTTP API of the analytics half (manual §4, §7, §8, §9). The console registers these on its
 * Fastify app and supplies who is asking: `user()` from its session (tenant-scoped) and
 * `gateway()` from the mutual-TLS client certificate.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LOG_TYPES, LogType } from '@mamori/policy';
import type { Analytics } from './analytics.js';
import { IngestError } from './ingest/ingestor.js';
import { getRetentionDays, setRetentionDays } from './ingest/retention.js';
import { csvChunks } from './query/csv.js';
import { deleteSavedQuery, listSavedQueries, saveQuery } from './query/saved-queries.js';
import { FIELDS, LOG_TYPE_LABELS } from './store/fields.js';
import { QueryError, parseLogQuery } from './store/query-model.js';
import type { RowCursor } from './store/sql-builder.js';
import { WIDGETS, widgetById } from './dashboard/registry.js';
import { loadLayout, saveLayout } from './dashboard/layout.js';
import { ReportError, type Role } from './reports/definitions.js';

export interface RequestUser {
  tenantId: string;
  userId: string;
  role: Role;
}

export interface AnalyticsRouteDeps {
  analytics: Analytics;
  user(req: FastifyRequest): Promise<RequestUser | null>;
  gateway(req: FastifyRequest): Promise<{ tenantId: string; gatewayId: string } | null>;
}

class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
  }
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof IngestError) {
    if (err.retryAfterSec !== undefined) void reply.header('retry-after', String(err.retryAfterSec));
    return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
  }
  if (err instanceof QueryError || err instanceof ReportError || err instanceof HttpError) return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
  if (err instanceof RangeError) return reply.code(400).send({ error: { code: 'analytics.invalid', message: err.message } });
  throw err;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function logType(v: unknown): LogType {
  const r = LogType.safeParse(v);
  if (!r.success) throw new HttpError(404, 'analytics.unknown_log_type', `unknown log type "${String(v)}"; one of ${LOG_TYPES.join(', ')}`);
  return r.data;
}

export function registerAnalyticsRoutes(app: FastifyInstance, deps: AnalyticsRouteDeps): void {
  const a = deps.analytics;
  const who = async (req: FastifyRequest): Promise<RequestUser> => {
    const u = await deps.user(req);
    if (!u) throw new HttpError(401, 'auth.required', 'sign in first');
    return u;
  };
  const handle = <T>(fn: (req: FastifyRequest, reply: FastifyReply) => Promise<T>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(req, reply);
    } catch (err) {
      return sendError(reply, err);
    }
  };

  // --- ingestion (mutual TLS) -------------------------------------------------------------
  app.post('/api/gateway/events', { bodyLimit: 64 * 1024 * 1024 }, handle(async (req, reply) => {
    const gw = await deps.gateway(req);
    if (!gw) throw new HttpError(401, 'gateway.certificate_required', 'a valid gateway client certificate is required');
    const ack = await a.ingestor.ingest(gw.tenantId, gw.gatewayId, req.body);
    return reply.code(200).send(ack);
  }));

  // --- log analysis (§9) ------------------------------------------------------------------
  app.get('/api/analytics/log-types', handle(async (req) => {
    await who(req);
    return LOG_TYPES.map((t) => ({ type: t, label: LOG_TYPE_LABELS[t], fields: FIELDS[t].map((f) => ({ name: f.name, kind: f.kind, label: { ja: f.ja, en: f.en } })) }));
  }));

  app.post('/api/analytics/logs/:type/query', handle(async (req) => {
    const u = await who(req);
    const type = logType(obj(req.params)['type']);
    const { after, ...body } = obj(req.body);
    const q = parseLogQuery({ ...body, type });
    if (q.groupBy.length > 0) {
      const [groups, total] = await Promise.all([a.events.groupBy(u.tenantId, q), a.events.count(u.tenantId, q)]);
      return { type, total, groups };
    }
    const cur = after && typeof after === 'object' ? (after as Partial<RowCursor>) : undefined;
    const events = await a.events.raw(u.tenantId, q, cur ? { ts: Number(cur.ts), gatewayId: String(cur.gatewayId), id: String(cur.id) } : undefined);
    const last = events.at(-1);
    return { type, events, next: events.length === q.limit && last ? { ts: last.ts, gatewayId: last.gatewayId, id: last.id } : null };
  }));

  app.get('/api/analytics/logs/:type/csv', handle(async (req, reply) => {
    const u = await who(req);
    const type = logType(obj(req.params)['type']);
    const qs = obj(req.query);
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(qs['q'] ?? '{}'));
    } catch {
      throw new QueryError('q must be a JSON log query');
    }
    const q = parseLogQuery({ ...obj(parsed), type, limit: 1, offset: 0 });
    const lang = qs['lang'] === 'en' ? 'en' : 'ja';
    const name = `${type}-${new Date(q.from).toISOString().slice(0, 10)}.csv`;
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(`${LOG_TYPE_LABELS[type].ja}-${name}`)}`);
    return reply.send(Readable.from(csvChunks(a.events, u.tenantId, q, lang)));
  }));

  app.get('/api/analytics/saved-queries', handle(async (req) => {
    const u = await who(req);
    return listSavedQueries(a.meta, u.tenantId, u.userId);
  }));
  app.post('/api/analytics/saved-queries', handle(async (req, reply) => {
    const u = await who(req);
    return reply.code(201).send(await saveQuery(a.meta, u.tenantId, u.userId, req.body, a.clock.now()));
  }));
  app.put('/api/analytics/saved-queries/:id', handle(async (req) => {
    const u = await who(req);
    return saveQuery(a.meta, u.tenantId, u.userId, req.body, a.clock.now(), String(obj(req.params)['id']));
  }));
  app.delete('/api/analytics/saved-queries/:id', handle(async (req, reply) => {
    const u = await who(req);
    if (!(await deleteSavedQuery(a.meta, u.tenantId, u.userId, String(obj(req.params)['id'])))) throw new HttpError(404, 'analytics.not_found', 'no such saved query');
    return reply.code(204).send();
  }));

  // --- dashboard (§4) -----------------------------------------------------------------------
  app.get('/api/analytics/widgets', handle(async (req) => {
    await who(req);
    return WIDGETS.map((w) => ({ id: w.id, title: w.title, defaultHours: w.defaultHours }));
  }));
  app.get('/api/analytics/widgets/:id', handle(async (req) => {
    const u = await who(req);
    const w = widgetById(String(obj(req.params)['id']));
    if (!w) throw new HttpError(404, 'analytics.unknown_widget', `unknown widget "${String(obj(req.params)['id'])}"`);
    const qs = obj(req.query);
    const now = a.clock.now();
    const hours = qs['hours'] !== undefined ? Number(qs['hours']) : w.defaultHours;
    const to = qs['to'] !== undefined ? Number(qs['to']) : now;
    const from = qs['from'] !== undefined ? Number(qs['from']) : to - hours * 3_600_000;
    const limit = qs['limit'] !== undefined ? Number(qs['limit']) : 10;
    if (![from, to, limit].every(Number.isFinite) || to <= from || limit < 1 || limit > 100) throw new QueryError('from/to/hours/limit out of range');
    return { widget: w.id, title: w.title, from, to, data: await w.load({ tenantId: u.tenantId, events: a.events, facts: a.facts, from, to, now, limit }) };
  }));
  app.get('/api/analytics/dashboard', handle(async (req) => {
    const u = await who(req);
    return loadLayout(a.meta, u.tenantId, u.userId);
  }));
  app.put('/api/analytics/dashboard', handle(async (req) => {
    const u = await who(req);
    return saveLayout(a.meta, u.tenantId, u.userId, req.body, a.clock.now());
  }));

  // --- reports (§7) -------------------------------------------------------------------------
  app.get('/api/analytics/reports', handle(async (req) => {
    const u = await who(req);
    await a.reports.definitions.ensureMonthly(u.tenantId, a.clock.now());
    const list = await a.reports.definitions.list(u.tenantId);
    return Promise.all(list.map(async (r) => ({ ...r, runs: (await a.reports.listRuns(u.tenantId, r.id)).slice(0, 5) })));
  }));
  app.post('/api/analytics/reports', handle(async (req, reply) => {
    const u = await who(req);
    return reply.code(201).send(await a.reports.definitions.create(u.tenantId, u.role, req.body, a.clock.now()));
  }));
  app.get('/api/analytics/reports/:id', handle(async (req) => {
    const u = await who(req);
    const r = await a.reports.definitions.get(u.tenantId, String(obj(req.params)['id']));
    if (!r) throw new ReportError('report.not_found', 404, 'no such report');
    return { ...r, runs: await a.reports.listRuns(u.tenantId, r.id) };
  }));
  app.put('/api/analytics/reports/:id', handle(async (req) => {
    const u = await who(req);
    return a.reports.definitions.update(u.tenantId, u.role, String(obj(req.params)['id']), req.body, a.clock.now());
  }));
  app.delete('/api/analytics/reports/:id', handle(async (req, reply) => {
    const u = await who(req);
    await a.reports.definitions.remove(u.tenantId, u.role, String(obj(req.params)['id']));
    return reply.code(204).send();
  }));
  app.post('/api/analytics/reports/:id/run', handle(async (req, reply) => {
    const u = await who(req);
    if (u.role === 'tenant-viewer') throw new ReportError('report.forbidden', 403, 'viewers cannot run reports');
    const { run } = await a.reports.start(u.tenantId, String(obj(req.params)['id']));
    return reply.code(202).send(run);
  }));
  app.get('/api/analytics/report-runs/:runId', handle(async (req) => {
    const u = await who(req);
    const run = await a.reports.getRun(u.tenantId, String(obj(req.params)['runId']));
    if (!run) throw new ReportError('report.not_found', 404, 'no such report run');
    return run;
  }));
  app.get('/api/analytics/report-runs/:runId/:format', handle(async (req, reply) => {
    const u = await who(req);
    const p = obj(req.params);
    const format = p['format'] === 'pdf' ? 'pdf' : p['format'] === 'xlsx' ? 'xlsx' : null;
    if (!format) throw new HttpError(404, 'analytics.not_found', 'format is pdf or xlsx');
    const run = await a.reports.getRun(u.tenantId, String(p['runId']));
    const file = run ? await a.reports.file(u.tenantId, run.id, format) : undefined;
    if (!run || !file) throw new ReportError('report.not_found', 404, 'no such report file');
    const report = await a.reports.definitions.get(u.tenantId, run.reportId);
    const base = `${report?.name ?? 'report'}-${new Date(run.startedAt + 9 * 3_600_000).toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
    void reply
      .header('content-type', format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="report.${format}"; filename*=UTF-8''${encodeURIComponent(`${base}.${format}`)}`);
    return reply.send(file);
  }));

  // --- admin alerts (§8) --------------------------------------------------------------------
  app.get('/api/analytics/alerts', handle(async (req) => {
    const u = await who(req);
    const qs = obj(req.query);
    const state = qs['state'] === 'open' || qs['state'] === 'resolved' ? qs['state'] : undefined;
    return a.alerts.list(u.tenantId, { ...(state ? { state } : {}), limit: Math.min(500, Number(qs['limit'] ?? 100) || 100) });
  }));

  // --- retention ----------------------------------------------------------------------------
  app.get('/api/analytics/retention', handle(async (req) => {
    const u = await who(req);
    return { days: await getRetentionDays(a.meta, u.tenantId) };
  }));
  app.put('/api/analytics/retention', handle(async (req) => {
    const u = await who(req);
    if (u.role !== 'operator' && u.role !== 'tenant-admin') throw new HttpError(403, 'auth.forbidden', 'only administrators change retention');
    const days = Number(obj(req.body)['days']);
    await setRetentionDays(a.meta, u.tenantId, days);
    return { days };
  }));
}
