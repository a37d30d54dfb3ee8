import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestJournal } from './ingest-journal.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-journal-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const lineOf = (key: string): string => `${JSON.stringify({ key })}\n`;
const keysInFile = (file: string): string[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { key: string }).key);

describe('ingest journal', () => {
  it('rotates while appends keep arriving: the segment holds every append acknowledged before the rotation, the rest goes to the next one', async () => {
    const { journal } = IngestJournal.open(path.join(dir, 'busy'), 0);
    const acked: string[] = [];
    let n = 0;
    let stop = false;
    // four senders, each appending again as soon as its last append is acknowledged (never idle)
    const sender = async (s: number): Promise<void> => {
      while (!stop && n < 5000) {
        const key = `k${s}-${n++}`;
        await journal.append(lineOf(key), 2, key, { key });
        acked.push(key);
      }
    };
    const senders = [0, 1, 2, 3].map(sender);
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 1));
    const ackedBefore = [...acked];
    const seg = await journal.rotate();
    const appendedBy = n;
    stop = true;
    await Promise.all(senders);
    // the rotation did not wait for the senders to stop
    expect(appendedBy).toBeLessThan(5000);
    expect(seg).not.toBeNull();
    for (const k of ackedBefore) expect(seg!.keys).toContain(k);
    expect(keysInFile(seg!.file)).toEqual(seg!.keys);
    expect(seg!.events).toBe(2 * seg!.keys.length);
    expect((seg!.payloads as Array<{ key: string }>).map((p) => p.key)).toEqual(seg!.keys);
    // every acknowledged append is in exactly one of the two segments, in order
    const next = await journal.rotate();
    const all = [...seg!.keys, ...(next?.keys ?? [])];
    expect([...all].sort()).toEqual([...acked].sort());
    expect(keysInFile(next!.file)).toEqual(next!.keys);
    await journal.close();
  });

  it('rotates an idle journal at once and returns null when nothing was appended', async () => {
    const { journal } = IngestJournal.open(path.join(dir, 'idle'), 0);
    expect(await journal.rotate()).toBeNull();
    await journal.append(lineOf('a'), 1, 'a');
    const seg = await journal.rotate();
    expect(seg?.keys).toEqual(['a']);
    expect(seg?.payloads).toBeNull();
    expect(await journal.rotate()).toBeNull();
    await journal.close();
  });
});
