/** The nDPI agreement over a folder laid out like nDPI's tests: pcap/*.pcap* and result/<name>.out. */
import fs from 'node:fs';
import path from 'node:path';
import { compileCatalogue } from './identify.js';
import { defaultCatalogue } from './catalogue.js';
import type { CaptureAgreement } from './ndpi.js';
import { compareWithNdpi } from './ndpi.js';

export interface FolderAgreement {
  agreed: number;
  compared: number;
  results: CaptureAgreement[];
  /** captures that could not be read at all */
  unreadable: Array<{ capture: string; reason: string }>;
}

export function evaluateNdpiFolder(dir: string, write: (line: string) => void = () => undefined, opts: { verbose?: boolean } = {}): FolderAgreement {
  const pcapDir = path.join(dir, 'pcap');
  const resultDir = path.join(dir, 'result');
  if (!fs.existsSync(pcapDir) || !fs.existsSync(resultDir)) throw new Error(`${dir} has no pcap/ and result/ folders`);
  const compiled = compileCatalogue(defaultCatalogue());
  const out: FolderAgreement = { agreed: 0, compared: 0, results: [], unreadable: [] };
  for (const file of fs.readdirSync(pcapDir).filter((f) => /\.pcap(ng)?$/.test(f)).sort()) {
    const resultFile = path.join(resultDir, `${file}.out`);
    if (!fs.existsSync(resultFile)) continue;
    let r: CaptureAgreement;
    try {
      r = compareWithNdpi(compiled, file, fs.readFileSync(path.join(pcapDir, file)), fs.readFileSync(resultFile, 'utf8'));
    } catch (e) {
      out.unreadable.push({ capture: file, reason: (e as Error).message });
      write(`${file}: unreadable: ${(e as Error).message}`);
      continue;
    }
    out.results.push(r);
    out.agreed += r.agreed;
    out.compared += r.compared;
    if (r.compared > 0 || r.damage.length > 0) {
      const dmg = r.damage.length > 0 ? `  damaged: ${r.damage.join('; ')}` : '';
      write(`${file}: flows ${r.flows}, compared ${r.compared}, agree ${r.agreed}/${r.compared}${dmg}`);
      if (opts.verbose) {
        for (const m of r.misses) write(`    line ${m.line}: nDPI ${m.ndpi} ${m.hostname ?? ''} → ours ${m.ours ?? '(none)'}`);
      }
    }
  }
  return out;
}
