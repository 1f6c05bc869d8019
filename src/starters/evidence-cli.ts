/**
 * `npm run evidence -- <userId> [--out <file>] [--with-images]`: one worker's evidence pack as a PDF (README,
 * Compliance), from a terminal on a host with database access. The generation is audited under the terminal's OS
 * user, as the HTTP route's is under the signed-in person.
 */

import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { produceEvidencePack } from '../compliance/evidence.ts';
import { loadConfig } from '../config.ts';
import { createSql } from '../db/pool.ts';
import { audit } from '../identity/audit.ts';
import type { Identity } from '../identity/identity.ts';
import { createObjectStore } from '../providers.ts';
import { localCommandDatabaseUrl } from '../runtime/local-state.ts';

const USAGE = `usage: npm run evidence -- <userId> [--out evidence-user-<userId>.pdf] [--with-images]

  --with-images   add redacted thumbnails of the latest ID document and selfie (off by default)`;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [rawUserId] = parsed.positionals;
  if (!rawUserId || !/^[1-9]\d{0,15}$/.test(rawUserId) || parsed.positionals.length > 1) {
    console.error(`expected one user id\n\n${USAGE}`);
    return 2;
  }
  const userId = Number(rawUserId);
  const config = loadConfig();
  const sql = createSql(localCommandDatabaseUrl(process.env, config), { max: 1 });
  try {
    const operator = userInfo().username;
    const identity: Identity = { subject: `terminal:${operator}`, displayName: operator, roles: [], via: 'terminal' };
    const withImages = parsed.values['with-images'] === true;
    const pack = await produceEvidencePack(
      { sql, store: createObjectStore(config), bucket: config.KYC_S3_BUCKET },
      { userId, withImages, requestedBy: `${operator} (terminal)` },
    );
    if (!pack) {
      console.error(`no user ${userId}`);
      return 1;
    }
    const out = parsed.values.out ?? `evidence-user-${userId}.pdf`;
    await writeFile(out, pack.pdf);
    await audit(sql, {
      identity,
      action: 'npm run evidence',
      userId,
      detail: { evidencePack: { contentSha256: pack.contentSha256, fileSha256: pack.fileSha256, images: withImages } },
    });
    console.log(`${out}\ncontent SHA-256 ${pack.contentSha256}\nfile SHA-256    ${pack.fileSha256}`);
    return 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, 'with-images': { type: 'boolean' } },
  });
}

process.exitCode = await main(process.argv.slice(2));
