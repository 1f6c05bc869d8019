/** A real SMTP server (smtp-server from npm) that keeps every message it receives, for assertions. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | null;
  subject: string | null;
}

export interface SmtpSink {
  url: string;
  messages: ReceivedEmail[];
  /** Messages refused with a temporary failure (451), as a busy relay does; the sender must try again. */
  refused: number;
  /** Refuses the next `count` messages with 451 after reading them (replacing any refusals still to come). */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

function header(raw: string, name: string): string | null {
  const match = new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(raw);
  return match?.[1]?.trim() ?? null;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedEmail[] = [];
  const refusals = { pending: 0, done: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals.pending > 0) {
          refusals.pending -= 1;
          refusals.done += 1;
          return callback(Object.assign(new Error('Requested action aborted: try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          messageId: header(raw, 'Message-ID'),
          subject: header(raw, 'Subject'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get refused() {
      return refusals.done;
    },
    refuseNext(count) {
      refusals.pending = count;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
