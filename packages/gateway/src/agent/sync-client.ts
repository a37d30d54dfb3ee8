/**
 * The sync channel: a WebSocket over mutual TLS to the console (packages/policy/src/sync.ts).
 * Says hello with its status, applies deployments and answers each with deployResult, answers
 * pings, reports status periodically, and reconnects with exponential backoff for ever.
 */
import WebSocket from 'ws';
import { GatewayMessage, PROTOCOL_VERSION, ServerMessage, type GatewayStatus } from '@mamori/policy';
import type { Logger } from 'pino';
import type { TlsClientOptions } from './http-client.js';
import type { ApplyResult } from './deployments.js';

export interface SyncClientOptions {
  url: string;
  tls: TlsClientOptions;
  status(): GatewayStatus;
  onDeploy(raw: unknown): Promise<ApplyResult>;
  onIntel?(msg: { version: string; url: string; sha256: string }): void;
  log: Logger;
  statusIntervalMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class SyncClient {
  private ws: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  connected = false;
  /** incremented on every welcome (tests, status) */
  sessions = 0;

  constructor(private readonly o: SyncClientOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.o.url, {
      key: this.o.tls.key,
      cert: this.o.tls.cert,
      ...(this.o.tls.ca ? { ca: this.o.tls.ca } : {}),
      handshakeTimeout: 10_000,
      maxPayload: 64 * 1024 * 1024,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.send({ type: 'hello', protocol: PROTOCOL_VERSION, status: this.o.status() });
      this.statusTimer = setInterval(() => this.send({ type: 'status', status: this.o.status() }), this.o.statusIntervalMs ?? 30_000);
    });
    ws.on('message', (data: WebSocket.RawData) => void this.onMessage(data));
    ws.on('error', (e) => this.o.log.info({ err: e.message }, 'sync channel error'));
    ws.on('close', () => {
      this.connected = false;
      if (this.statusTimer) clearInterval(this.statusTimer);
      this.statusTimer = null;
      this.ws = null;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const min = this.o.minBackoffMs ?? 1000;
    const max = this.o.maxBackoffMs ?? 60_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.attempt, 16)) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private async onMessage(data: WebSocket.RawData): Promise<void> {
    let msg: ServerMessage;
    try {
      const r = ServerMessage.safeParse(JSON.parse(data.toString()));
      if (!r.success) {
        // a deploy that does not validate is still answered, so the console shows the failure
        const raw = JSON.parse(data.toString()) as { type?: unknown; deployment?: { version?: unknown } };
        if (raw?.type === 'deploy' && typeof raw.deployment?.version === 'number' && raw.deployment.version > 0) {
          const res = await this.o.onDeploy(raw.deployment);
          this.send({ type: 'deployResult', version: raw.deployment.version, ok: res.ok, ...(res.ok ? {} : { error: res.error.slice(0, 4096) }) });
        } else this.o.log.warn({ issues: r.error.issues.slice(0, 3) }, 'unknown message from the console');
        return;
      }
      msg = r.data;
    } catch {
      this.o.log.warn('unparseable message from the console');
      return;
    }
    switch (msg.type) {
      case 'welcome':
        this.connected = true;
        this.attempt = 0;
        this.sessions++;
        this.o.log.info({ gatewayId: msg.gatewayId }, 'connected to the console');
        break;
      case 'deploy': {
        const res = await this.o.onDeploy(msg.deployment);
        this.send({ type: 'deployResult', version: msg.deployment.version, ok: res.ok, ...(res.ok ? {} : { error: res.error.slice(0, 4096) }) });
        this.send({ type: 'status', status: this.o.status() });
        break;
      }
      case 'intel':
        this.o.onIntel?.(msg);
        break;
      case 'ping':
        this.send({ type: 'pong', ts: msg.ts });
        break;
    }
  }

  /** reports the current status now (e.g. after an intel update) */
  sendStatus(): void {
    this.send({ type: 'status', status: this.o.status() });
  }

  private send(m: GatewayMessage): void {
    const checked = GatewayMessage.safeParse(m);
    if (!checked.success) {
      this.o.log.error({ issues: checked.error.issues.slice(0, 3) }, 'refusing to send an invalid message');
      return;
    }
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(checked.data));
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.ws?.terminate();
  }
}
