/**
 * `mamori policy init | validate | simulate`: make a default policy, check a policy file, and ask
 * the evaluator what it would do with a flow. Output is for people (validate) or exactly one JSON
 * object (init, simulate); every bad input exits with code 2 and a message per problem.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { appCategory, l4Apps } from '@mamori/appid';
import { loadGeoIp } from '@mamori/geoip';
import { loadIntelDb } from '@mamori/urlcat';
import {
  compilePolicy,
  defaultPolicy,
  evaluate,
  FlowFacts,
  message,
  parsePolicyJson,
  validate,
  type Knowledge,
  type Lang,
  type Localized,
  type Model,
  type Policy,
  type Problem,
} from '@mamori/policy';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them: Japanese when it starts with "ja". */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  const v = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
  return v.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const TEXT = {
  valid: (file: string, p: Policy): Localized => ({
    ja: `${file}: 有効なポリシーです (ルール ${p.rules.length} 件、プロファイル ${p.profiles.length} 件)。`,
    en: `${file}: the policy is valid (${plural(p.rules.length, 'rule')}, ${plural(p.profiles.length, 'profile')}).`,
  }),
  invalid: (file: string, n: number): Localized => ({
    ja: `${file}: ${n} 件の問題があります。`,
    en: `${file}: ${plural(n, 'problem')} found.`,
  }),
  unreadable: (file: string, detail: string): Localized => ({
    ja: `${file} を読み込めません: ${detail}`,
    en: `Cannot read ${file}: ${detail}`,
  }),
  badFlow: (n: number): Localized => ({
    ja: `--flow のフローに ${n} 件の問題があります。`,
    en: `The --flow value has ${plural(n, 'problem')}.`,
  }),
  badModel: (v: string): Localized => ({
    ja: `--model は 10、50、100 のいずれかです (指定値: ${v})。`,
    en: `--model must be 10, 50 or 100 (got ${v}).`,
  }),
};

/**
 * What the gateway knows from its engines: URL categories from the active category database
 * (--intel file, $MAMORI_INTEL_DB or the starter database), applications from the appid
 * catalogue, countries from the GeoIP table. Each is loaded on first use, so a flow that needs
 * none of them costs nothing.
 */
export function engineKnowledge(intelFile?: string): Knowledge {
  let db: ReturnType<typeof loadIntelDb> | undefined;
  let geo: ReturnType<typeof loadGeoIp> | undefined;
  return {
    urlCategories(hostOrUrl) {
      db ??= loadIntelDb(intelFile);
      const r = hostOrUrl.includes('/') ? db.lookupUrl(hostOrUrl) : db.lookupHost(hostOrUrl);
      return [...r.categories];
    },
    country(ip) {
      geo ??= loadGeoIp();
      return geo.country(ip);
    },
    appCategory,
    l4Apps,
  };
}

function formatProblems(problems: readonly Problem[], lang: Lang): string {
  return problems.map((p) => `  ${p.path === '' ? '(root)' : p.path}: ${p.code}: ${p.message[lang]}\n`).join('');
}

export function runInit(modelText: string, lang: Lang): CommandResult {
  const model = Number(modelText);
  if (model !== 10 && model !== 50 && model !== 100) return { exitCode: 2, stdout: '', stderr: TEXT.badModel(modelText)[lang] + '\n' };
  return { exitCode: 0, stdout: JSON.stringify(defaultPolicy(model as Model), null, 2) + '\n', stderr: '' };
}

type Loaded = { ok: true; policy: Policy } | { ok: false; result: CommandResult };

function loadPolicy(file: string, lang: Lang): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { ok: false, result: { exitCode: 2, stdout: '', stderr: TEXT.unreadable(file, detail)[lang] + '\n' } };
  }
  const r = parsePolicyJson(text);
  if (!r.ok) {
    return { ok: false, result: { exitCode: 2, stdout: '', stderr: TEXT.invalid(file, r.problems.length)[lang] + '\n' + formatProblems(r.problems, lang) } };
  }
  return { ok: true, policy: r.value };
}

export function runValidate(file: string, lang: Lang): CommandResult {
  const l = loadPolicy(file, lang);
  if (!l.ok) return l.result;
  return { exitCode: 0, stdout: TEXT.valid(file, l.policy)[lang] + '\n', stderr: '' };
}

export interface SimulateOptions {
  gatewayGroups?: string[];
  /** the engines' knowledge; {} evaluates with the policy and the flow's own facts only */
  knowledge?: Knowledge;
}

export function runSimulate(policyFile: string, flowText: string, lang: Lang, opts: SimulateOptions = {}): CommandResult {
  const l = loadPolicy(policyFile, lang);
  if (!l.ok) return l.result;
  let data: unknown;
  try {
    data = JSON.parse(flowText);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const problems: Problem[] = [{ path: '', code: 'policy.json.invalid', message: message('policy.json.invalid', { detail }) }];
    return { exitCode: 2, stdout: '', stderr: TEXT.badFlow(1)[lang] + '\n' + formatProblems(problems, lang) };
  }
  const f = validate(FlowFacts, data);
  if (!f.ok) return { exitCode: 2, stdout: '', stderr: TEXT.badFlow(f.problems.length)[lang] + '\n' + formatProblems(f.problems, lang) };
  let d;
  try {
    d = evaluate(compilePolicy(l.policy, opts.knowledge ?? {}, opts.gatewayGroups ? { gatewayGroups: opts.gatewayGroups } : {}), f.value);
  } catch (e) {
    // e.g. a damaged category database named by --intel
    return { exitCode: 2, stdout: '', stderr: (e instanceof Error ? e.message : String(e)) + '\n' };
  }
  const out =
    d.decision === 'undecided'
      ? { decision: d.decision, needs: d.needs, reason: null }
      : { decision: d.decision, needs: [], reason: d.reason };
  return { exitCode: 0, stdout: JSON.stringify(out) + '\n', stderr: '' };
}

function emit(r: CommandResult): void {
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('make, check and simulate policies');
  policy
    .command('init')
    .description('print the default policy of a gateway model as JSON')
    .option('--model <model>', 'gateway model: 10, 50 or 100', '50')
    .action((opts: { model: string }) => emit(runInit(opts.model, langFromEnv())));
  policy
    .command('validate')
    .description('check a policy file; lists every problem with its path (exit code 2)')
    .argument('<file>', 'policy JSON file')
    .action((file: string) => emit(runValidate(file, langFromEnv())));
  policy
    .command('simulate')
    .description('evaluate one flow against a policy and print the decision as JSON')
    .requiredOption('--policy <file>', 'policy JSON file')
    .requiredOption('--flow <json>', 'flow facts: {"srcIp","dstIp","dstHost","dstPort","protocol","url","app",...}')
    .option('--gateway-group <id...>', 'gateway groups of the gateway the policy runs on')
    .option('--intel <file>', 'category database for URL categories (default: $MAMORI_INTEL_DB or the starter database)')
    .option('--no-engines', 'evaluate without the engines: only the flow\'s own facts (urlCategories, app, dstCountry) and the built-in DHCP/DNS/NTP ports')
    .action((opts: { policy: string; flow: string; gatewayGroup?: string[]; intel?: string; engines: boolean }) =>
      emit(
        runSimulate(opts.policy, opts.flow, langFromEnv(), {
          ...(opts.gatewayGroup ? { gatewayGroups: opts.gatewayGroup } : {}),
          knowledge: opts.engines ? engineKnowledge(opts.intel) : {},
        }),
      ),
    );
}
