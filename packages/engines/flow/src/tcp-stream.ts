/**
 * One direction of a TCP connection, reassembled by sequence number. Out-of-order segments wait
 * for their turn; retransmitted and overlapping bytes keep the first copy seen (first-seen wins);
 * at most `maxBytes` of stream are kept from the start, so memory stays bounded.
 */

interface Segment {
  start: number;
  end: number;
  data: Uint8Array;
}

/** signed distance a - b in 32-bit sequence space */
function seqDiff(a: number, b: number): number {
  return ((a - b) << 0) | 0;
}

export class TcpStream {
  private base: number | undefined;
  private synSeen = false;
  /** segments sorted by start, non-overlapping, offsets relative to base */
  private segs: Segment[] = [];
  private stored = 0;
  /** bytes that arrived beyond the window and were dropped */
  droppedBytes = 0;
  /** bytes dropped because they repeated stream data already held */
  duplicateBytes = 0;
  /** segments that arrived before a gap was filled */
  outOfOrder = 0;
  private highest = 0;

  constructor(readonly maxBytes = 65_536) {}

  /** A SYN fixes the start of the stream at ISN + 1. */
  syn(isn: number): void {
    const start = (isn + 1) >>> 0;
    if (this.base !== undefined && !this.synSeen) {
      // data was seen before the SYN (reordered capture): re-base what we hold
      const shift = seqDiff(this.base, start);
      this.segs = this.segs
        .map((s) => ({ start: s.start + shift, end: s.end + shift, data: s.data }))
        .filter((s) => s.end > 0)
        .map((s) => (s.start < 0 ? { start: 0, end: s.end, data: s.data.subarray(-s.start) } : s));
      this.stored = this.segs.reduce((n, s) => n + s.data.length, 0);
    }
    if (!this.synSeen) {
      this.base = start;
      this.synSeen = true;
    }
  }

  add(seq: number, payload: Uint8Array): void {
    if (payload.length === 0) return;
    if (this.base === undefined) this.base = seq >>> 0;
    let start = seqDiff(seq, this.base);
    if (!this.synSeen && start < 0 && start > -this.maxBytes) {
      // mid-stream capture: earlier data arrived late; move the origin back
      this.rebase(start);
      start = 0;
    }
    let data = payload;
    if (start < 0) {
      if (start + data.length <= 0) {
        this.duplicateBytes += data.length;
        return;
      }
      data = data.subarray(-start);
      start = 0;
    }
    if (start >= this.maxBytes) {
      this.droppedBytes += data.length;
      return;
    }
    if (start + data.length > this.maxBytes) {
      this.droppedBytes += start + data.length - this.maxBytes;
      data = data.subarray(0, this.maxBytes - start);
    }
    if (start < this.highest) this.outOfOrder++;
    this.insert(start, data);
    this.highest = Math.max(this.highest, start + data.length);
  }

  private rebase(delta: number): void {
    // delta < 0: the new origin is |delta| bytes before the old one
    this.base = (this.base! + delta) >>> 0;
    for (const s of this.segs) {
      s.start -= delta;
      s.end -= delta;
    }
    this.highest -= delta;
    // keep the window bounded after moving the origin
    while (this.segs.length > 0) {
      const last = this.segs[this.segs.length - 1]!;
      if (last.start >= this.maxBytes) {
        this.segs.pop();
        this.stored -= last.data.length;
        this.droppedBytes += last.data.length;
      } else if (last.end > this.maxBytes) {
        const keep = this.maxBytes - last.start;
        this.droppedBytes += last.data.length - keep;
        this.stored -= last.data.length - keep;
        last.data = last.data.subarray(0, keep);
        last.end = this.maxBytes;
        break;
      } else break;
    }
  }

  /** Insert [start, start+len) keeping only the bytes no earlier segment covers. */
  private insert(start: number, data: Uint8Array): void {
    const end = start + data.length;
    const pieces: Segment[] = [];
    let cursor = start;
    // find first segment that ends after start
    let i = 0;
    while (i < this.segs.length && this.segs[i]!.end <= start) i++;
    const insertAt = i;
    for (; i < this.segs.length && cursor < end; i++) {
      const s = this.segs[i]!;
      if (s.start >= end) break;
      if (s.start > cursor) pieces.push({ start: cursor, end: s.start, data: data.subarray(cursor - start, s.start - start) });
      this.duplicateBytes += Math.min(end, s.end) - Math.max(cursor, s.start);
      cursor = Math.max(cursor, s.end);
    }
    if (cursor < end) pieces.push({ start: cursor, end, data: data.subarray(cursor - start) });
    if (pieces.length === 0) return;
    // copy: the caller's buffer may be reused (live capture)
    const copied = pieces.map((p) => ({ start: p.start, end: p.end, data: p.data.slice() }));
    // pieces fall between existing segments; merge into the sorted list
    const merged = this.segs.slice(0, insertAt);
    let j = insertAt;
    for (const p of copied) {
      while (j < this.segs.length && this.segs[j]!.start < p.start) merged.push(this.segs[j++]!);
      merged.push(p);
      this.stored += p.data.length;
    }
    while (j < this.segs.length) merged.push(this.segs[j++]!);
    this.segs = merged;
  }

  /** Bytes held (contiguous or not). */
  get size(): number {
    return this.stored;
  }

  /**
   * The stream from its start. `contiguous` stops at the first hole; otherwise holes are
   * skipped and counted.
   */
  read(opts: { contiguous?: boolean } = {}): { data: Uint8Array; gaps: number } {
    let gaps = 0;
    const parts: Uint8Array[] = [];
    let pos = this.synSeen ? 0 : (this.segs[0]?.start ?? 0);
    for (const s of this.segs) {
      if (s.start > pos) {
        if (opts.contiguous) break;
        gaps++;
      }
      parts.push(s.data);
      pos = s.end;
    }
    if (parts.length === 1) return { data: parts[0]!, gaps };
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return { data: out, gaps };
  }
}
