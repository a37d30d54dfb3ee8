/**
 * The batch host lookup in WebAssembly (host-kernel.wat): the same steps as CategoryDb's single
 * lookup, on bytes, with the tables in a memory of its own. Per host it reads the name once with
 * no bounds checks or string-representation dispatch, and in passes over groups of 64 hosts it
 * loads every filter word, then every home bucket the filter lets through, before it finishes any
 * host, so the cache and TLB misses of a group overlap.
 *
 * The kernel answers a category-set id, -1 (not listed) or -2 (the JavaScript slow path: IP
 * literals, non-ASCII names). A group it cannot take — a host holding "\n", or more bytes than
 * the input area — is left to the caller (run() returns false).
 */
import fs from 'node:fs';
import { BUCKET_WORDS, BUCKETS_HEADER_WORDS, SLOT_KEY, SLOT_PAYLOAD_SHIFT, SLOT_VERIFY } from './db-format.js';

/** hosts per run() (the kernel's passes go over 64 at a time) */
export const KERNEL_CHUNK = 512;
/** bytes of the input area: a chunk of hosts, UTF-8, "\n"-separated */
const INPUT_BYTES = 256 * 1024;
/** per-host state records of the kernel's passes: 64 hosts x 32 bytes */
const SCRATCH_BYTES = 64 * 32;

interface KernelExports {
  init(filter: number, filterWords: number, buckets: number, homes: number, verify: number): void;
  batch(input: number, len: number, out: number, scratch: number): number;
}

/** the part of the WebAssembly API used here (the project's TypeScript libs leave it out) */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (d: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;
function kernelModule(): object {
  compiled ??= new wasm.Module(fs.readFileSync(new URL('./host-kernel.wasm', import.meta.url)));
  return compiled;
}

export class HostKernel {
  private readonly exports: KernelExports;
  private readonly bytes: Buffer;
  private readonly inputAt: number;
  private readonly outAt: number;
  private readonly scratchAt: number;
  /** the results of the last run(): out[i] for its i-th host */
  readonly out: Int32Array;

  private constructor(exports: KernelExports, memory: WasmMemory, inputAt: number, outAt: number, scratchAt: number) {
    this.exports = exports;
    this.bytes = Buffer.from(memory.buffer);
    this.inputAt = inputAt;
    this.outAt = outAt;
    this.scratchAt = scratchAt;
    this.out = new Int32Array(memory.buffer, outAt, KERNEL_CHUNK);
  }

  /**
   * A kernel over copies of the tables, or undefined when they are not what the kernel can read
   * safely (a VERIFY slot naming a record outside HOST_VERIFY: the JavaScript path answers those).
   */
  static create(filter: Int32Array, buckets: Int32Array, homes: number, verify: Int32Array): HostKernel | undefined {
    if (!verifyRecordsInRange(buckets, verify)) return undefined;
    const align = (n: number) => (n + 63) & ~63;
    const filterAt = 0;
    const bucketsAt = align(filterAt + filter.byteLength);
    const verifyAt = align(bucketsAt + buckets.byteLength);
    const inputAt = align(verifyAt + verify.byteLength);
    const outAt = align(inputAt + INPUT_BYTES + 8);
    const scratchAt = align(outAt + KERNEL_CHUNK * 4);
    const total = scratchAt + SCRATCH_BYTES;
    const memory = new wasm.Memory({ initial: Math.ceil(total / 65536) });
    const u8 = new Uint8Array(memory.buffer);
    const copy = (a: Int32Array, at: number) => u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    copy(filter, filterAt);
    copy(buckets, bucketsAt);
    copy(verify, verifyAt);
    const instance = new wasm.Instance(kernelModule(), { env: { memory } });
    const exports = instance.exports as unknown as KernelExports;
    exports.init(filterAt, filter.length, bucketsAt, homes, verifyAt);
    return new HostKernel(exports, memory, inputAt, outAt, scratchAt);
  }

  /** Bytes of the kernel's memory (benchmark diagnostics). */
  get byteLength(): number {
    return this.bytes.byteLength;
  }

  /**
   * Looks up hosts[from, from + count) (count <= KERNEL_CHUNK) into out[0, count). False when
   * the kernel cannot take this chunk (the caller looks its hosts up one by one).
   */
  run(hosts: readonly string[], from: number, count: number): boolean {
    const text = (from === 0 && count === hosts.length ? hosts : hosts.slice(from, from + count)).join('\n');
    // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (text.length * 3 > INPUT_BYTES && Buffer.byteLength(text, 'utf8') > INPUT_BYTES) return false;
    const len = this.bytes.write(text, this.inputAt, INPUT_BYTES, 'utf8');
    // a host holding "\n" splits in two: the count tells
    return this.exports.batch(this.inputAt, len, this.outAt, this.scratchAt) === count;
  }
}

/** Every VERIFY slot's record lies inside HOST_VERIFY (the kernel reads it without bounds checks). */
function verifyRecordsInRange(buckets: Int32Array, verify: Int32Array): boolean {
  for (let at = BUCKETS_HEADER_WORDS; at + BUCKET_WORDS <= buckets.length; at += BUCKET_WORDS) {
    for (let s = at; s < at + 15; s += 3) {
      const v = buckets[s + 2] as number;
      if ((v & SLOT_KEY) === 0 || (v & SLOT_VERIFY) === 0) continue;
      const r = v >>> SLOT_PAYLOAD_SHIFT;
      if (r >= verify.length) return false;
      const len = (verify[r] as number) & 0xff;
      if ((r + 1) * 4 + len > verify.byteLength) return false;
    }
  }
  return true;
}
