import { createTransport } from 'nodemailer';
import type { EmailTransport } from './index.ts';

export function createSmtpEmailTransport(smtpUrl: string): EmailTransport & { close(): void } {
  const transport = createTransport(smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId: `<${message.messageId}>`,
      });
    },
    close: () => transport.close(),
  };
}
