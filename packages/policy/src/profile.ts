/**
 * Security profiles (manual §6-5, §6-6; DESIGN "Security profiles"). Every switch the manual
 * shows is here with its initial value as the manual states it.
 */
import { z } from 'zod';
import { Email, Id, Name } from './objects.js';
import { issue } from './issue.js';

const on = (d: boolean) => z.boolean().default(d);

/** File types offered in the mail exception list (manual §6-6 (3/4) ①). */
export const MAIL_FILE_TYPES = [
  'exe', 'dll', 'scr', 'com', 'bat', 'cmd', 'ps1', 'vbs', 'js', 'jar', 'msi', 'lnk', 'hta', 'iso', 'img',
  'zip', 'rar', '7z', 'gz', 'tar', 'cab', 'lzh',
  'pdf', 'doc', 'docx', 'docm', 'xls', 'xlsx', 'xlsm', 'ppt', 'pptx', 'pptm', 'rtf', 'one',
  'html', 'svg', 'txt', 'csv', 'jpg', 'png', 'gif',
] as const;
export const MailFileType = z.enum(MAIL_FILE_TYPES);

export const PortNumber = z.number().int().min(1).max(65535);

export const EmailSecurity = z
  .strictObject({
    /** 不正プログラム対策: block or tag mails with malware */
    antiMalware: z.strictObject({ enabled: on(true), action: z.enum(['block', 'tag']).default('block') }).prefault({}),
    /** 機械学習型検索 */
    machineLearning: z.strictObject({ enabled: on(true) }).prefault({}),
    /** スパムメール対策 */
    antiSpam: z.strictObject({ enabled: on(true), action: z.enum(['tag', 'block']).default('tag') }).prefault({}),
    /** メールレピュテーション */
    emailReputation: z.strictObject({ enabled: on(true) }).prefault({}),
    /** コンテンツフィルタ: keywords/regexes in subject and body */
    contentFilter: z
      .strictObject({
        enabled: on(false),
        action: z.enum(['tag', 'block']).default('tag'),
        keywords: z.array(z.string().min(1).max(256)).default([]),
      })
      .prefault({}),
    /** マイナンバーによるフィルタ: body only; the manual's initial action is タグの追加 */
    myNumber: z.strictObject({ enabled: on(false), action: z.enum(['tag', 'block']).default('tag') }).prefault({}),
    /** クラウドサンドボックス (§10) */
    sandbox: z.strictObject({ enabled: on(true) }).prefault({}),
    /** 例外リスト */
    exceptions: z
      .strictObject({
        fileTypes: z
          .strictObject({ allow: z.array(MailFileType).default([]), block: z.array(MailFileType).default([]) })
          .prefault({}),
        senders: z.array(Email).default([]),
      })
      .prefault({}),
    /** 詳細設定: 検索対象メールプロトコル. Initially SMTP/POP3/IMAP on, SMTPS/POP3S/IMAPS off. */
    protocols: z
      .strictObject({
        smtp: on(true),
        pop3: on(true),
        imap: on(true),
        smtps: on(false),
        pop3s: on(false),
        imaps: on(false),
      })
      .prefault({}),
    /** カスタムSSLポート, in addition to 465/995/993 */
    customSslPorts: z
      .strictObject({
        smtps: z.array(PortNumber).default([]),
        pop3s: z.array(PortNumber).default([]),
        imaps: z.array(PortNumber).default([]),
      })
      .prefault({}),
  })
  .superRefine((e, ctx) => {
    const seen = new Map<number, string>();
    for (const proto of ['smtps', 'pop3s', 'imaps'] as const) {
      for (const [i, port] of e.customSslPorts[proto].entries()) {
        const prev = seen.get(port);
        if (prev !== undefined && prev !== proto) ctx.addIssue(issue('policy.ssl_port.conflict', { port }, ['customSslPorts', proto, i]));
        seen.set(port, proto);
      }
    }
    for (const [i, ft] of e.exceptions.fileTypes.allow.entries()) {
      if (e.exceptions.fileTypes.block.includes(ft)) ctx.addIssue(issue('policy.file_type.conflict', { value: ft }, ['exceptions', 'fileTypes', 'allow', i]));
    }
  });
export type EmailSecurity = z.infer<typeof EmailSecurity>;

export const SecurityProfile = z.strictObject({
  id: Id,
  name: Name,
  description: z.string().max(512).optional(),
  /** 侵入防御 (IPS) */
  ips: z.strictObject({ enabled: on(true), mode: z.enum(['prevent', 'detect']).default('prevent') }).prefault({}),
  /** 不正プログラム対策 (web and file transfers) */
  antiMalware: z.strictObject({ enabled: on(true), cloudLookup: on(true) }).prefault({}),
  /** メールセキュリティ対策 */
  email: EmailSecurity.prefault({}),
  /** Webレピュテーション */
  webReputation: z.strictObject({ enabled: on(true), sensitivity: z.enum(['low', 'medium', 'high']).default('medium') }).prefault({}),
  /** HTTPS復号: off until the customer installs the CA (§6-5, §6-8) */
  httpsDecryption: z
    .strictObject({
      enabled: on(false),
      smartBypass: on(true),
      /** block sites whose upstream certificate is invalid (expired, wrong name, untrusted) */
      blockInvalidCertificates: on(true),
    })
    .prefault({}),
  /** DoS対策 */
  dos: z
    .strictObject({
      enabled: on(false),
      synPerSecond: z.number().int().min(1).max(1_000_000).default(2000),
      newConnectionsPerSourcePerSecond: z.number().int().min(1).max(100_000).default(200),
      concurrentConnectionsPerSource: z.number().int().min(1).max(1_000_000).default(1000),
      icmpPerSecond: z.number().int().min(1).max(1_000_000).default(200),
      udpPerSourcePerSecond: z.number().int().min(1).max(1_000_000).default(2000),
      portScanDetection: on(true),
    })
    .prefault({}),
  /** ボット対策 (C&C) */
  botProtection: z.strictObject({ enabled: on(true) }).prefault({}),
});
export type SecurityProfile = z.infer<typeof SecurityProfile>;
export type SecurityProfileInput = z.input<typeof SecurityProfile>;

export const AlertRecipients = z.array(Email);
export { Email };
