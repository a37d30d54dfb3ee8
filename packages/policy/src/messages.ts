/**
 * Validation error catalogue. Every problem found in a policy (or any payload validated by a
 * schema of this package) carries a stable code and a message in Japanese and English.
 * Codes are part of the API: clients map them to fields; never reuse a code for a new meaning.
 */
export type Lang = 'ja' | 'en';

export interface Localized {
  ja: string;
  en: string;
}

type Template = (params: Record<string, unknown>) => Localized;

const t = (ja: string, en: string): Template => (params) => ({
  ja: fill(ja, params),
  en: fill(en, params),
});

function fill(s: string, params: Record<string, unknown>): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] === undefined ? `{${k}}` : String(params[k])));
}

export const MESSAGES = {
  // generic schema problems (mapped from zod's own issue codes)
  'schema.invalid_type': t('{expected} 型の値が必要です。', 'Expected a value of type {expected}.'),
  'schema.required': t('必須項目です。', 'This field is required.'),
  'schema.unknown_key': t('不明な項目です: {keys}', 'Unknown field(s): {keys}'),
  'schema.too_small': t('値が小さすぎます (最小 {minimum})。', 'Value is too small (minimum {minimum}).'),
  'schema.too_big': t('値が大きすぎます (最大 {maximum})。', 'Value is too large (maximum {maximum}).'),
  'schema.invalid_value': t('許可されていない値です。選択肢: {options}', 'Value not allowed. Options: {options}'),
  'schema.invalid_format': t('形式が正しくありません ({format})。', 'Invalid format ({format}).'),
  'schema.invalid_union': t('いずれの形式にも一致しません。', 'Does not match any allowed form.'),
  'schema.invalid': t('値が正しくありません。', 'Invalid value.'),
  // a gateway's event batch in columns (mamori.columns/1) that the console's check refused: the check's reason
  'events.columns_invalid': t('列形式のイベントバッチが正しくありません ({reason})。', 'Invalid event batch in columns ({reason}).'),

  // identifiers and names
  'policy.id.invalid': t('IDは英数字・「_」・「-」の1〜64文字で指定してください。', 'IDs are 1–64 characters of letters, digits, "_" and "-".'),
  'policy.id.duplicate': t('ID「{id}」が重複しています。', 'Duplicate ID "{id}".'),
  'policy.name.empty': t('名前を入力してください。', 'Enter a name.'),
  'policy.name.duplicate': t('名前「{name}」は既に使われています。', 'The name "{name}" is already in use.'),
  'policy.reference.unknown': t('{kind}「{id}」は存在しません。', 'Unknown {kind} "{id}".'),

  // addresses
  'policy.address.empty': t('アドレスを1つ以上指定してください。', 'Enter at least one address.'),
  'policy.address.invalid': t('「{value}」は正しいIPアドレス、範囲、またはCIDRではありません。', '"{value}" is not a valid IP address, range or CIDR.'),
  'policy.address.family': t('「{value}」は{family}アドレスではありません。', '"{value}" is not an {family} address.'),
  'policy.address.range_order': t('範囲「{value}」の開始アドレスが終了アドレスより大きくなっています。', 'In the range "{value}" the start address is greater than the end address.'),
  'policy.address.cidr_prefix': t('「{value}」のプレフィックス長が正しくありません。', 'The prefix length in "{value}" is not valid.'),
  'policy.fqdn.invalid': t('「{value}」は正しいFQDNではありません (先頭のワイルドカード「*.」のみ使用できます)。', '"{value}" is not a valid FQDN (only a leading "*." wildcard is allowed).'),
  'policy.mac.invalid': t('「{value}」は正しいMACアドレスではありません。', '"{value}" is not a valid MAC address.'),
  'policy.port.invalid': t('「{value}」は正しいポートまたはポート範囲ではありません (1〜65535)。', '"{value}" is not a valid port or port range (1–65535).'),
  'policy.port.not_applicable': t('{protocol} にはポートを指定できません (「{value}」)。', 'Ports do not apply to {protocol} ("{value}").'),
  'policy.country.invalid': t('「{value}」は正しい国コード (ISO 3166-1 alpha-2) ではありません。', '"{value}" is not a valid country code (ISO 3166-1 alpha-2).'),
  'policy.email.invalid': t('「{value}」は正しいメールアドレスではありません。', '"{value}" is not a valid email address.'),
  'policy.list_entry.invalid': t('「{value}」は正しいURL、ワイルドカードドメイン (*.example.com)、またはIPアドレスではありません。', '"{value}" is not a valid URL, wildcard domain (*.example.com) or IP address.'),
  'policy.list_entry.empty': t('エントリを1つ以上指定してください。', 'Enter at least one entry.'),
  'policy.list_entry.duplicate': t('「{value}」は既にリストにあります。', '"{value}" is already in the list.'),
  'policy.content.empty': t('コンテンツタイプを1つ以上選択してください。', 'Select at least one content type.'),
  'policy.source.empty': t('送信元を1つ以上指定してください。', 'Select at least one source.'),
  'policy.destination.empty': t('送信先を1つ以上指定してください。', 'Select at least one destination.'),
  'policy.service.empty': t('サービスを1つ以上指定してください。', 'Select at least one service.'),
  'policy.ssl_port.conflict': t('ポート {port} は複数のプロトコルに指定されています。', 'Port {port} is assigned to more than one protocol.'),
  'policy.file_type.conflict': t('ファイルタイプ「{value}」が許可とブロックの両方に指定されています。', 'File type "{value}" is both allowed and blocked.'),
  'policy.profile.missing': t('ルールがセキュリティプロファイル「{id}」を参照していますが存在しません。', 'The rule refers to security profile "{id}", which does not exist.'),
  'policy.url.invalid': t('「{value}」は正しい絶対URLではありません。', '"{value}" is not a valid absolute URL.'),
  'policy.json.invalid': t('JSONとして読み込めません: {detail}', 'Not valid JSON: {detail}'),
} satisfies Record<string, Template>;

export type MessageCode = keyof typeof MESSAGES;

export function message(code: MessageCode, params: Record<string, unknown> = {}): Localized {
  return MESSAGES[code](params);
}
