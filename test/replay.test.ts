/**
 * Workflow code is forever: every recorded history in test/fixtures/histories/ must replay on the current bundle, and
 * the fixtures themselves are append-only — the manifest's hashes catch an edited fixture, its git history a removed
 * one.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { createDataConverter } from '../src/data-protection/data-converter.ts';
import { HISTORIES_DIR, MANIFEST_FILE, type Manifest, readManifest, sha256 } from './support/history-fixtures.ts';
import { testPayloadKeys } from './support/temporal.ts';

const execFileAsync = promisify(execFile);

/** Every version of the manifest that git has, oldest first; none outside a git checkout. */
async function committedManifests(): Promise<Manifest[]> {
  const git = (...args: string[]) => execFileAsync('git', args, { cwd: HISTORIES_DIR, maxBuffer: 64 * 1024 * 1024 });
  const inRepo = await git('rev-parse', '--is-inside-work-tree').catch(() => null);
  if (!inRepo) return [];
  const { stdout } = await git('log', '--reverse', '--format=%H', '--', MANIFEST_FILE);
  const manifests: Manifest[] = [];
  for (const commit of stdout.split('\n').filter(Boolean)) {
    const { stdout: text } = await git('show', `${commit}:./manifest.json`);
    manifests.push(JSON.parse(text) as Manifest);
  }
  return manifests;
}

describe('recorded histories', () => {
  it('are all in the manifest, unchanged since they were recorded', async () => {
    const manifest = await readManifest();
    const files = (await readdir(HISTORIES_DIR)).filter((file) => file !== 'manifest.json').sort();
    expect(manifest.fixtures.map((fixture) => fixture.file).sort()).toEqual(files);
    for (const fixture of manifest.fixtures) {
      const text = await readFile(`${HISTORIES_DIR}${fixture.file}`, 'utf8');
      expect(sha256(text), `${fixture.file} was edited; fixtures are append-only`).toBe(fixture.sha256);
    }
  });

  it('keep every fixture any committed manifest listed', async () => {
    const current = new Map((await readManifest()).fixtures.map((fixture) => [fixture.file, fixture.sha256]));
    for (const earlier of await committedManifests()) {
      for (const fixture of earlier.fixtures) {
        expect(current.get(fixture.file), `${fixture.file} was removed or re-recorded`).toBe(fixture.sha256);
      }
    }
  });

  it('replay on the current workflow code', async () => {
    const manifest = await readManifest();
    const histories = await Promise.all(
      manifest.fixtures.map(async (fixture) => ({
        workflowId: fixture.workflowId,
        history: JSON.parse(await readFile(`${HISTORIES_DIR}${fixture.file}`, 'utf8')),
      })),
    );
    // Histories recorded before payload encryption (210d329) hold plaintext: replayed as a worker would with the
    // documented migration switch, KYC_PAYLOAD_ACCEPT_PLAINTEXT.
    const dataConverter = createDataConverter(testPayloadKeys, { acceptPlaintext: true });
    const replayed = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter },
      histories,
    );
    const failures: string[] = [];
    let count = 0;
    for await (const result of replayed) {
      const fixture = manifest.fixtures[count];
      count += 1;
      if (result.error) failures.push(`${fixture?.file}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(count).toBe(manifest.fixtures.length);
  });
});
