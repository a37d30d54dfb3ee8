import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIntelDb } from '@mamori/urlcat';
import { lookupLine, parseListOption, runIntelBuild } from './intel.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-intel-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fixture(): { ut1: string; extra: string } {
  const ut1 = path.join(dir, 'ut1');
  fs.mkdirSync(path.join(ut1, 'phishing'), { recursive: true });
  fs.writeFileSync(path.join(ut1, 'phishing', 'domains'), 'login-bank.example\nbad..example\n');
  fs.writeFileSync(path.join(ut1, 'phishing', 'urls'), 'share.example/evil/\n');
  fs.mkdirSync(path.join(ut1, 'gambling'));
  fs.writeFileSync(path.join(ut1, 'gambling', 'domains'), 'casino.example\n198.51.100.9\n');
  const extra = path.join(dir, 'c2.txt');
  fs.writeFileSync(extra, '[Adblock Plus]\n! comment\n||c2.example^\n||x y^\n203.0.113.0/24\n');
  return { ut1, extra };
}

describe('mamori intel', () => {
  const { ut1, extra } = fixture();
  const out = path.join(dir, 'out', 'intel.mdb');

  it('builds from UT1 and --list files and accounts for skipped lines', () => {
    const log: string[] = [];
    const { report } = runIntelBuild({ ut1, list: [`cnc=${extra}`], out, progress: false }, (l) => log.push(l));
    expect(report.added).toBe(6);
    expect(report.skippedTotal).toBe(2);
    expect(log).toContain('skipped 1: empty label');
    expect(log).toContain('skipped 1: whitespace inside entry');
    expect(log.at(-1)).toMatch(/^wrote .*intel\.mdb: \d+ bytes, 3 hosts, 1 URL prefixes, 2 IPv4 and 0 IPv6 entries$/);
    const db = loadIntelDb(out);
    expect(lookupLine(db, 'www.c2.example')).toEqual({
      host: 'www.c2.example',
      categories: ['cnc'],
      matched: 'c2.example',
      reputation: { score: 100, level: 'dangerous', reasons: ['category cnc'] },
    });
    expect(lookupLine(db, 'https://share.example/evil/x')).toMatchObject({ host: 'share.example', url: 'https://share.example/evil/x', categories: ['phishing'] });
    expect(lookupLine(db, '203.0.113.77').categories).toEqual(['cnc']);
    expect(lookupLine(db, 'unknown.example')).toMatchObject({ categories: [], reputation: { level: 'safe' } });
  });

  it('rejects bad options clearly', () => {
    expect(() => parseListOption('cnc')).toThrow(/--list expects <category>=<file>/);
    expect(() => runIntelBuild({ list: [], out }, () => undefined)).toThrow(/nothing to build/);
    expect(() => runIntelBuild({ list: [`cnc=${path.join(dir, 'missing.txt')}`], out }, () => undefined)).toThrow(/list file not found/);
    expect(() => runIntelBuild({ list: [`Not_An_Id=${extra}`], out, progress: false }, () => undefined)).toThrow(/invalid category id "Not_An_Id"/);
  });

  // two CLI processes (tsx start-up included): allow for a loaded machine
  it('runs as a command: one JSON object per line; a truncated database is an error', { timeout: 120_000 }, () => {
    const main = path.resolve(import.meta.dirname, '../main.ts');
    const tsx = path.resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
    const stdout = execFileSync(tsx, [main, 'intel', 'lookup', '--db', out, 'casino.example', 'http://share.example/evil/'], { encoding: 'utf8' });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { host: string; categories: string[] });
    expect(lines.map((l) => [l.host, l.categories])).toEqual([
      ['casino.example', ['gambling']],
      ['share.example', ['phishing']],
    ]);
    const cut = path.join(dir, 'cut.mdb');
    fs.writeFileSync(cut, fs.readFileSync(out).subarray(0, 200));
    let stderr = '';
    try {
      execFileSync(tsx, [main, 'intel', 'lookup', '--db', cut, 'x.example'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr: string }).stderr);
    }
    expect(stderr).toMatch(/mamori intel lookup: .*cut\.mdb: category database truncated: 200 of \d+ bytes/);
  });
});
