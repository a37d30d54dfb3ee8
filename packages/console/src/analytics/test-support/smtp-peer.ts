/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1, port 0) that parses every received
 * message with mailparser. Plain SMTP without STARTTLS or AUTH, as a LAN relay would be.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** envelope recipients */
  rcptTo: string[];
  mail: ParsedMail;
}

export interface SmtpPeer {
  /** smtp://127.0.0.1:port for MAMORI_SMTP_URL / ConsoleOptions.smtpUrl */
  url: string;
  received: ReceivedMail[];
  /** waits (polling, up to `timeoutMs`) until `pred` holds for the received mails; returns them */
  waitFor(pred: (mails: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 64 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async waitFor(pred, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > end) throw new Error(`timed out waiting for mail; received: ${JSON.stringify(received.map((r) => [r.rcptTo, r.mail.subject]))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
