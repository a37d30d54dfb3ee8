import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NO_CATSET, loadCategoryDb } from './category-db.js';
import { CategoryDbBuilder } from './db-builder.js';
import { BUCKETS_HEADER_WORDS, BUCKET_WORDS, SLOT_KEY, SLOT_PAYLOAD_SHIFT, SLOT_VERIFY } from './db-format.js';
import { HostKernel, KERNEL_CHUNK } from './host-kernel.js';
import { parseListLine } from './list-entry.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function db() {
  const b = new CategoryDbBuilder('kernel');
  const hosts = 'bank.example.jp finance  clinic.example.co.jp health  news.example.jp news  example.com search-engines  mail.example.com webmail  xn--bcher-kva.example.jp shopping  deep.a.b.c.d.e.f.g.h.i.j.example.com games';
  for (const pair of hosts.split('  ')) {
    const [host, category] = pair.split(' ') as [string, string];
    b.addHost(host, category);
  }
  for (let i = 0; i < 3000; i++) b.addHost(`h${i}.site${i % 700}.example.net`, i % 3 === 0 ? 'finance' : 'malware');
  if (!b.addEntry(parseListLine('198.51.100.0/24', 'auto'), 'cnc')) throw new Error('bad fixture');
  return loadCategoryDb(b.build());
}

/** every batch form against single lookups, host by host */
function expectBatchAgrees(d: ReturnType<typeof db>, hosts: string[]): void {
  const ids = new Uint32Array(hosts.length);
  d.lookupHostsCatsets(hosts, ids);
  const out: Array<readonly string[]> = [];
  d.lookupHosts(hosts, out);
  hosts.forEach((h, i) => {
    expect(d.catsetCategories(ids[i] as number), h.slice(0, 80)).toBe(d.lookupHostCategories(h));
    expect(out[i], h.slice(0, 80)).toBe(d.lookupHostCategories(h));
  });
}

describe('WebAssembly batch host lookups', () => {
  it('is built from host-kernel.wat (npm run build:wasm)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-kernel-'));
    try {
      const out = path.join(dir, 'k.wasm');
      execFileSync('wat2wasm', [path.join(here, 'host-kernel.wat'), '-o', out]);
      expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(path.join(here, 'host-kernel.wasm')))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers like single lookups: case, trailing dots, SPLIT parents, verified keys, deep keys, IP literals, IDN, odd names', () => {
    const d = db();
    const hosts: string[] = [];
    for (let i = 0; i < 3000; i += 7) hosts.push(`h${i}.site${i % 700}.example.net`, `www.h${i}.site${i % 700}.example.net`, `x${i}.site${i % 700}.example.net`);
    hosts.push(
      'WWW.Bank.Example.JP', 'bank.example.jp.', 'bank.example.jpx', 'clinic.example.co.jp', 'a.clinic.example.co.jp', 'co.jp', 'example.co.jp',
      'mail.example.com', 'MAIL.EXAMPLE.COM.', 'x.y.deep.a.b.c.d.e.f.g.h.i.j.example.com', 'deep.a.b.c.d.e.f.g.h.i.j.example.com',
      '198.51.100.7', '[2001:db8::1]', 'example.com:8080', 'bücher.example.jp', 'www.bücher.example.jp', 'ｅｘａｍｐｌｅ.com',
      '', '.', '..', 'com', '.example.com', 'a..example.com', 'example..com', 'news.example.jp..', ' example.com', 'exa mple.com',
      `${'a.'.repeat(200)}example.com`, `${'x'.repeat(300)}.example.com`,
    );
    expectBatchAgrees(d, hosts);
    const ids = new Uint32Array(hosts.length);
    d.lookupHostsCatsets(hosts, ids);
    expect(d.catsetCategories(ids[hosts.indexOf('WWW.Bank.Example.JP')] as number)).toEqual(['finance']);
    expect(d.catsetCategories(ids[hosts.indexOf('198.51.100.7')] as number)).toEqual(['cnc']);
    expect(d.catsetCategories(ids[hosts.indexOf('www.bücher.example.jp')] as number)).toEqual(['shopping']);
    expect(ids[hosts.indexOf('bank.example.jpx')]).toBe(NO_CATSET);
    expect(ids[hosts.indexOf('')]).toBe(NO_CATSET);
  });

  it('takes chunk edges, a host holding a newline and a chunk too big for its input area one host at a time', () => {
    const d = db();
    for (const n of [KERNEL_CHUNK - 1, KERNEL_CHUNK, KERNEL_CHUNK + 1, 2 * KERNEL_CHUNK + 3]) {
      expectBatchAgrees(d, Array.from({ length: n }, (_, i) => `w.h${i % 3000}.site${i % 3000 % 700}.example.net`));
    }
    // "\n" would split a host in two: the chunk is looked up host by host
    const withNewline = Array.from({ length: 40 }, (_, i) => `h${i}.site${i % 700}.example.net`);
    withNewline[5] = 'h5.site5.example.net\nh6.site6.example.net';
    withNewline[9] = '\n';
    expectBatchAgrees(d, withNewline);
    const ids = new Uint32Array(withNewline.length);
    d.lookupHostsCatsets(withNewline, ids);
    expect(d.catsetCategories(ids[6] as number)).toEqual(['finance']);
    expect(d.catsetCategories(ids[7] as number)).toEqual(['malware']);
    // more bytes than the input area
    const big = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? `${'b'.repeat(60_000)}.h${i}.site${i}.example.net` : `h${i}.site${i}.example.net`));
    expectBatchAgrees(d, big);
    d.lookupHostsCatsets(big, ids);
    expect(d.catsetCategories(ids[0] as number)).toEqual(['finance']);
    expect(d.catsetCategories(ids[1] as number)).toEqual(['malware']);
  });

  it('is not used over tables it cannot read safely: a VERIFY slot naming a record outside HOST_VERIFY', () => {
    const buckets = new Int32Array(BUCKETS_HEADER_WORDS + 2 * BUCKET_WORDS);
    buckets[0] = 2;
    buckets[1] = 2;
    const slot = BUCKETS_HEADER_WORDS;
    buckets[slot] = 123;
    buckets[slot + 1] = 456;
    const verify = new Int32Array(4);
    verify[0] = (5 << 8) | 3;
    // a record whose 20 bytes would run past the section's 16
    verify[2] = (1 << 8) | 20;
    buckets[slot + 2] = SLOT_KEY | SLOT_VERIFY | (0 << SLOT_PAYLOAD_SHIFT);
    expect(HostKernel.create(new Int32Array(16), buckets, 2, verify)).toBeInstanceOf(HostKernel);
    buckets[slot + 2] = SLOT_KEY | SLOT_VERIFY | (2 << SLOT_PAYLOAD_SHIFT);
    expect(HostKernel.create(new Int32Array(16), buckets, 2, verify)).toBeUndefined();
    buckets[slot + 2] = SLOT_KEY | SLOT_VERIFY | (9 << SLOT_PAYLOAD_SHIFT);
    expect(HostKernel.create(new Int32Array(16), buckets, 2, verify)).toBeUndefined();
  });
});
