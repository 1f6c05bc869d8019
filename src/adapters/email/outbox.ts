/** Email for local and on-prem use without a mail server: one .eml file per message in a folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { composeMime, type EmailTransport } from './index.ts';

export function createOutboxEmailTransport(directory: string, logger: Logger): EmailTransport {
  return {
    async send(message) {
      await mkdir(directory, { recursive: true });
      // Named by Message-ID, so a resend overwrites the same file rather than adding a second message.
      const file = join(directory, `${message.messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
      await writeFile(file, await composeMime(message));
      logger.info({ file, messageId: message.messageId }, 'email written to the outbox');
    },
  };
}
