/**
 * `npm run eval`: evaluations against the real corpora in ../shared/data. Each evaluation is a
 * module under evals/ registered here; it prints its figures and fails on an error, not on a
 * missed target (targets are reported, not asserted).
 */
import fs from 'node:fs';
import path from 'node:path';
import { urlcatEvaluation } from './evals/urlcat.js';
import { appidNdpi } from './evals/appid-ndpi.js';

export interface Evaluation {
  name: string;
  run(dataDir: string): Promise<void>;
}

const evaluations: Evaluation[] = [urlcatEvaluation, appidNdpi];

const dataDir = path.resolve(process.env['MAMORI_SHARED_DATA'] ?? '../shared/data');
if (!fs.existsSync(dataDir)) {
  process.stderr.write(`no data folder at ${dataDir}; set MAMORI_SHARED_DATA\n`);
  process.exit(2);
}
for (const e of evaluations) {
  process.stdout.write(`== ${e.name}\n`);
  await e.run(dataDir);
}
process.stdout.write(`${evaluations.length} evaluations run\n`);
