/**
 * `npm run policy:dry-run -- --policy policies/<version>.json [--since <date>] [--until <date>] [--csv <file>]`:
 * which past decisions a candidate policy would change (README, Compliance). Reads only.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dryRunPolicy, formatDryRun } from '../compliance/policy-dry-run.ts';
import { loadConfig } from '../config.ts';
import { createSql } from '../db/pool.ts';
import { loadPolicyFile } from '../policies.ts';
import { localCommandDatabaseUrl } from '../runtime/local-state.ts';

const USAGE = `usage: npm run policy:dry-run -- --policy policies/<version>.json [--since 2026-01-01] [--until 2026-12-01]
                              [--csv dry-run.csv]

  Re-applies the policy to the check outcomes stored with past automatic decisions (no OCR, no register scrape),
  prints how many would move from each decision to each other one and whose, and writes every re-evaluated decision
  to the CSV (default policy-dry-run-<version>.csv). Changes nothing.`;

const instant = z.iso
  .date()
  .or(z.iso.datetime({ offset: true }))
  .transform((text) => new Date(text));

async function main(argv: string[]): Promise<number> {
  let options: { policy?: string; since?: string; until?: string; csv?: string };
  try {
    ({ values: options } = parseArgs({
      args: argv,
      options: {
        policy: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        csv: { type: 'string' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const window = z.object({ since: instant.optional(), until: instant.optional() }).safeParse(options);
  if (!options.policy || !window.success) {
    console.error(
      `${options.policy ? '--since and --until take a date or an ISO timestamp' : 'missing --policy'}\n\n${USAGE}`,
    );
    return 2;
  }
  const policy = loadPolicyFile(options.policy);
  const config = loadConfig();
  const sql = createSql(localCommandDatabaseUrl(process.env, config), { max: 1 });
  try {
    const csvPath = options.csv ?? `policy-dry-run-${policy.version}.csv`;
    const report = await dryRunPolicy(sql, policy, window.data, csvPath);
    console.log(formatDryRun(report));
    console.log(`\nEvery re-evaluated decision: ${csvPath}`);
    return 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

process.exitCode = await main(process.argv.slice(2));
