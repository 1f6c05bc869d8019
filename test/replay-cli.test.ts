/** `npm run replay`, the check before a deploy, against the run's Temporal dev server. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { type KycHarness, SEED_PERSON, startKycHarness } from './support/kyc-harness.ts';
import { connectDevServer, testDataConverter } from './support/temporal.ts';

const execFileAsync = promisify(execFile);
const replayScript = fileURLToPath(new URL('../scripts/replay.ts', import.meta.url));

async function replay(query: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await execFileAsync(
      process.execPath,
      [replayScript, '--address', inject('temporalAddress'), '--query', query],
      {
        env: { ...process.env, KYC_LOG_LEVEL: 'silent' },
      },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('npm run replay', () => {
  let h: KycHarness;
  beforeAll(async () => {
    h = await startKycHarness({ env: await connectDevServer(), sharedServer: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('replays the open workflows a query finds and exits 0', async () => {
    const user = await h.enrol({
      ...SEED_PERSON,
      regNo: '7123456',
      email: 'replay@example.com',
      passportNumber: '712345600',
    });
    await user.uploadBoth();
    await h.waitForStatus(user.userId, (s) => s.stage === 'DECIDED', 'a decision');
    const result = await replay(`WorkflowId='${kycWorkflowId(user.userId)}' AND ExecutionStatus='Running'`);
    expect(result.output).toContain('1 histories replayed, 0 failed');
    expect(result.code).toBe(0);
  });

  it('exits 1 and names the workflow whose history the working tree cannot replay', async () => {
    const taskQueue = `impostor-${randomUUID()}`;
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./workflows/impostor.ts', import.meta.url)),
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
    });
    const worker = await Worker.create({
      connection: h.env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      dataConverter: testDataConverter,
    });
    const workflowId = kycWorkflowId(900_000_000 + Math.floor(Math.random() * 1_000_000));
    await worker.runUntil(async () => {
      const handle = await h.env.client.workflow.start('KycWorkflow', { taskQueue, workflowId, args: [] });
      // Its first workflow task is done once the timer is in the history.
      await expect
        .poll(async () => (await handle.fetchHistory()).events?.some((event) => event.timerStartedEventAttributes), {
          timeout: 30_000,
        })
        .toBe(true);
    });
    const result = await replay(`WorkflowId='${workflowId}'`);
    expect(result.code).toBe(1);
    expect(result.output).toContain(`FAILED ${workflowId}`);
    expect(result.output).toContain('1 histories replayed, 1 failed');
    await h.env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});
