import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventBatch, EventBatchAck } from '@mamori/policy';
import { Spool, type SpoolEventInput } from './spool.js';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-spool-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const ev = (i: number): SpoolEventInput => ({ type: 'access', ts: 1_700_000_000_000 + i, srcIp: '10.0.0.1', action: 'allow', host: `h${i}.example`, categories: [] });

describe('spool', () => {
  it('keeps events across a restart and ships each once the console acknowledges', async () => {
    const dir = tmpDir();
    const s1 = Spool.open(dir, { segmentMaxEvents: 4 });
    for (let i = 0; i < 10; i++) s1.append(ev(i));
    await s1.close(); // "restart"
    const s2 = Spool.open(dir, { segmentMaxEvents: 4 });
    expect(s2.pending).toBe(10);
    // console down: nothing is deleted
    await expect(s2.shipAll('gw1', async () => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED');
    expect(s2.pending).toBe(10);
    // console up, but the first answer is lost after the console stored the batch: resend with the same id
    const stored = new Map<string, EventBatch>();
    let dropFirstAck = true;
    const send = async (b: EventBatch): Promise<EventBatchAck> => {
      const dup = stored.has(b.batchId);
      stored.set(b.batchId, b);
      if (dropFirstAck) {
        dropFirstAck = false;
        throw new Error('connection reset');
      }
      return { batchId: b.batchId, accepted: dup ? 0 : b.events.length, duplicate: dup };
    };
    await expect(s2.shipAll('gw1', send)).rejects.toThrow('connection reset');
    const shipped = await s2.shipAll('gw1', send);
    expect(shipped).toBe(10);
    expect(s2.pending).toBe(0);
    const hosts = [...stored.values()].flatMap((b) => b.events.map((e) => (e.type === 'access' ? e.host : '')));
    expect(new Set(hosts).size).toBe(10);
    const ids = [...stored.values()].flatMap((b) => b.events.map((e) => e.id));
    expect(new Set(ids).size).toBe(10);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('seg-'))).toEqual([]);
    await s2.close();
  });

  it('skips a torn last line and rejects an acknowledgement for another batch', async () => {
    const dir = tmpDir();
    const s = Spool.open(dir);
    s.append(ev(1));
    s.append(ev(2));
    await s.seal();
    const seg = fs.readdirSync(dir).find((f) => f.startsWith('seg-'))!;
    fs.appendFileSync(path.join(dir, seg), '{"type":"access","ts":');
    await expect(s.shipAll('gw', async () => ({ batchId: 'other', accepted: 0, duplicate: false }))).rejects.toThrow(/acknowledged other/);
    const got: EventBatch[] = [];
    await s.shipAll('gw', async (b) => {
      got.push(b);
      return { batchId: b.batchId, accepted: b.events.length, duplicate: false };
    });
    expect(got[0]?.events.map((e) => e.ts)).toEqual([1_700_000_000_001, 1_700_000_000_002]);
    await s.close();
  });
});
