/**
 * Workflow code is forever: every recorded history in test/fixtures/histories/ must replay on the current bundle, and
 * the fixtures themselves are append-only — the manifest's hashes catch an edited fixture, its git history a removed
 * one.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR, MANIFEST_FILE, type Manifest, readManifest, sha256 } from './support/history-fixtures.ts';
import { replayFixtures } from './support/replay-fixtures.ts';

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
    const { failures, replayed } = await replayFixtures({ codePath: inject('workflowBundlePath') });
    expect(failures).toEqual([]);
    expect(replayed).toBe(manifest.fixtures.length);
  });
});
