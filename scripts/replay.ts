/**
 * `npm run replay -- --address host:7233 [--namespace ns] [--query "…"]`: the check before a deploy. Downloads the
 * histories of the workflows the query finds (by default every running KycWorkflow) and replays each one on the
 * workflow code of this working tree. Exits 0 when all replay, 1 when any does not (naming it), 2 on bad arguments or
 * a cluster that cannot be reached. Payloads are decoded with the same keys the worker uses (KYC_PAYLOAD_KEYS …, and
 * the users' data keys in DATABASE_URL); an erased user's history does not decode, by design.
 */
import { parseArgs } from 'node:util';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config.ts';
import { createDataConverter } from '../src/data-protection/data-converter.ts';
import { loadPayloadKeys } from '../src/data-protection/keys.ts';
import { createPostgresUserKeyStore } from '../src/data-protection/user-keys.ts';
import { createSql } from '../src/db/pool.ts';
import { connectKycClient } from '../src/starters/temporal-client.ts';
import { workflowsPath } from '../src/workers/workflows-path.ts';

const USAGE = `usage: npm run replay -- --address <host:port> [--namespace <ns>] [--query "<visibility query>"]

  --address    the Temporal frontend to read histories from (default: TEMPORAL_ADDRESS)
  --namespace  default: TEMPORAL_NAMESPACE
  --query      default: WorkflowType='KycWorkflow' AND ExecutionStatus='Running'
`;

function fail(message: string): never {
  process.stderr.write(`replay: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let options: { address?: string; namespace?: string; query?: string; help?: boolean };
try {
  options = parseArgs({
    options: {
      address: { type: 'string' },
      namespace: { type: 'string' },
      query: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const config = loadConfig({
  ...process.env,
  ...(options.address ? { TEMPORAL_ADDRESS: options.address } : {}),
  ...(options.namespace ? { TEMPORAL_NAMESPACE: options.namespace } : {}),
});
const query = options.query ?? "WorkflowType='KycWorkflow' AND ExecutionStatus='Running'";
const kyc = await connectKycClient(config).catch((error: Error) =>
  fail(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS / --address): ${error.message}`),
);

process.stdout.write(`replaying ${query} from ${config.TEMPORAL_ADDRESS}/${config.TEMPORAL_NAMESPACE}\n`);
const histories = kyc.client.workflow.list({ query }).intoHistories({ concurrency: 4 });
const keys = await loadPayloadKeys(config);
// Connects only when a history holds a payload under a user's data key. A replay sends nothing: what it encodes is
// thrown away, so it goes under the master key, and the replay neither looks up nor makes a user's key for it.
const sql = createSql(config.DATABASE_URL, { max: 2 });
const userKeys = createPostgresUserKeyStore(sql, keys);
const results = Worker.runReplayHistories(
  {
    workflowsPath,
    dataConverter: createDataConverter(keys, {
      userKeys: { get: (userId, { create }) => (create ? Promise.resolve(null) : userKeys.get(userId, { create })) },
    }),
  },
  histories,
);
let replayed = 0;
const failures: string[] = [];
for await (const result of results) {
  replayed += 1;
  if (result.error) {
    failures.push(`${result.workflowId} (run ${result.runId}): ${result.error.message}`);
    process.stdout.write(`  FAILED ${result.workflowId} (run ${result.runId})\n`);
  }
  if (replayed % 100 === 0) process.stdout.write(`  ${replayed} replayed\n`);
}
await kyc.close();
await sql.end();

process.stdout.write(`${replayed} histories replayed, ${failures.length} failed\n`);
for (const failure of failures) process.stdout.write(`\n${failure}\n`);
process.exit(failures.length > 0 ? 1 : 0);
