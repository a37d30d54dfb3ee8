/**
 * Outbound mail. With SMTP settings (MAMORI_SMTP_URL) mail goes out through nodemailer and is
 * recorded in the outbox; without them (the demo) it is only kept in the outbox, which the API
 * lists, so the links in it can be clicked.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { OutboxRow } from '../store/schema.js';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailMessage {
  tenantId: string | null;
  to: string;
  subject: string;
  text: string;
  /** sent with the mail over SMTP; the outbox keeps only their names (at the end of the text) */
  attachments?: MailAttachment[];
}

export class Mailer {
  private readonly transport: Transporter | null;
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    smtpUrl: string | undefined,
    private readonly from: string,
  ) {
    this.transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  }

  get mode(): 'smtp' | 'outbox' {
    return this.transport ? 'smtp' : 'outbox';
  }

  async send(m: MailMessage): Promise<OutboxRow> {
    let status: OutboxRow['status'] = 'captured';
    let error: string | null = null;
    if (this.transport) {
      try {
        await this.transport.sendMail({
          from: this.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.attachments?.length ? { attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })) } : {}),
        });
        status = 'sent';
      } catch (e) {
        status = 'failed';
        error = e instanceof Error ? e.message : String(e);
        this.log.error({ err: error, to: m.to }, 'mail delivery failed');
      }
    }
    const names = (m.attachments ?? []).map((a) => a.filename);
    const text = names.length ? `${m.text}\n\n[attachments: ${names.join(', ')}]` : m.text;
    return this.store.outbox.insert({ tenant_id: m.tenantId, to_addr: m.to, subject: m.subject, text, status, error });
  }

  close(): void {
    this.transport?.close();
  }
}
