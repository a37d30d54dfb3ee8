/**
 * Typed API errors. Every error a client can see has a stable code, an HTTP status and a
 * message in Japanese and English; internals never reach clients.
 */
import type { Localized, Problem } from '@mamori/policy';

const e = (status: number, ja: string, en: string) => ({ status, ja, en });

export const API_ERRORS = {
  'validation.failed': e(400, '入力内容に誤りがあります。', 'The request is not valid.'),
  'request.malformed': e(400, 'リクエストを解釈できません。', 'The request could not be parsed.'),
  'auth.required': e(401, 'ログインしてください。', 'Sign in first.'),
  'auth.invalid_credentials': e(401, 'アカウント名またはパスワードが正しくありません。', 'The account name or password is not correct.'),
  'auth.totp_required': e(401, '認証コードを入力してください。', 'Enter the authentication code.'),
  'auth.totp_invalid': e(401, '認証コードが正しくありません。', 'The authentication code is not correct.'),
  'auth.locked': e(423, 'ログインに続けて失敗したため、アカウントは一時的にロックされています。しばらくしてから再度お試しください。', 'The account is locked for a while after repeated failed sign-ins. Try again later.'),
  'auth.throttled': e(429, 'ログインの試行が多すぎます。しばらくしてから再度お試しください。', 'Too many sign-in attempts. Try again later.'),
  'auth.password_not_set': e(401, 'パスワードが設定されていません。メールのパスワード設定用URLから設定してください。', 'No password is set yet. Use the password-setting link from the mail.'),
  'auth.privacy_not_accepted': e(403, 'プライバシーポリシーに同意してください。', 'Accept the privacy notice first.'),
  'auth.csrf': e(403, 'CSRFトークンが正しくありません。ページを再読み込みしてください。', 'The CSRF token is missing or wrong. Reload the page.'),
  'auth.forbidden': e(403, 'この操作を行う権限がありません。', 'You are not allowed to do this.'),
  'auth.admin_alerts_read_only': e(403, '管理者アラートの設定はご契約者様では変更できません。サポートセンターにご連絡ください。', 'Admin alert settings cannot be changed by the tenant. Contact the support center.'),
  'auth.link_invalid': e(400, 'このURLは無効です。', 'This link is not valid.'),
  'auth.link_expired': e(400, 'このURLの有効期限 (7日間) が切れています。', 'This link has expired (valid for 7 days).'),
  'auth.link_used': e(400, 'このURLは既に使用されています。', 'This link has already been used.'),
  'auth.password_weak': e(400, 'パスワードは12文字以上で、英字と数字を含めてください。', 'The password must be at least 12 characters and contain letters and digits.'),
  'auth.password_mismatch': e(400, 'パスワードの確認入力が一致しません。', 'The password confirmation does not match.'),
  'auth.totp_not_pending': e(400, '二要素認証の設定が開始されていません。', 'Two-factor set-up has not been started.'),
  'gateway.certificate_required': e(401, 'クライアント証明書が必要です。', 'A client certificate is required.'),
  'gateway.enroll_token_invalid': e(401, '登録トークンが無効か、期限切れか、使用済みです。', 'The enrollment token is invalid, expired or already used.'),
  'gateway.csr_invalid': e(400, '証明書署名要求 (CSR) が正しくありません。', 'The certificate signing request (CSR) is not valid.'),
  'not_found': e(404, '見つかりません。', 'Not found.'),
  'tenant.not_found': e(404, 'テナントが見つかりません。', 'Tenant not found.'),
  'account.email_taken': e(409, 'このメールアドレスのアカウントは既に存在します。', 'An account with this email address already exists.'),
  'policy.invalid': e(400, 'ポリシーに誤りがあります。', 'The policy is not valid.'),
  'policy.item_exists': e(409, '同じIDの項目が既に存在します。', 'An item with this ID already exists.'),
  'policy.nothing_deployed': e(409, 'まだ配信されたポリシーがありません。', 'No policy has been deployed yet.'),
  'policy.simulator_unavailable': e(503, 'シミュレーターは利用できません。', 'The simulator is not available.'),
  'backup.no_change': e(409, '前回のバックアップから設定の変更がないため、バックアップファイルは作成されませんでした。', 'Nothing changed since the last backup, so no backup was created.'),
  'backup.invalid_file': e(400, 'バックアップファイル (ceファイル) の形式が正しくありません。', 'The backup file (.ce) is not in the expected format.'),
  'backup.unsupported_version': e(400, 'このバージョンのバックアップファイルには対応していません。', 'This backup file version is not supported.'),
  'backup.signature_invalid': e(400, 'バックアップファイルが改ざんされているか、このテナントのものではありません。', 'The backup file has been altered or does not belong to this tenant.'),
  'cert.invalid_certificate': e(400, '証明書を読み込めません (PEM形式の証明書を指定してください)。', 'The certificate cannot be read (give a PEM certificate).'),
  'cert.invalid_key': e(400, '秘密鍵を読み込めません (暗号化されていないPEM形式の秘密鍵を指定してください)。', 'The private key cannot be read (give an unencrypted PEM private key).'),
  'cert.key_mismatch': e(400, '証明書と秘密鍵が一致しません。', 'The certificate and the private key do not match.'),
  'cert.not_ca': e(400, '証明書が認証局 (CA) 証明書ではありません。', 'The certificate is not a CA certificate.'),
  'cert.expired': e(400, '証明書の有効期限が切れているか、まだ有効になっていません。', 'The certificate has expired or is not yet valid.'),
  'events.overloaded': e(503, 'ログの受信が混み合っています。しばらくしてから再送してください。', 'Event ingestion is overloaded; retry later.'),
  'events.too_many_requests': e(429, 'このゲートウェイからの送信が多すぎます。しばらくしてから再送してください。', 'Too many batches from this gateway; retry later.'),
  'events.gateway_mismatch': e(403, 'バッチのゲートウェイがクライアント証明書と一致しません。', 'The batch is from another gateway than the client certificate.'),
  'internal': e(500, '内部エラーが発生しました。', 'An internal error occurred.'),
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ErrorBody {
  error: { code: string; message: Localized; problems?: Problem[]; details?: Record<string, unknown> };
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    readonly extra: { problems?: Problem[]; details?: Record<string, unknown> } = {},
  ) {
    super(code);
    this.status = API_ERRORS[code].status;
  }
  body(): ErrorBody {
    const m = API_ERRORS[this.code];
    return { error: { code: this.code, message: { ja: m.ja, en: m.en }, ...this.extra } };
  }
}

export const notFound = (): ApiError => new ApiError('not_found');
