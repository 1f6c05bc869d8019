/**
 * Recorded histories under test/fixtures/histories/: append-only fixtures that every later version of the workflow
 * code must replay (test/replay.test.ts). A fixture is named `<label>-<path>.json`, the label being the commit or
 * release whose code recorded it; manifest.json holds each one's SHA-256, so an edited or removed fixture fails.
 *
 * Scenario tests call `keepHistory` after a path has run. It records only when KYC_RECORD_HISTORIES names a label
 * (README, "Changing workflow code"), and it never overwrites a fixture that exists. Payloads under a user's data key
 * are kept re-encrypted under the test master key (test/support/user-keys.ts): that key dies with the test database.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { reencryptUnderMasterKey } from './user-keys.ts';

export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
export const MANIFEST_FILE = `${HISTORIES_DIR}manifest.json`;

export interface FixtureEntry {
  file: string;
  workflowType: string;
  workflowId: string;
  /** The commit or release whose workflow code recorded it. */
  recordedBy: string;
  /** What the history covers, in words. */
  path: string;
  sha256: string;
}

export interface Manifest {
  fixtures: FixtureEntry[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function readManifest(): Promise<Manifest> {
  return JSON.parse(await readFile(MANIFEST_FILE, 'utf8')) as Manifest;
}

/**
 * Records the history of `workflowId` (its current run, or `runId`) as fixture `<label>-<name>.json` when
 * KYC_RECORD_HISTORIES is set. A fixture already recorded under that name is left as it is.
 */
export async function keepHistory(
  client: Client,
  options: { name: string; path: string; workflowId: string; runId?: string },
): Promise<void> {
  const label = process.env.KYC_RECORD_HISTORIES;
  if (!label) return;
  if (!/^[a-z0-9][a-z0-9.-]{2,40}$/.test(label)) throw new Error(`KYC_RECORD_HISTORIES=${label} is not a label`);
  const file = `${label}-${options.name}.json`;
  const manifest = await readManifest();
  if (manifest.fixtures.some((fixture) => fixture.file === file)) return;
  const handle = client.workflow.getHandle(options.workflowId, options.runId);
  const history = await handle.fetchHistory();
  await reencryptUnderMasterKey(history);
  const text = historyToJSON(history);
  const workflowType = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
  await writeFile(`${HISTORIES_DIR}${file}`, text, { flag: 'wx' });
  manifest.fixtures.push({
    file,
    workflowType,
    workflowId: options.workflowId,
    recordedBy: label,
    path: options.path,
    sha256: sha256(text),
  });
  await writeFile(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
}
