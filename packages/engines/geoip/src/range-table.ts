/**
 * A sorted, non-overlapping table of IP ranges → ISO country code, searched by binary search.
 * IPv4 ranges are u32 pairs; IPv6 ranges are four big-endian u32 words per bound. Country codes
 * are two ASCII letters packed into a u16.
 */
export interface GeoIp {
  /** ISO 3166-1 alpha-2 country of the address, or undefined (unassigned, private, malformed) */
  country(ip: string): string | undefined;
}

export interface RangeInput {
  start: string;
  end: string;
  country: string;
}

const pack = (cc: string) => (cc.charCodeAt(0) << 8) | cc.charCodeAt(1);
const unpack = (v: number) => String.fromCharCode(v >>> 8, v & 255);

export function parseV4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    v = v * 256 + o;
  }
  return v;
}

/** IPv6 text → four u32 words; undefined when malformed. Accepts an embedded IPv4 tail and a zone. */
export function parseV6(input: string): [number, number, number, number] | undefined {
  let s = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i] ?? '';
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  const w = (i: number) => ((((all[i * 2] ?? 0) << 16) | (all[i * 2 + 1] ?? 0)) >>> 0);
  return [w(0), w(1), w(2), w(3)];
}

function cmp6(t: Uint32Array, at: number, w: readonly number[]): number {
  for (let i = 0; i < 4; i++) {
    const d = (t[at + i] ?? 0) - (w[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export class RangeTable implements GeoIp {
  constructor(
    private readonly v4Start: Uint32Array,
    private readonly v4End: Uint32Array,
    private readonly v4Cc: Uint16Array,
    private readonly v6Start: Uint32Array,
    private readonly v6End: Uint32Array,
    private readonly v6Cc: Uint16Array,
  ) {}

  /** Compact binary form ("MGEO" v1): counts, then the six arrays, 4-byte aligned. */
  serialize(): Buffer {
    const parts = [this.v4Start, this.v4End, this.v6Start, this.v6End, this.v4Cc, this.v6Cc];
    const head = Buffer.alloc(16);
    head.write('MGEO', 0, 'latin1');
    head.writeUInt32LE(1, 4);
    head.writeUInt32LE(this.v4Cc.length, 8);
    head.writeUInt32LE(this.v6Cc.length, 12);
    const bufs = parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    const pad = Buffer.alloc((4 - (bufs.reduce((n, b) => n + b.length, 0) % 4)) % 4);
    return Buffer.concat([head, ...bufs, pad]);
  }

  static deserialize(input: Buffer): RangeTable {
    const buf = input.byteOffset % 4 === 0 ? input : Buffer.from(input);
    if (buf.length < 16 || buf.toString('latin1', 0, 4) !== 'MGEO' || buf.readUInt32LE(4) !== 1) throw new Error('not a compiled GeoIP table');
    const n4 = buf.readUInt32LE(8);
    const n6 = buf.readUInt32LE(12);
    const need = 16 + n4 * 8 + n6 * 32 + n4 * 2 + n6 * 2;
    if (buf.length < need) throw new Error('compiled GeoIP table truncated');
    let at = buf.byteOffset + 16;
    const u32 = (n: number) => {
      const a = new Uint32Array(buf.buffer, at, n);
      at += n * 4;
      return a;
    };
    const u16 = (n: number) => {
      const a = new Uint16Array(buf.buffer, at, n);
      at += n * 2;
      return a;
    };
    const v4Start = u32(n4);
    const v4End = u32(n4);
    const v6Start = u32(n6 * 4);
    const v6End = u32(n6 * 4);
    const v4Cc = u16(n4);
    const v6Cc = u16(n6);
    return new RangeTable(v4Start, v4End, v4Cc, v6Start, v6End, v6Cc);
  }

  get size(): { ipv4: number; ipv6: number } {
    return { ipv4: this.v4Cc.length, ipv6: this.v6Cc.length };
  }

  /** Builds a table from ranges in any order; overlapping ranges are an error. */
  static fromRanges(ranges: readonly RangeInput[]): RangeTable {
    const v4: Array<[number, number, number]> = [];
    const v6: Array<[number[], number[], number]> = [];
    for (const r of ranges) {
      if (!/^[A-Z]{2}$/.test(r.country)) throw new Error(`bad country code "${r.country}" (ISO 3166-1 alpha-2, upper case)`);
      const a4 = parseV4(r.start);
      const b4 = parseV4(r.end);
      if (a4 !== undefined && b4 !== undefined) {
        if (a4 > b4) throw new Error(`range ${r.start}-${r.end} ends before it starts`);
        v4.push([a4, b4, pack(r.country)]);
        continue;
      }
      const a6 = parseV6(r.start);
      const b6 = parseV6(r.end);
      if (!a6 || !b6) throw new Error(`bad range ${r.start}-${r.end}`);
      v6.push([a6, b6, pack(r.country)]);
    }
    v4.sort((a, b) => a[0] - b[0]);
    v6.sort((a, b) => {
      for (let i = 0; i < 4; i++) if (a[0][i] !== b[0][i]) return (a[0][i] ?? 0) - (b[0][i] ?? 0);
      return 0;
    });
    const t = new RangeTable(
      Uint32Array.from(v4.map((r) => r[0])),
      Uint32Array.from(v4.map((r) => r[1])),
      Uint16Array.from(v4.map((r) => r[2])),
      Uint32Array.from(v6.flatMap((r) => r[0])),
      Uint32Array.from(v6.flatMap((r) => r[1])),
      Uint16Array.from(v6.map((r) => r[2])),
    );
    t.checkSorted();
    return t;
  }

  /** Throws when ranges overlap (a lookup would be ambiguous). */
  checkSorted(): void {
    for (let i = 1; i < this.v4Cc.length; i++) {
      if ((this.v4Start[i] ?? 0) <= (this.v4End[i - 1] ?? 0)) throw new Error(`overlapping IPv4 ranges at row ${i}`);
    }
    for (let i = 1; i < this.v6Cc.length; i++) {
      if (cmp6(this.v6Start, i * 4, Array.from(this.v6End.subarray((i - 1) * 4, i * 4))) <= 0) throw new Error(`overlapping IPv6 ranges at row ${i}`);
    }
  }

  country(ip: string): string | undefined {
    const v4 = parseV4(ip);
    if (v4 !== undefined) return this.lookupV4(v4);
    const w = parseV6(ip);
    if (!w) return undefined;
    // IPv4-mapped ::ffff:a.b.c.d
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return this.lookupV4(w[3]);
    let lo = 0;
    let hi = this.v6Cc.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp6(this.v6Start, mid * 4, w) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || cmp6(this.v6End, found * 4, w) < 0) return undefined;
    return unpack(this.v6Cc[found] ?? 0);
  }

  private lookupV4(v: number): string | undefined {
    const starts = this.v4Start;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] ?? 0) <= v) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || (this.v4End[found] ?? 0) < v) return undefined;
    return unpack(this.v4Cc[found] ?? 0);
  }
}

