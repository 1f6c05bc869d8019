import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';

/** A fresh time-skipping test server for one test file (time skipping is global to a server). */
export function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
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
