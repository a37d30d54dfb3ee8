/**
 * The policy a new tenant starts with, mirroring the manual's initial state for a model
 * (10, 50 or 100 users): the rules are named "[<model>-1] ..." as in the manual's screenshots
 * ("【50-1】アプリケーションコントロール" etc.).
 */
import { Policy, POLICY_SCHEMA_VERSION, type PolicyInput } from './policy.js';

export type Model = 10 | 50 | 100;

/**
 * The OS-update domains of the manual's §6-4 allow-list screenshot. The screenshot's Trend Micro
 * entries (its own update and console hosts) belong to that vendor's service, not to Mamori.
 */
export const DEFAULT_ALLOW_LIST: ReadonlyArray<{ value: string; comment: string }> = [
  { value: '*.apple.com', comment: 'Apple OS / software updates' },
  { value: '*.google.com', comment: 'Google (Android, Chrome) updates' },
  { value: '*.download.windowsupdate.com', comment: 'Windows Update' },
  { value: '*.update.microsoft.com', comment: 'Windows Update' },
  { value: '*.windowsupdate.com', comment: 'Windows Update' },
  { value: '*.windowsupdate.microsoft.com', comment: 'Windows Update' },
  { value: 'download.microsoft.com', comment: 'Microsoft downloads' },
  { value: 'ntservicepack.microsoft.com', comment: 'Windows service packs' },
];

export const DEFAULT_IDS = {
  profile: 'default-profile',
  appControl: 'app-control',
  urlFiltering: 'url-filtering',
  firewallAllow: 'firewall-allow',
  firewall: 'firewall',
  firewallAllowSources: 'firewall-allow-sources',
} as const;

export function defaultPolicyInput(model: Model): PolicyInput {
  const p = `[${model}-1]`;
  return {
    schemaVersion: POLICY_SCHEMA_VERSION,
    model,
    objects: {
      addresses: [
        {
          id: DEFAULT_IDS.firewallAllowSources,
          name: 'ファイアウォール 個別許可の送信元',
          description: 'Placeholder (the manual\'s example address): replace with the LAN addresses to allow before turning the firewall on.',
          type: 'ipv4',
          addresses: '192.168.0.1',
        },
      ],
    },
    profiles: [{ id: DEFAULT_IDS.profile, name: `${p} 初期設定のプロファイル` }],
    rules: [
      {
        id: DEFAULT_IDS.appControl,
        name: `${p} アプリケーションコントロール`,
        enabled: true,
        content: { type: 'selected', applicationCategories: ['p2p', 'anonymizer'] },
        action: 'block',
        log: true,
        profileId: DEFAULT_IDS.profile,
      },
      {
        id: DEFAULT_IDS.urlFiltering,
        name: `${p} URLフィルタリング`,
        enabled: true,
        content: { type: 'selected', urlCategories: ['malware', 'phishing', 'cnc', 'cryptomining'] },
        action: 'block',
        log: true,
        profileId: DEFAULT_IDS.profile,
      },
      // The individual allow rule sits above the block-all rule, or it could never allow anything.
      {
        id: DEFAULT_IDS.firewallAllow,
        name: 'ファイアウォール (個別許可設定)',
        enabled: false,
        source: { type: 'selected', addresses: [DEFAULT_IDS.firewallAllowSources] },
        action: 'allow',
        log: true,
        profileId: DEFAULT_IDS.profile,
      },
      {
        id: DEFAULT_IDS.firewall,
        name: `${p} ファイアウォール`,
        enabled: false,
        action: 'block',
        log: true,
        profileId: DEFAULT_IDS.profile,
      },
    ],
    allowList: DEFAULT_ALLOW_LIST.map((e) => ({ ...e })),
    blockList: [],
  };
}

/** The default policy, validated (so defaults of every profile switch are filled in). */
export function defaultPolicy(model: Model): Policy {
  return Policy.parse(defaultPolicyInput(model));
}