/**
 * Turns possibly nested ranges (the data lists a /22 and, inside it, a single address of another
 * country) into disjoint segments where the innermost range wins. Input sorted by start, then
 * by end descending (containers first).
 */
export function flattenRanges<T extends number | bigint>(starts: T[], ends: T[], ccs: number[], one: T): { starts: T[]; ends: T[]; ccs: number[] } {
  const out = { starts: [] as T[], ends: [] as T[], ccs: [] as number[] };
  const add = (a: T, b: T) => ((a as bigint) + (b as bigint)) as T;
  const sub = (a: T, b: T) => ((a as bigint) - (b as bigint)) as T;
  const emit = (a: T, b: T, cc: number) => {
    if (a > b) return;
    const n = out.ccs.length;
    if (n > 0 && out.ccs[n - 1] === cc && add(out.ends[n - 1] as T, one) === a) out.ends[n - 1] = b;
    else {
      out.starts.push(a);
      out.ends.push(b);
      out.ccs.push(cc);
    }
  };
  const stack: number[] = [];
  let cursor: T | undefined;
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i] as T;
    while (stack.length > 0 && (ends[stack[stack.length - 1] as number] as T) < s) {
      const top = stack.pop() as number;
      if (cursor !== undefined && cursor <= (ends[top] as T)) {
        emit(cursor, ends[top] as T, ccs[top] as number);
        cursor = add(ends[top] as T, one);
      }
    }
    if (stack.length > 0 && cursor !== undefined && cursor < s) emit(cursor, sub(s, one), ccs[stack[stack.length - 1] as number] as number);
    cursor = s;
    stack.push(i);
  }
  while (stack.length > 0) {
    const top = stack.pop() as number;
    if (cursor !== undefined && cursor <= (ends[top] as T)) {
      emit(cursor, ends[top] as T, ccs[top] as number);
      cursor = add(ends[top] as T, one);
    }
  }
  return out;
}

