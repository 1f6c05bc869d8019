/**
 * A worker started with KYC_WORKFLOW_BUNDLE runs the file `npm run build:workflows` wrote: the CLI's file replays the
 * recorded histories as the worker would run them, and a named file that is missing stops the start with the fix.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { MissingWorkflowBundle, workflowBundle } from '../src/workers/workflow-bundle.ts';
import { type FixtureEntry, readManifest } from './support/history-fixtures.ts';
import { replayFixtures } from './support/replay-fixtures.ts';

const run = promisify(execFile);
const logger = createLogger({ level: 'silent' });

describe('a workflow bundle built ahead', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kyc-bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is what npm run build:workflows writes, and replays the recorded KycWorkflow histories', async () => {
    const file = join(dir, 'nested', 'workflow-bundle.js');
    const { stdout } = await run(process.execPath, ['scripts/build-workflows.ts', file]);
    expect(stdout).toContain(`workflow bundle: ${file}`);
    const option = await workflowBundle(file, logger);
    expect(option).toEqual({ codePath: file });

    const isKyc = (fixture: FixtureEntry) => fixture.workflowType === 'KycWorkflow';
    const kycFixtures = (await readManifest()).fixtures.filter(isKyc);
    const { failures, replayed } = await replayFixtures(option, isKyc);
    expect(failures).toEqual([]);
    expect(replayed).toBe(kycFixtures.length);
  });

  it('named but missing, stops the worker with the command that builds it', async () => {
    const missing = join(dir, 'absent.js');
    await expect(workflowBundle(missing, logger)).rejects.toThrow(MissingWorkflowBundle);
    await expect(workflowBundle(missing, logger)).rejects.toThrow(`npm run build:workflows -- ${missing}`);
  });

  it('the CLI without a target says how to call it', async () => {
    const failed = await run(process.execPath, ['scripts/build-workflows.ts']).catch((error) => error);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('usage: npm run build:workflows -- <output file');
  });
});
