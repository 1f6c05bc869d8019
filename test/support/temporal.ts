import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { ensureSearchAttributes } from '../../src/runtime/temporal-setup.ts';
import { kycSearchAttributes } from '../../src/workflows/search-attributes.ts';

/**
 * A fresh time-skipping test server for one test file (time skipping is global to a server), with the KYC search
 * attributes registered as on a real server.
 */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default', kycSearchAttributes);
  return env;
}

/** The run's shared dev server; tests keep apart by task queue and workflow id. */
export function connectDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
}

/** A worker on the pre-built workflow bundle, so no test pays for bundling. */
export function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'>,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...options,
  });
}
