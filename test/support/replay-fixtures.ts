/** Replaying the recorded histories (test/fixtures/histories/) on a workflow bundle, as a worker would. */
import { readFile } from 'node:fs/promises';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createDataConverter } from '../../src/data-protection/data-converter.ts';
import { type FixtureEntry, HISTORIES_DIR, readManifest } from './history-fixtures.ts';
import { testPayloadKeys } from './temporal.ts';

/**
 * Replays the recorded fixtures that `include` picks on `workflowBundle`, as a worker would: histories recorded before
 * payload encryption (210d329) hold plaintext, read with the documented migration switch KYC_PAYLOAD_ACCEPT_PLAINTEXT.
 * Returns one line per fixture that failed, and how many were replayed.
 */
export async function replayFixtures(
  workflowBundle: WorkflowBundleOption,
  include: (fixture: FixtureEntry) => boolean = () => true,
): Promise<{ failures: string[]; replayed: number }> {
  const fixtures = (await readManifest()).fixtures.filter(include);
  const histories = await Promise.all(
    fixtures.map(async (fixture) => ({
      workflowId: fixture.workflowId,
      history: JSON.parse(await readFile(`${HISTORIES_DIR}${fixture.file}`, 'utf8')),
    })),
  );
  const dataConverter = createDataConverter(testPayloadKeys, { acceptPlaintext: true });
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, dataConverter }, histories)) {
    const fixture = fixtures[replayed];
    replayed += 1;
    if (result.error) failures.push(`${fixture?.file}: ${result.error.message}`);
  }
  return { failures, replayed };
}
