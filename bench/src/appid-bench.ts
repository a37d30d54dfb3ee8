/**
 * Application identification throughput on the nDPI regression captures:
 * - whole pipeline (pcap parse, decode, flow table + reassembly, L7 extraction, identify):
 *   packets/s and flows/s, captures held in memory;
 * - identify() alone on the facts extracted from those flows: lookups/s.
 * Run: npx tsx bench/src/appid-bench.ts [ndpi-dir]   (default ../shared/data/ndpi or $MAMORI_SHARED_DATA/ndpi)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppFacts } from '@mamori/appid';
import { compileCatalogue, defaultCatalogue, flowAppFacts, identifyWith } from '@mamori/appid';
import { inspectFlow, readFlows } from '@mamori/flow';

const dir = path.resolve(process.argv[2] ?? path.join(process.env['MAMORI_SHARED_DATA'] ?? '../shared/data', 'ndpi'));
const pcapDir = path.join(dir, 'pcap');
if (!fs.existsSync(pcapDir)) {
  process.stderr.write(`no captures at ${pcapDir}\n`);
  process.exit(2);
}
const captures = fs.readdirSync(pcapDir).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => fs.readFileSync(path.join(pcapDir, f)));
const bytes = captures.reduce((n, b) => n + b.length, 0);

const t0 = performance.now();
const compiled = compileCatalogue(defaultCatalogue());
const loadMs = performance.now() - t0;

function pipeline(collect?: AppFacts[]): { packets: number; flows: number; identified: number } {
  let packets = 0;
  let flows = 0;
  let identified = 0;
  for (const buf of captures) {
    try {
      const stats = readFlows(buf, (f) => {
        flows++;
        const facts = flowAppFacts(f, inspectFlow(f));
        collect?.push(facts);
        if (identifyWith(compiled, facts)) identified++;
      });
      packets += stats.packets;
    } catch {
      // not a capture: counted by the eval, not here
    }
  }
  return { packets, flows, identified };
}

const facts: AppFacts[] = [];
const warm = pipeline(facts);
const runs: number[] = [];
for (let i = 0; i < 3; i++) {
  const s = performance.now();
  pipeline();
  runs.push((performance.now() - s) / 1000);
}
const best = Math.min(...runs);

const idRuns: number[] = [];
const rounds = 50;
for (let i = 0; i < 3; i++) {
  const s = performance.now();
  let hits = 0;
  for (let r = 0; r < rounds; r++) for (const f of facts) if (identifyWith(compiled, f)) hits++;
  idRuns.push((performance.now() - s) / 1000);
  if (hits === 0) throw new Error('nothing identified');
}
const idBest = Math.min(...idRuns);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
process.stdout.write(`appid benchmark on ${captures.length} nDPI captures (${(bytes / 1e6).toFixed(1)} MB, ${fmt(warm.packets)} packets, ${fmt(warm.flows)} flows), 1 core\n`);
process.stdout.write(`catalogue: ${compiled.catalogue.apps.length} apps compiled in ${loadMs.toFixed(0)} ms\n`);
process.stdout.write(`pipeline (read+decode+reassemble+extract+identify): best of 3 ${best.toFixed(2)} s → ${fmt(warm.packets / best)} packets/s, ${fmt(warm.flows / best)} flows/s, ${(bytes / 1e6 / best).toFixed(1)} MB/s; ${fmt(warm.identified)} flows identified\n`);
process.stdout.write(`identify() alone: ${fmt((facts.length * rounds) / idBest)} lookups/s over ${fmt(facts.length)} flow facts\n`);