function isSorted<T>(rows: T[], cmp: (a: T, b: T) => number): boolean {
  for (let i = 1; i < rows.length; i++) if (cmp(rows[i - 1] as T, rows[i] as T) > 0) return false;
  return true;
}

const toBig = (w: readonly number[]) => (BigInt(w[0] ?? 0) << 96n) | (BigInt(w[1] ?? 0) << 64n) | (BigInt(w[2] ?? 0) << 32n) | BigInt(w[3] ?? 0);
const fromBig = (v: bigint) => [Number((v >> 96n) & 0xffffffffn), Number((v >> 64n) & 0xffffffffn), Number((v >> 32n) & 0xffffffffn), Number(v & 0xffffffffn)];

/**
 * Compiles the package's CSVs (`start,end,CC` per line: IPv4 as decimal numbers, IPv6 as text)
 * into a RangeTable. Damaged lines are skipped.
 */
export function compileCsv(v4NumCsv: string, v6Csv: string): RangeTable {
  const v4: Array<[number, number, number]> = [];
  for (const line of v4NumCsv.split('\n')) {
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    if (c1 < 0 || c2 < 0 || line.length - c2 < 3) continue;
    const a = Number(line.slice(0, c1));
    const b = Number(line.slice(c1 + 1, c2));
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > 0xffffffff || a > b) continue;
    v4.push([a, b, (line.charCodeAt(c2 + 1) << 8) | line.charCodeAt(c2 + 2)]);
  }
  const byStart4 = (x: [number, number, number], y: [number, number, number]) => x[0] - y[0] || y[1] - x[1];
  if (!isSorted(v4, byStart4)) v4.sort(byStart4);
  const f4 = flattenRanges(v4.map((r) => r[0]), v4.map((r) => r[1]), v4.map((r) => r[2]), 1);

  const v6: Array<[bigint, bigint, number]> = [];
  for (const line of v6Csv.split('\n')) {
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    if (c1 < 0 || c2 < 0) continue;
    const a = parseV6(line.slice(0, c1));
    const b = parseV6(line.slice(c1 + 1, c2));
    if (!a || !b) continue;
    const ab = toBig(a);
    const bb = toBig(b);
    if (ab > bb) continue;
    v6.push([ab, bb, (line.charCodeAt(c2 + 1) << 8) | line.charCodeAt(c2 + 2)]);
  }
  const byStart6 = (x: [bigint, bigint, number], y: [bigint, bigint, number]) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] > y[1] ? -1 : x[1] < y[1] ? 1 : 0);
  if (!isSorted(v6, byStart6)) v6.sort(byStart6);
  const f6 = flattenRanges(v6.map((r) => r[0]), v6.map((r) => r[1]), v6.map((r) => r[2]), 1n);

  const t = new RangeTable(
    Uint32Array.from(f4.starts),
    Uint32Array.from(f4.ends),
    Uint16Array.from(f4.ccs),
    Uint32Array.from(f6.starts.flatMap(fromBig)),
    Uint32Array.from(f6.ends.flatMap(fromBig)),
    Uint16Array.from(f6.ccs),
  );
  t.checkSorted();
  return t;
}
