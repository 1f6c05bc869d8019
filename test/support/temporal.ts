import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { kycSearchAttributes } from '../../src/contract/search-attributes.ts';
import { createDataConverter } from '../../src/data-protection/data-converter.ts';
import { ensureSearchAttributes } from '../../src/runtime/temporal-setup.ts';

/** Tests run with payload encryption on, as production does, using the local-mode keys. */
export const testPayloadKeys = loadConfig({}).payloadKeys;
export const testDataConverter = createDataConverter(testPayloadKeys);

/**
 * A fresh time-skipping test server for one test file (time skipping is global to a server), with the KYC search
 * attributes registered as on a real server. `interceptors` see every call its client makes (bench/cost.ts counts
 * queries with one).
 */
export async function createTimeSkippingEnvironment({
  dataConverter = testDataConverter,
  interceptors = [],
}: {
  dataConverter?: DataConverter;
  interceptors?: WorkflowClientInterceptor[];
} = {}): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
    client: { dataConverter, interceptors: { workflow: interceptors } },
  });
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default', kycSearchAttributes);
  return env;
}

/** The run's shared dev server; tests keep apart by task queue and workflow id. */
export function connectDevServer(interceptors: WorkflowClientInterceptor[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporalAddress'),
    client: { dataConverter: testDataConverter, interceptors: { workflow: interceptors } },
  });
}

/** A worker on the pre-built workflow bundle, so no test pays for bundling. */
export function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'>,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    dataConverter: testDataConverter,
    ...options,
  });
}
