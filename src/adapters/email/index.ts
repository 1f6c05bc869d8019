/** Outbound email: SES v2, SMTP, or an outbox folder of .eml files for local use. */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  /**
   * Stable for the message's whole life (derived from the outbox key), so a resend after a crash carries the same
   * Message-ID and the receiving side can drop it.
   */
  messageId: string;
}

export interface EmailTransport {
  send(message: EmailMessage): Promise<void>;
}

/** The RFC 5322 message, built the same way for every transport. */
export function composeMime(message: EmailMessage): Promise<Buffer> {
  return new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    messageId: `<${message.messageId}>`,
    date: new Date(),
  })
    .compile()
    .build();
}
