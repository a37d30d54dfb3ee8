/**
 * The durable ingest journal in front of the DuckDB event store: a batch is appended to the
 * current segment file as a line of JSON and acknowledged once an fdatasync covering it
 * returned (appends that arrive while a sync runs share the next one: group commit). A loader
 * then takes whole segments (rotate()) into the columnar store in large chunks and deletes them
 * once that load committed. After a crash, the segments still on disk are loaded again; the
 * store records which segments it loaded, in the same transaction as their rows, so each is
 * loaded once.
 *
 * A segment holds only complete lines that were synced, plus at most a torn tail of an append
 * that was never acknowledged (the process died during its write): openSegments() cuts it off.
 *
 * A segment's keys, event count and payloads are those of the appends synced into it (recorded
 * when their sync returns, just before they are acknowledged). rotate() switches files between
 * two writes: it waits for the write + sync in progress, not for the journal to fall idle, so
 * the loader gets its segment while gateways keep sending (appends buffered meanwhile go to
 * the next segment).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface JournalSegment {
  seq: number;
  file: string;
  /** events acknowledged in it (unknown, 0, for segments left by an earlier run) */
  events: number;
  /** the keys given with its appends (empty for segments left by an earlier run) */
  keys: string[];
  /**
   * what was given with each append (the parsed batch), in order, so that the loader need not
   * read the file back; null when an append came without one, and for segments left by an earlier run
   */
  payloads: unknown[] | null;
}

interface Waiter {
  events: number;
  key: string;
  payload: unknown;
  resolve(): void;
  reject(err: unknown): void;
}

const SEGMENT = /^segment-(\d{12})\.ndjson$/;

export function segmentFile(dir: string, seq: number): string {
  return path.join(dir, `segment-${String(seq).padStart(12, '0')}.ndjson`);
}

