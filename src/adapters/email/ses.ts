import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { composeMime, type EmailTransport } from './index.ts';

export function createSesEmailTransport(client: SESv2Client): EmailTransport {
  return {
    async send(message) {
      // Raw content keeps our Message-ID, which receivers use to drop a resend.
      const data = await composeMime(message);
      await client.send(new SendEmailCommand({ Content: { Raw: { Data: data } } }));
    },
  };
}
