/**
 * Once per `npm test`: finds (or installs) the Temporal binaries, provides PostgreSQL and a migrated template
 * database, bundles the workflow code, and starts one shared Temporal dev server. Test files receive these through
 * vitest's `inject`.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { kycSearchAttributes } from '../../src/contract/search-attributes.ts';
import { failureConverterPath } from '../../src/data-protection/data-converter.ts';
import { locateBinary } from '../../src/runtime/binaries.ts';
import { migrate } from '../../src/runtime/migrate.ts';
import { createDatabase, dropDatabases, providePostgres } from '../../src/runtime/postgres-server.ts';
import { startTemporalDevServer } from '../../src/runtime/temporal-dev-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    workflowBundlePath: string;
    temporalAddress: string;
    temporalTestServerPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `kyc_test_${Date.now().toString(36)}_${process.pid}`;
  const testServerPath = locateBinary('temporal-test-server');
  if (!testServerPath) throw new Error('temporal-test-server is required for the tests; see README "Testing"');

  const postgresServer = await providePostgres({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    dataDir: join(tmpdir(), `${runId}-pgdata`),
  });
  const templateDatabase = `${runId}_template`;
  await migrate(await createDatabase(postgresServer.adminUrl, templateDatabase));

  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    failureConverterPath,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  const workflowBundlePath = join(tmpdir(), `${runId}-workflows.js`);
  await writeFile(workflowBundlePath, bundle.code);

  const devServer = await startTemporalDevServer({ searchAttributes: kycSearchAttributes });

  project.provide('adminDatabaseUrl', postgresServer.adminUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('temporalAddress', devServer.address);
  project.provide('temporalTestServerPath', testServerPath);

  return async () => {
    await devServer.stop();
    await dropDatabases(postgresServer.adminUrl, runId);
    await postgresServer.stop();
  };
}
