/**
 * The durable log spool: events are appended as JSON lines to segment files and fsync'ed in
 * batches; a full segment is sealed and shipped as one batch whose id is stable across restarts
 * (spool id + segment number), and the file is deleted only after the console acknowledged it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LogEvent, type EventBatch, type EventBatchAck, type LogEventInput } from '@mamori/policy';

export interface SpoolOptions {
  /** events per segment (= per batch); at most 10 000 (EventBatch limit) */
  segmentMaxEvents?: number;
  /** how long appended events may wait in memory before write + fsync */
  flushIntervalMs?: number;
}

type Unidentified<T> = T extends unknown ? Omit<T, 'id'> & { id?: string } : never;
export type SpoolEventInput = Unidentified<LogEventInput>;

const SEG_RE = /^seg-(\d{12})\.jsonl$/;

export class Spool {
  private seq: number;
  private fd: number | null = null;
  private curCount = 0;
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sealedCount = 0;
  private closingCount = 0;
  private readonly closing = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  writeErrors = 0;
  lastWriteError: string | null = null;

  private constructor(
    readonly dir: string,
    readonly spoolId: string,
    lastSeq: number,
    private readonly opts: Required<SpoolOptions>,
  ) {
    this.seq = lastSeq;
  }

  static open(dir: string, opts: SpoolOptions = {}): Spool {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const idFile = path.join(dir, 'spool.id');
    let id: string;
    try {
      id = fs.readFileSync(idFile, 'utf8').trim();
    } catch {
      id = randomUUID();
      writeFileDurable(idFile, id);
    }
    const segs = listSegments(dir);
    const last = segs.length ? segs[segs.length - 1]!.seq : 0;
    const max = Math.min(10_000, Math.max(1, opts.segmentMaxEvents ?? 1000));
    const s = new Spool(dir, id, last, { segmentMaxEvents: max, flushIntervalMs: opts.flushIntervalMs ?? 50 });
    // segments left by a previous run are sealed as they are; count their events
    for (const seg of segs) s.sealedCount += countLines(path.join(dir, seg.name));
    return s;
  }

  /** events not yet acknowledged (on disk or about to be) */
  get pending(): number {
    return this.sealedCount + this.closingCount + this.curCount;
  }

  append(ev: SpoolEventInput): string {
    if (this.closed) throw new Error('spool is closed');
    if (this.fd === null) this.openSegment();
    const id = ev.id ?? `${this.spoolId}-${this.seq}-${this.curCount}`;
    // the id goes first without copying the event (this runs once per request)
    const json = JSON.stringify(ev);
    this.buffer.push(ev.id !== undefined ? json + '\n' : json.length > 2 ? `{"id":${JSON.stringify(id)},${json.slice(1)}\n` : `{"id":${JSON.stringify(id)}}\n`);
    this.curCount++;
    if (this.curCount >= this.opts.segmentMaxEvents) this.rotate();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
    return id;
  }

  /**
   * Write and fsync what is buffered. Writes are asynchronous and serialized, so the event loop
   * never waits for the disk; the returned promise resolves when the data is durable.
   */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.fd === null || this.buffer.length === 0) return this.chain;
    const fd = this.fd;
    const data = this.buffer.join('');
    this.buffer = [];
    this.chain = this.chain.then(() => writeAndSync(fd, data)).catch((e: unknown) => {
      this.writeErrors++;
      this.lastWriteError = e instanceof Error ? e.message : String(e);
    });
    return this.chain;
  }

  /** close the current segment (once its writes are durable) so that it can be shipped */
  private rotate(): void {
    if (this.fd === null) return;
    void this.flush();
    const fd = this.fd;
    const count = this.curCount;
    const name = segName(this.seq);
    this.fd = null;
    this.curCount = 0;
    this.closingCount += count;
    this.closing.add(name);
    this.chain = this.chain.then(() => {
      fs.closeSync(fd);
      this.closing.delete(name);
      this.closingCount -= count;
      this.sealedCount += count;
    });
  }

  /** seal the current segment and wait until every sealed segment is on disk */
  async seal(): Promise<void> {
    this.rotate();
    await this.chain;
  }

  private openSegment(): void {
    this.seq++;
    this.fd = fs.openSync(path.join(this.dir, segName(this.seq)), 'a', 0o600);
    this.curCount = 0;
  }

  /** the oldest sealed segment as a batch, or null */
  nextBatch(gatewayId: string): { batch: EventBatch; file: string; count: number } | null {
    const open = this.fd === null ? null : segName(this.seq);
    for (const seg of listSegments(this.dir)) {
      if (seg.name === open || this.closing.has(seg.name)) continue;
      const file = path.join(this.dir, seg.name);
      const events = readEvents(file);
      return { batch: { batchId: `${this.spoolId}-${seg.seq}`, gatewayId, events }, file, count: countLines(file) };
    }
    return null;
  }

  /** the console has the batch: forget it */
  acknowledge(file: string, count: number): void {
    fs.rmSync(file, { force: true });
    fsyncDir(this.dir);
    this.sealedCount = Math.max(0, this.sealedCount - count);
  }

  /**
   * Ship everything sealed (sealing the current segment first) with `send`; stops at the first
   * failure, leaving the rest on disk. Returns how many events were acknowledged.
   */
  async shipAll(gatewayId: string, send: (b: EventBatch) => Promise<EventBatchAck>): Promise<number> {
    await this.seal();
    let shipped = 0;
    for (;;) {
      const next = this.nextBatch(gatewayId);
      if (!next) return shipped;
      if (next.batch.events.length > 0) {
        const ack = await send(next.batch);
        if (ack.batchId !== next.batch.batchId) throw new Error(`console acknowledged ${ack.batchId}, expected ${next.batch.batchId}`);
      }
      this.acknowledge(next.file, next.count);
      shipped += next.batch.events.length;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await this.chain;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

function writeAndSync(fd: number, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.write(fd, data, (err) => {
      if (err) return reject(err);
      fs.fdatasync(fd, (err2) => (err2 ? reject(err2) : resolve()));
    });
  });
}

function segName(seq: number): string {
  return `seg-${String(seq).padStart(12, '0')}.jsonl`;
}

function listSegments(dir: string): Array<{ name: string; seq: number }> {
  return fs
    .readdirSync(dir)
    .map((name) => ({ name, m: SEG_RE.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ name: x.name, seq: Number(x.m[1]) }))
    .sort((a, b) => a.seq - b.seq);
}

function countLines(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  for (const b of buf) if (b === 0x0a) n++;
  return n;
}

/** parse a segment; a torn last line (crash while writing) or an invalid line is skipped */
function readEvents(file: string): LogEvent[] {
  const out: LogEvent[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const r = LogEvent.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      // torn write
    }
  }
  return out;
}

function writeFileDurable(file: string, data: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  fs.writeSync(fd, data);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // some filesystems do not allow fsync on directories
  }
}

export { writeFileDurable };
