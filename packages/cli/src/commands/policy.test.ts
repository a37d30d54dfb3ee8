/**
 * `mamori policy ...` as a user runs it: spawned through tsx, checking stdout, stderr and the
 * exit code; plus the command functions in-process for the finer cases.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { engineKnowledge, langFromEnv, runInit, runSimulate, runValidate } from './policy.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
/** the repository root, where `--import tsx` resolves */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'mamori-policy-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mamori(args: string[], lang = 'C.UTF-8'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: lang };
  delete env['LC_ALL'];
  delete env['LC_MESSAGES'];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const DHCP = JSON.stringify({ srcIp: '0.0.0.0', dstIp: '255.255.255.255', dstPort: 67, protocol: 'udp' });

// each spawn loads tsx and the engines: generous timeouts for a busy shared machine (not a timing claim)
describe('mamori policy (spawned)', { timeout: 180_000 }, () => {
  const file = path.join(dir, 'policy.json');

  it('init prints the default policy and validate accepts it', async () => {
    const init = await mamori(['policy', 'init', '--model', '50']);
    expect(init.code).toBe(0);
    writeFileSync(file, init.stdout);
    const policy = JSON.parse(init.stdout) as { model: number; rules: Array<{ name: string }> };
    expect(policy.model).toBe(50);
    expect(policy.rules.map((r) => r.name)).toContain('[50-1] ファイアウォール');
    const ok = await mamori(['policy', 'validate', file]);
    expect(ok).toEqual({ code: 0, stdout: `${file}: the policy is valid (4 rules, 1 profile).\n`, stderr: '' });
  });

  it('simulate prints exactly one JSON object: the DHCP case with the firewall on', async () => {
    const policy = JSON.parse(runInit('50', 'en').stdout) as { rules: Array<{ id: string; enabled: boolean }> };
    policy.rules.find((r) => r.id === 'firewall')!.enabled = true;
    const on = path.join(dir, 'firewall-on.json');
    writeFileSync(on, JSON.stringify(policy));
    const r = await mamori(['policy', 'simulate', '--policy', on, '--flow', DHCP]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({ decision: 'block', needs: [], reason: { kind: 'rule', id: 'firewall', name: '[50-1] ファイアウォール' } });
  });

  it('a bad policy lists every problem with path and code, in Japanese under LANG=ja_JP, exit 2', async () => {
    const bad = path.join(dir, 'bad.json');
    const p = JSON.parse(runInit('50', 'en').stdout) as Record<string, unknown> & { objects: { addresses: Array<{ addresses: string }> }; rules: Array<Record<string, unknown>> };
    p.objects.addresses[0]!.addresses = '192.168.0.300, 10.0.0.9-10.0.0.1';
    p.rules[0]!['profileId'] = 'missing';
    p['colour'] = 'blue';
    writeFileSync(bad, JSON.stringify(p));
    const ja = await mamori(['policy', 'validate', bad], 'ja_JP.UTF-8');
    expect(ja.code).toBe(2);
    expect(ja.stdout).toBe('');
    const lines = ja.stderr.trim().split('\n');
    expect(lines[0]).toBe(`${bad}: 4 件の問題があります。`);
    expect(lines.slice(1).sort()).toEqual(
      [
        '  objects.addresses.0.addresses: policy.address.invalid: 「192.168.0.300」は正しいIPアドレス、範囲、またはCIDRではありません。',
        '  objects.addresses.0.addresses: policy.address.range_order: 範囲「10.0.0.9-10.0.0.1」の開始アドレスが終了アドレスより大きくなっています。',
        '  colour: schema.unknown_key: 不明な項目です: colour',
        '  rules.0.profileId: policy.profile.missing: ルールがセキュリティプロファイル「missing」を参照していますが存在しません。',
      ].sort(),
    );
    expect(runValidate(bad, 'en').stderr).toContain('  colour: schema.unknown_key: Unknown field(s): colour\n');
  });

  it('simulate asks the engines: the starter database puts a cryptomining host under URL filtering', async () => {
    const policy = path.join(dir, 'engines.json');
    writeFileSync(policy, runInit('50', 'en').stdout);
    const flow = JSON.stringify({ srcIp: '192.168.0.2', dstPort: 443, protocol: 'tcp', url: 'https://coinhive.com/lib/miner.js' });
    const r = await mamori(['policy', 'simulate', '--policy', policy, '--flow', flow]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ decision: 'block', needs: [], reason: { kind: 'rule', id: 'url-filtering', name: '[50-1] URLフィルタリング' } });
  });

  it('bad flow JSON is a clear error with exit 2', async () => {
    const policy = path.join(dir, 'flowcheck.json');
    writeFileSync(policy, runInit('100', 'en').stdout);
    const r = await mamori(['policy', 'simulate', '--policy', policy, '--flow', '{srcIp: 1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^The --flow value has 1 problem\.\n {2}\(root\): policy\.json\.invalid: Not valid JSON: /);
  });
});

describe('policy command functions', () => {
  it('init refuses an unknown model', () => {
    expect(runInit('20', 'en')).toEqual({ exitCode: 2, stdout: '', stderr: '--model must be 10, 50 or 100 (got 20).\n' });
    expect(runInit('20', 'ja').stderr).toBe('--model は 10、50、100 のいずれかです (指定値: 20)。\n');
    expect(JSON.parse(runInit('10', 'en').stdout).rules[0].name).toBe('[10-1] アプリケーションコントロール');
  });
  it('validate reports an unreadable file and invalid JSON', () => {
    const missing = path.join(dir, 'nope.json');
    const r = runValidate(missing, 'en');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^Cannot read ${missing}: ENOENT`));
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"schemaVersion":');
    const b = runValidate(broken, 'ja');
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/^.*: 1 件の問題があります。\n {2}\(root\): policy\.json\.invalid: JSONとして読み込めません: /);
  });
  it('simulate: default allow, undecided with needs, bad flow fields', () => {
    const file = path.join(dir, 'plain.json');
    writeFileSync(file, runInit('10', 'en').stdout);
    expect(JSON.parse(runSimulate(file, DHCP, 'en').stdout)).toEqual({ decision: 'allow', needs: [], reason: { kind: 'default' } });
    const start = runSimulate(file, '{"srcIp":"192.168.0.2","dstIp":"198.51.100.1","dstPort":443,"protocol":"tcp"}', 'en');
    expect(JSON.parse(start.stdout)).toEqual({ decision: 'undecided', needs: ['application', 'url'], reason: null });
    expect(runSimulate(file, '{"srcIp":"0.0.0.0","dstPort":"67","protocol":"udp"}', 'en')).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'The --flow value has 1 problem.\n  dstPort: schema.invalid_type: Expected a value of type number.\n',
    });
    expect(runSimulate(file, '[1]', 'ja').stderr).toBe('--flow のフローに 1 件の問題があります。\n  (root): schema.invalid_type: object 型の値が必要です。\n');
  });

  it('simulate names list entries, validates the policy first and honours gateway groups', () => {
    const file = path.join(dir, 'sim.json');
    const p = JSON.parse(runInit('50', 'en').stdout) as { gatewayGroups: unknown[]; rules: Array<Record<string, unknown>> };
    p.gatewayGroups = [{ id: 'osaka', name: '大阪' }];
    p.rules.unshift({ id: 'osaka-ssh', name: 'osaka ssh', action: 'block', gatewayGroups: ['osaka'], service: { type: 'any' } });
    writeFileSync(file, JSON.stringify(p));
    const apple = runSimulate(file, '{"srcIp":"192.168.0.2","dstHost":"swscan.apple.com","dstPort":443,"protocol":"tcp"}', 'en');
    expect(JSON.parse(apple.stdout)).toEqual({ decision: 'allow', needs: [], reason: { kind: 'allowList', entry: '*.apple.com' } });
    const ssh = '{"srcIp":"192.168.0.2","dstIp":"198.51.100.1","dstPort":22,"protocol":"tcp","app":"ssh"}';
    expect(JSON.parse(runSimulate(file, ssh, 'en').stdout).reason).toEqual({ kind: 'default' });
    expect(JSON.parse(runSimulate(file, ssh, 'en', { gatewayGroups: ['osaka'] }).stdout).reason).toEqual({ kind: 'rule', id: 'osaka-ssh', name: 'osaka ssh' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"model":50', '"model":5'));
    expect(runSimulate(file, ssh, 'en')).toMatchObject({ exitCode: 2, stdout: '' });
  });
  it('engine knowledge: URL categories, application categories and port apps from the engines', () => {
    const file = path.join(dir, 'know.json');
    writeFileSync(file, runInit('50', 'en').stdout);
    const k = engineKnowledge();
    expect(k.urlCategories!('coinhive.com')).toContain('cryptomining');
    expect(k.urlCategories!('https://testsafebrowsing.appspot.com/s/phishing.html')).toContain('phishing');
    expect(k.appCategory!('bittorrent')).toBe('p2p');
    expect(k.l4Apps!('udp', 67)).toEqual(['dhcp']);
    const run = (flow: object, knowledge = k) => JSON.parse(runSimulate(file, JSON.stringify(flow), 'en', { knowledge }).stdout) as { decision: string; reason: { id?: string } | null };
    const torrent = { srcIp: '192.168.0.2', dstIp: '198.51.100.1', dstPort: 6881, protocol: 'tcp', app: 'bittorrent' };
    expect(run(torrent)).toMatchObject({ decision: 'block', reason: { id: 'app-control' } });
    expect(run(torrent, {})).toMatchObject({ decision: 'allow', reason: { kind: 'default' } });
    expect(run({ srcIp: '192.168.0.2', dstPort: 443, protocol: 'tcp', url: 'https://www.nikkei.com/' })).toMatchObject({ decision: 'allow', reason: { kind: 'default' } });
    const missing = runSimulate(file, JSON.stringify({ srcIp: '192.168.0.2', dstPort: 443, protocol: 'tcp', url: 'https://x.example/' }), 'en', { knowledge: engineKnowledge(path.join(dir, 'no-such.db')) });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/no-such\.db/);
  });

  it('language follows LC_ALL, LC_MESSAGES, then LANG', () => {
    expect(langFromEnv({ LANG: 'ja_JP.UTF-8' })).toBe('ja');
    expect(langFromEnv({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(langFromEnv({ LC_ALL: 'C', LANG: 'ja_JP.UTF-8' })).toBe('en');
    expect(langFromEnv({ LC_MESSAGES: 'ja_JP.UTF-8', LANG: 'C' })).toBe('ja');
    expect(langFromEnv({})).toBe('en');
  });
});