export class IngestJournal {
  private fd: number;
  private seq: number;
  /** appended text waiting for the next write + sync */
  private buffered: Buffer[] = [];
  private waiters: Waiter[] = [];
  /** events synced into the current segment */
  private segmentEvents = 0;
  private segmentKeys: string[] = [];
  private segmentPayloads: unknown[] | null = [];
  private syncing: Promise<void> | null = null;
  /** rotate() calls waiting for the write in progress to end */
  private rotations: Array<{ resolve(seg: JournalSegment | null): void; reject(err: unknown): void }> = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    seq: number,
  ) {
    this.seq = seq;
    this.fd = fs.openSync(segmentFile(dir, seq), 'a');
  }

  /**
   * The segments left on disk by an earlier run (oldest first), torn tails cut off, and a new
   * journal writing to a segment numbered after all of them and after `minSeq`.
   */
  static open(dir: string, minSeq: number): { journal: IngestJournal; leftover: JournalSegment[] } {
    fs.mkdirSync(dir, { recursive: true });
    const leftover: JournalSegment[] = [];
    for (const name of fs.readdirSync(dir).sort()) {
      const m = SEGMENT.exec(name);
      if (!m) continue;
      const file = path.join(dir, name);
      cutTornTail(file);
      leftover.push({ seq: Number(m[1]), file, events: 0, keys: [], payloads: null });
    }
    const next = Math.max(minSeq, ...leftover.map((s) => s.seq)) + 1;
    return { journal: new IngestJournal(dir, next), leftover };
  }

  /** events synced into the current segment */
  get pendingEvents(): number {
    return this.segmentEvents;
  }

  /** true when the current segment holds (or is about to hold) any append */
  get hasPending(): boolean {
    return this.segmentKeys.length > 0 || this.syncing !== null;
  }

  /**
   * Appends complete lines (one batch, named by `key`, with its parsed form as `payload` when the
   * loader may take it from memory); resolves once they are on disk (fdatasync).
   */
  append(lines: string | readonly Buffer[], events: number, key: string, payload?: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the ingest journal is closed'));
    if (typeof lines === 'string') this.buffered.push(Buffer.from(lines, 'utf8'));
    else this.buffered.push(...lines);
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ events, key, payload, resolve, reject }));
    this.kick();
    return p;
  }

  private kick(): void {
    if (this.syncing) return;
    this.syncing = this.syncLoop();
  }

  /**
   * writes and syncs until nothing is buffered, switching segments between two writes when a
   * rotate() waits; clears `syncing` in the same tick it sees that nothing is left
   */
  private async syncLoop(): Promise<void> {
    try {
      while (this.buffered.length > 0) {
        if (this.rotations.length > 0) this.rotateWaiting();
        await this.syncOnce();
      }
    } finally {
      this.syncing = null;
      if (this.rotations.length > 0) this.rotateWaiting();
    }
  }

  /** switches segments for the rotate() calls waiting (nothing is being written) */
  private rotateWaiting(): void {
    const waiting = this.rotations;
    this.rotations = [];
    try {
      const seg = this.switchSegment();
      for (const r of waiting) r.resolve(seg);
    } catch (err) {
      for (const r of waiting) r.reject(err);
    }
  }

  private async syncOnce(): Promise<void> {
    const parts = this.buffered;
    const waiters = this.waiters;
    this.buffered = [];
    this.waiters = [];
    const fd = this.fd;
    const before = fs.fstatSync(fd).size;
    try {
      await writeAll(fd, parts);
      await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
      for (const w of waiters) {
        this.segmentEvents += w.events;
        this.segmentKeys.push(w.key);
        if (w.payload === undefined) this.segmentPayloads = null;
        else this.segmentPayloads?.push(w.payload);
      }
      for (const w of waiters) w.resolve();
    } catch (err) {
      // none of these appends is acknowledged: cut what was written of them (a torn line in the
      // middle of a segment would stop its load)
      try {
        fs.ftruncateSync(fd, before);
      } catch {
        // the next open cuts a torn tail; a torn middle needs this truncate to have worked
      }
      for (const w of waiters) w.reject(err);
    }
  }

  /** Waits until every append so far is synced. */
  async synced(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  /**
   * Closes the current segment once the write in progress (if any) is synced and starts the
   * next one; returns the closed segment (every append acknowledged so far is in it or in an
   * earlier one), or null when it holds nothing. Appends not yet written go to the next segment.
   */
  rotate(): Promise<JournalSegment | null> {
    if (this.closed) return Promise.resolve(null);
    if (!this.syncing) {
      try {
        return Promise.resolve(this.switchSegment());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => this.rotations.push({ resolve, reject }));
  }

  /** the switch itself: only while nothing is being written */
  private switchSegment(): JournalSegment | null {
    if (this.closed || (this.segmentKeys.length === 0 && fs.fstatSync(this.fd).size === 0)) return null;
    const done: JournalSegment = { seq: this.seq, file: segmentFile(this.dir, this.seq), events: this.segmentEvents, keys: this.segmentKeys, payloads: this.segmentPayloads };
    fs.closeSync(this.fd);
    this.seq++;
    this.fd = fs.openSync(segmentFile(this.dir, this.seq), 'a');
    this.segmentEvents = 0;
    this.segmentKeys = [];
    this.segmentPayloads = [];
    return done;
  }

  /** Stops accepting appends and closes the current segment (left on disk when not empty). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.syncing) await this.syncing;
    const empty = fs.fstatSync(this.fd).size === 0;
    fs.closeSync(this.fd);
    if (empty) fs.rmSync(segmentFile(this.dir, this.seq), { force: true });
  }
}

/** writes the buffers in order (writev, continued after a short write) */
async function writeAll(fd: number, parts: Buffer[]): Promise<void> {
  let list = parts;
  while (list.length > 0) {
    // writev takes at most IOV_MAX (1024) buffers at once
    const head = list.length > 1024 ? list.slice(0, 1024) : list;
    let n = await new Promise<number>((resolve, reject) => fs.writev(fd, head, (err, written) => (err ? reject(err) : resolve(written))));
    let i = 0;
    while (i < head.length && n >= head[i]!.length) n -= head[i++]!.length;
    const rest = i < head.length ? [head[i]!.subarray(n), ...head.slice(i + 1)] : [];
    list = [...rest, ...list.slice(head.length)];
  }
}

/** Cuts a segment after its last newline: what follows is an append that was never acknowledged. */
function cutTornTail(file: string): void {
  const size = fs.statSync(file).size;
  if (size === 0) return;
  const fd = fs.openSync(file, 'r+');
  try {
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = fs.readSync(fd, chunk, 0, end - start, start);
      const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep < size) fs.ftruncateSync(fd, keep);
        return;
      }
      end = start;
    }
    fs.ftruncateSync(fd, 0);
  } finally {
    fs.closeSync(fd);
  }
}
