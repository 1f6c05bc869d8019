/**
 * Quiet tests: SDK Core's warnings reach the runtime logger (and so `runtimeLog`, where tests can assert on them)
 * instead of stderr. The time-skipping test server gives one on every worker start, which is asserted here.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeLog } from './support/runtime-log.ts';
import { createTestWorker, createTimeSkippingEnvironment } from './support/temporal.ts';

describe('the Temporal runtime log in tests', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it("captures SDK Core's warnings instead of printing them", async () => {
    const from = runtimeLog.length;
    const worker = await createTestWorker(env, { taskQueue: 'runtime-log', activities: { idle: async () => {} } });
    await worker.runUntil(async () => {
      const deadline = Date.now() + 10_000;
      while (!runtimeLog.slice(from).some((line) => line.includes('activity_failure_include_heartbeat'))) {
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const warnings = runtimeLog.slice(from).map((line) => JSON.parse(line) as { level: string; message: string });
    expect(warnings).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: expect.stringContaining('activity_failure_include_heartbeat'),
      }),
    );
  });
});
