/** Application identification agreement with nDPI on its regression captures (../shared/data/ndpi). */
import path from 'node:path';
import { evaluateNdpiFolder } from '@mamori/appid';
import type { Evaluation } from '../eval.js';

export const appidNdpi: Evaluation = {
  name: 'appid: agreement with nDPI (flows where nDPI names an app and a Hostname/SNI)',
  async run(dataDir: string): Promise<void> {
    const t0 = performance.now();
    const r = evaluateNdpiFolder(path.join(dataDir, 'ndpi'));
    const secs = (performance.now() - t0) / 1000;
    const pct = r.compared > 0 ? (100 * r.agreed) / r.compared : 0;
    process.stdout.write(`captures ${r.results.length} (unreadable ${r.unreadable.length}), ${secs.toFixed(1)} s\n`);
    process.stdout.write(`agreement ${pct.toFixed(1)}% (target >= 95%)\n`);
    process.stdout.write(`agree: ${r.agreed}/${r.compared}\n`);
  },
};
