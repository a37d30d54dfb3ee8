/**
 * The route registry: every HTTP route of the console is declared here as data (method, URL,
 * zod schemas, who may call it, whether it is tenant-scoped) by one file per area under
 * routes/. The registry mounts them on Fastify, generates /api/openapi.json from the same
 * schemas, and lets tests enumerate every route.
 */
import type { FastifyReply, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { Services } from '../services/services.js';
import type { AccountRow } from '../store/schema.js';

/**
 * Who may call a route.
 * - public: no session (sign-in, password links, health)
 * - signedIn: any signed-in account
 * - operator: the managed-service operator only
 * - tenantViewer / tenantAdmin: tenant-scoped reading / changing; operators may do both
 * - gateway: an enrolled gateway, authenticated by its client certificate (mutual TLS)
 */
export type Access = 'public' | 'signedIn' | 'operator' | 'tenantViewer' | 'tenantAdmin' | 'gateway';
export type Listener = 'api' | 'gateway' | 'both';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SessionAuth {
  kind: 'session';
  account: AccountRow;
  sessionId: string;
  csrf: string;
}
export interface GatewayAuth {
  kind: 'gateway';
  gatewayId: string;
  tenantId: string;
}
export type Auth = SessionAuth | GatewayAuth | { kind: 'none' };

/** A file response (downloads): the handler returns it instead of JSON. */
export interface FileResponse {
  file: Buffer;
  contentType: string;
  filename: string;
}

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: Auth;
  /** set for tenant-scoped routes after the access check */
  tenantId: string;
  services: Services;
  req: FastifyRequest;
  reply: FastifyReply;
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteDef<PS extends Schema | undefined = Schema | undefined, QS extends Schema | undefined = Schema | undefined, BS extends Schema | undefined = Schema | undefined, RS extends Schema | 'file' = Schema | 'file'> {
  method: Method;
  url: string;
  /** the routes/<area>.ts that declares it; also the OpenAPI tag */
  area: string;
  summary: string;
  access: Access;
  /** the URL has :tenantId and the caller must belong to that tenant (or be an operator) */
  tenantScoped: boolean;
  listener?: Listener;
  params?: PS;
  query?: QS;
  body?: BS;
  response: RS;
  /** HTTP status of a successful response (default 200) */
  status?: number;
  /** skip CSRF (only for routes without a session, e.g. sign-in) */
  csrfExempt?: boolean;
  /** a WebSocket endpoint: declared here for the document and the tests, served by its listener */
  websocket?: boolean;
  /** a request-size limit for this route (bytes) */
  bodyLimit?: number;
  /** a Fastify preParsing hook for this route (the events endpoint keeps the raw body for its journal) */
  preParsing?: preParsingAsyncHookHandler;
  handler: (ctx: HandlerContext<Out<PS>, Out<QS>, Out<BS>>) => Promise<RS extends z.ZodType ? z.input<RS> : FileResponse>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry stores routes of every shape
export type AnyRoute = RouteDef<any, any, any, any>;

export class RouteRegistry {
  readonly routes: AnyRoute[] = [];
  add<PS extends Schema | undefined = undefined, QS extends Schema | undefined = undefined, BS extends Schema | undefined = undefined, RS extends Schema | 'file' = Schema>(def: RouteDef<PS, QS, BS, RS>): void {
    if (def.tenantScoped && !def.url.includes(':tenantId')) throw new Error(`tenant-scoped route without :tenantId: ${def.method} ${def.url}`);
    if (this.routes.some((r) => r.method === def.method && r.url === def.url)) throw new Error(`duplicate route ${def.method} ${def.url}`);
    this.routes.push(def as AnyRoute);
  }
}

/** Reusable schemas */
export const TenantParams = z.strictObject({ tenantId: z.string().min(1).max(64) });
export const Ok = z.strictObject({ ok: z.literal(true) });
