/**
 * Mail texts, modelled on the manual's new-account mail (§3) — in Japanese and English.
 */
export type Lang = 'ja' | 'en';

export interface Mail {
  subject: string;
  text: string;
}

const SERVICE = { ja: 'Mamori ゲートウェイセキュリティ', en: 'Mamori gateway security' };

export function newAccountMail(lang: Lang, p: { loginUrl: string; accountId: string; setPasswordUrl: string; validDays: number }): Mail {
  if (lang === 'en') {
    return {
      subject: `[${SERVICE.en}] Your new account`,
      text: `Thank you for choosing ${SERVICE.en}.

We have created a user account for the customer portal. You can sign in at:

${p.loginUrl}

Account details:

Account name: ${p.accountId}

You need to set a password before you can sign in. Set it at the following URL. This URL is valid for ${p.validDays} days only and can be used once.

${p.setPasswordUrl}

Keep your password safe. Without it you cannot sign in to the customer portal.

* This address only sends mail. Please do not reply to this message.
`,
    };
  }
  return {
    subject: `【${SERVICE.ja}】新規アカウント発行のお知らせ`,
    text: `この度は${SERVICE.ja}へのお申込みありがとうございます。

お客様管理ポータルへのログイン用ユーザアカウントを発行致しました。次のURLからログインできます。

${p.loginUrl}

アカウントの詳細:

アカウント名: ${p.accountId}

ログイン用のパスワードを設定する必要があります。次のURLからパスワードを設定してください。なお、このURLは${p.validDays}日間のみ有効です。

${p.setPasswordUrl}

変更後のパスワードは大切に保管いただきますようお願いいたします。パスワードを忘れるとお客様管理ポータルにログインできなくなります。

*このメールアドレスは配信専用です。このメッセージに返信しないようお願いいたします。
`,
  };
}

export function passwordResetMail(lang: Lang, p: { accountId: string; resetUrl: string; validDays: number }): Mail {
  if (lang === 'en') {
    return {
      subject: `[${SERVICE.en}] Password reset`,
      text: `A password reset was requested for the account ${p.accountId}.

Set a new password at the following URL. It is valid for ${p.validDays} days and can be used once.

${p.resetUrl}

If you did not ask for this, ignore this mail; your password stays unchanged.

* This address only sends mail. Please do not reply to this message.
`,
    };
  }
  return {
    subject: `【${SERVICE.ja}】パスワードのリセット`,
    text: `アカウント ${p.accountId} のパスワードのリセットが要求されました。

次のURLから新しいパスワードを設定してください。このURLは${p.validDays}日間のみ有効で、1回のみ使用できます。

${p.resetUrl}

お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。

*このメールアドレスは配信専用です。このメッセージに返信しないようお願いいたします。
`,
  };
}
