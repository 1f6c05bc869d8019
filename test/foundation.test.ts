import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { connectDevServer, createTestWorker, createTimeSkippingEnvironment } from './support/temporal.ts';
import { createSmokeActivities } from './workflows/smoke-activities.ts';

const NINETY_DAYS_MS = 90 * 24 * 60 * 60 * 1000;

describe('Temporal harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('skips 90 days of workflow time on the time-skipping server', async () => {
    const env = await createTimeSkippingEnvironment();
    try {
      const taskQueue = `smoke-${randomUUID()}`;
      const worker = await createTestWorker(env, { taskQueue });
      const startedAt = performance.now();
      const slept = await worker.runUntil(
        env.client.workflow.execute('sleepNinetyDays', { taskQueue, workflowId: `sleep-${randomUUID()}` }),
      );
      const wallMs = performance.now() - startedAt;
      expect(slept).toBeGreaterThanOrEqual(NINETY_DAYS_MS);
      // Not a speed claim: a bound a real 90-day sleep could never meet proves time was skipped.
      expect(wallMs).toBeLessThan(60_000);
    } finally {
      await env.teardown();
    }
  });

  it('runs an activity that writes to PostgreSQL on the dev server', async () => {
    const env = await connectDevServer();
    try {
      const taskQueue = `smoke-${randomUUID()}`;
      const worker = await createTestWorker(env, { taskQueue, activities: createSmokeActivities(db.sql) });
      const email = `smoke-${randomUUID()}@example.test`;
      const userId = await worker.runUntil(
        env.client.workflow.execute('writeUserThroughActivity', {
          taskQueue,
          workflowId: `smoke-${randomUUID()}`,
          args: [email],
        }),
      );
      const rows = await db.sql`select email, status from users where id = ${userId}`;
      expect(rows).toEqual([{ email, status: 'PENDING' }]);
    } finally {
      await env.teardown();
    }
  });
});
