/**
 * The sync channel's console side: one WebSocket per connected gateway (over mutual TLS).
 * On hello the gateway's status is recorded and, when it does not run the latest deployed
 * version, the latest is pushed; deploy results are recorded per gateway.
 */
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { GatewayMessage, PROTOCOL_VERSION, type Deployment, type ServerMessage } from '@mamori/policy';
import type { Store } from '../store/store.js';
import type { PolicyService } from '../services/policy.js';
import type { ConsoleEventBus } from '../services/events.js';
import { OFFLINE_AFTER_MS } from '../services/gateways.js';
import { openedIntel } from '../intel/console-intel.js';

interface Conn {
  ws: WebSocket;
  tenantId: string;
  name: string;
}

export class SyncHub {
  private readonly conns = new Map<string, Conn>();
  /** gateways this node last saw online, to notice the 15-minute offline transition */
  private readonly online = new Map<string, { tenantId: string; name: string }>();

  constructor(
    private readonly store: Store,
    private readonly policy: PolicyService,
    private readonly events: ConsoleEventBus,
    private readonly log: Logger,
  ) {}

  get connectedCount(): number {
    return this.conns.size;
  }

  isConnected(gatewayId: string): boolean {
    return this.conns.has(gatewayId);
  }

  send(gatewayId: string, msg: ServerMessage): boolean {
    const c = this.conns.get(gatewayId);
    if (!c || c.ws.readyState !== c.ws.OPEN) return false;
    c.ws.send(JSON.stringify(msg));
    return true;
  }

  deploy(gatewayId: string, deployment: Deployment): boolean {
    return this.send(gatewayId, { type: 'deploy', deployment });
  }

  /** A message for every connected gateway (e.g. a new intel database). */
  broadcast(msg: ServerMessage): void {
    for (const id of this.conns.keys()) this.send(id, msg);
  }

  /** Attach an authenticated gateway's socket. */
  async attach(ws: WebSocket, gatewayId: string, tenantId: string): Promise<void> {
    const gw = await this.store.tenant(tenantId).gateways.get(gatewayId);
    if (!gw) {
      ws.close(4404, 'unknown gateway');
      return;
    }
    const previous = this.conns.get(gatewayId);
    if (previous) previous.ws.close(4409, 'replaced by a new connection');
    const conn: Conn = { ws, tenantId, name: gw.name };
    this.conns.set(gatewayId, conn);
    ws.on('message', (data) => {
      void this.onMessage(conn, gatewayId, data.toString()).catch((e: unknown) => this.log.error({ gatewayId, err: e instanceof Error ? e.message : String(e) }, 'sync message failed'));
    });
    ws.on('close', () => {
      if (this.conns.get(gatewayId) === conn) {
        this.conns.delete(gatewayId);
        void this.store
          .tenant(tenantId)
          .gateways.update(gatewayId, { connected: 0, last_seen: Date.now() })
          .catch(() => undefined);
      }
    });
    await this.store.tenant(tenantId).gateways.update(gatewayId, { connected: 1, last_seen: Date.now() });
    this.send(gatewayId, { type: 'welcome', gatewayId, protocol: PROTOCOL_VERSION, serverTime: Date.now() });
  }

  private async onMessage(conn: Conn, gatewayId: string, text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.log.warn({ gatewayId }, 'sync: not JSON');
      return;
    }
    const parsed = GatewayMessage.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ gatewayId, issues: parsed.error.issues.length }, 'sync: invalid message');
      return;
    }
    const msg = parsed.data;
    const ts = this.store.tenant(conn.tenantId);
    const now = Date.now();
    switch (msg.type) {
      case 'hello':
      case 'status': {
        await ts.gateways.update(gatewayId, { status_json: JSON.stringify(msg.status), version: msg.status.version, last_seen: now, connected: 1 });
        this.markOnline(gatewayId, conn.tenantId, conn.name);
        if (msg.type === 'hello') {
          const intel = await openedIntel(this.store);
          if (intel && msg.status.intelVersion !== intel.info.version) this.send(gatewayId, intel.announcement());
          // a reconnecting gateway gets the latest version unless it already runs it
          const d = await this.policy.deploymentFor(conn.tenantId, gatewayId);
          if (d && msg.status.policyVersion !== d.version) {
            await ts.deployments.upsert(d.version, gatewayId, 'pending', null);
            await ts.gateways.update(gatewayId, { deploy_version: d.version, deploy_state: 'pending', deploy_error: null, deploy_at: now });
            this.deploy(gatewayId, d);
          }
        }
        break;
      }
      case 'deployResult':
        await this.policy.recordResult(conn.tenantId, gatewayId, msg.version, msg.ok, msg.error);
        await ts.gateways.update(gatewayId, { last_seen: now });
        this.events.emit('deploymentResult', { tenantId: conn.tenantId, gatewayId, name: conn.name, version: msg.version, ok: msg.ok, error: msg.error });
        break;
      case 'pong':
        await ts.gateways.update(gatewayId, { last_seen: now });
        break;
    }
  }

  private markOnline(gatewayId: string, tenantId: string, name: string): void {
    if (!this.online.has(gatewayId)) {
      this.online.set(gatewayId, { tenantId, name });
      this.events.emit('gatewayStatus', { tenantId, gatewayId, name, status: 'online', at: Date.now() });
    }
  }

  /** Close a gateway's channel (it was removed). */
  disconnect(gatewayId: string): void {
    const c = this.conns.get(gatewayId);
    if (c) c.ws.close(4403, 'gateway removed');
    this.online.delete(gatewayId);
  }

  pingAll(): void {
    for (const id of this.conns.keys()) this.send(id, { type: 'ping', ts: Date.now() });
  }

  /** Gateways silent for 15 minutes become offline (and an event says so, once). */
  async sweep(now = Date.now()): Promise<void> {
    for (const [id, g] of this.online) {
      const row = await this.store.tenant(g.tenantId).gateways.get(id);
      if (!row || row.last_seen === null || now - row.last_seen >= OFFLINE_AFTER_MS) {
        this.online.delete(id);
        this.events.emit('gatewayStatus', { tenantId: g.tenantId, gatewayId: id, name: g.name, status: 'offline', at: now });
      }
    }
  }

  closeAll(): void {
    for (const c of this.conns.values()) c.ws.close(1001, 'console shutting down');
    this.conns.clear();
  }
}
