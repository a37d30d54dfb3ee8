/**
 * Flows keyed by transport 5-tuple. The client is the side that sent the SYN (TCP) or, failing
 * that, the first packet. Flows end on idle timeout (by capture time), on a new SYN after both
 * FINs/RST, or at flush(); each ended flow is handed to `onFlow`.
 */
import type { DecodedPacket } from './decode.js';
import { TCP_FLAGS } from './decode.js';
import { canonicalIp } from './ip-text.js';
import { TcpStream } from './tcp-stream.js';

export type Direction = 0 | 1; // 0 = client → server, 1 = server → client

export interface Endpoint {
  ip: string;
  port: number;
}

export interface Datagram {
  dir: Direction;
  ts: number;
  data: Uint8Array;
}

export interface Flow {
  id: number;
  /** 'tcp', 'udp', or 'ip-<n>' for other IP protocols */
  protocol: string;
  ipVersion: 4 | 6;
  client: Endpoint;
  server: Endpoint;
  firstTs: number;
  lastTs: number;
  packets: [number, number];
  bytes: [number, number];
  /** TCP only: reassembled client and server streams */
  streams?: [TcpStream, TcpStream];
  /** UDP (and other) payloads, the first `maxDatagrams` of the flow */
  datagrams: Datagram[];
  synSeen: boolean;
  closed: boolean;
  vlan: number[];
}

export interface FlowTableOptions {
  /** bytes kept per TCP direction (default 64 KiB) */
  maxStreamBytes?: number;
  /** datagrams kept per UDP flow (default 16) */
  maxDatagrams?: number;
  /** seconds without packets after which a flow ends (default 300) */
  idleTimeout?: number;
  /** flows held at once; the least recently active ends first (default 100,000) */
  maxFlows?: number;
  onFlow?: (flow: Flow) => void;
}

function keyOf(proto: number, a: string, ap: number, b: string, bp: number): string {
  const x = `${a}|${ap}`;
  const y = `${b}|${bp}`;
  return x < y ? `${proto}|${x}|${y}` : `${proto}|${y}|${x}`;
}

/**
 * The canonical key of a 5-tuple, independent of direction and of how the addresses were
 * written (for matching flows with other tools' output).
 */
export function flowKey(protocol: string, a: Endpoint, b: Endpoint): string {
  const n = protocol === 'tcp' ? 6 : protocol === 'udp' ? 17 : Number(protocol.replace(/^ip-/, ''));
  return keyOf(n, canonicalIp(a.ip), a.port, canonicalIp(b.ip), b.port);
}

export class FlowTable {
  private flows = new Map<string, Flow>();
  private nextId = 1;
  private readonly maxStreamBytes: number;
  private readonly maxDatagrams: number;
  private readonly idleTimeout: number;
  private readonly maxFlows: number;
  private readonly onFlow: (flow: Flow) => void;
  /** counters for the caller's report */
  readonly stats = { packets: 0, flows: 0, evicted: 0, fragments: 0 };

  constructor(opts: FlowTableOptions = {}) {
    this.maxStreamBytes = opts.maxStreamBytes ?? 65_536;
    this.maxDatagrams = opts.maxDatagrams ?? 16;
    this.idleTimeout = opts.idleTimeout ?? 300;
    this.maxFlows = opts.maxFlows ?? 100_000;
    this.onFlow = opts.onFlow ?? (() => undefined);
  }

  add(p: DecodedPacket): Flow | undefined {
    this.stats.packets++;
    if (p.fragment && p.srcPort === 0 && p.dstPort === 0 && (p.ipProto === 6 || p.ipProto === 17)) {
      this.stats.fragments++;
      return undefined; // a non-first fragment: no transport header to key on
    }
    this.expire(p.ts);
    const key = keyOf(p.ipProto, p.src, p.srcPort, p.dst, p.dstPort);
    let flow = this.flows.get(key);
    const tcp = p.tcp;
    const isSyn = tcp !== undefined && (tcp.flags & TCP_FLAGS.SYN) !== 0 && (tcp.flags & TCP_FLAGS.ACK) === 0;
    if (flow && isSyn && flow.closed) {
      this.end(key, flow);
      flow = undefined;
    }
    if (!flow) {
      flow = this.create(p);
      if (this.flows.size >= this.maxFlows) {
        const oldest = this.flows.keys().next();
        if (!oldest.done) {
          this.stats.evicted++;
          this.end(oldest.value, this.flows.get(oldest.value)!);
        }
      }
    } else {
      // keep Map order = least recently active first
      this.flows.delete(key);
    }
    this.flows.set(key, flow);
    const dir: Direction = p.src === flow.client.ip && p.srcPort === flow.client.port ? 0 : 1;
    flow.lastTs = Math.max(flow.lastTs, p.ts);
    flow.packets[dir]++;
    flow.bytes[dir] += p.payload.length;
    if (tcp && flow.streams) {
      const stream = flow.streams[dir];
      if (tcp.flags & TCP_FLAGS.SYN) {
        stream.syn(tcp.seq);
        flow.synSeen = true;
      }
      if (p.payload.length > 0) stream.add(tcp.flags & TCP_FLAGS.SYN ? (tcp.seq + 1) >>> 0 : tcp.seq, p.payload);
      if (tcp.flags & (TCP_FLAGS.FIN | TCP_FLAGS.RST)) flow.closed = true;
    } else if (p.payload.length > 0 && flow.datagrams.length < this.maxDatagrams) {
      flow.datagrams.push({ dir, ts: p.ts, data: p.payload.slice() });
    }
    return flow;
  }

  private create(p: DecodedPacket): Flow {
    const tcp = p.tcp;
    // the SYN+ACK's receiver is the client; otherwise the sender of the first packet
    const reversed = tcp !== undefined && (tcp.flags & TCP_FLAGS.SYN) !== 0 && (tcp.flags & TCP_FLAGS.ACK) !== 0;
    const a = { ip: p.src, port: p.srcPort };
    const b = { ip: p.dst, port: p.dstPort };
    const protocol = p.ipProto === 6 ? 'tcp' : p.ipProto === 17 ? 'udp' : `ip-${p.ipProto}`;
    const flow: Flow = {
      id: this.nextId++,
      protocol,
      ipVersion: p.ipVersion,
      client: reversed ? b : a,
      server: reversed ? a : b,
      firstTs: p.ts,
      lastTs: p.ts,
      packets: [0, 0],
      bytes: [0, 0],
      datagrams: [],
      synSeen: false,
      closed: false,
      vlan: p.vlan,
    };
    if (p.ipProto === 6) flow.streams = [new TcpStream(this.maxStreamBytes), new TcpStream(this.maxStreamBytes)];
    this.stats.flows++;
    return flow;
  }

  private expire(now: number): void {
    for (const [key, flow] of this.flows) {
      if (now - flow.lastTs <= this.idleTimeout) break;
      this.end(key, flow);
    }
  }

  private end(key: string, flow: Flow): void {
    this.flows.delete(key);
    this.onFlow(flow);
  }

  /** End every flow still open (end of capture). */
  flush(): void {
    for (const [key, flow] of [...this.flows]) this.end(key, flow);
  }

  get size(): number {
    return this.flows.size;
  }
}
