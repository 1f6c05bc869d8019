import { proxyActivities, sleep } from '@temporalio/workflow';
import type { createSmokeActivities } from './smoke-activities.ts';

const { recordSmokeUser } = proxyActivities<ReturnType<typeof createSmokeActivities>>({
  startToCloseTimeout: '10s',
});

export async function sleepNinetyDays(): Promise<number> {
  const before = Date.now();
  await sleep('90 days');
  return Date.now() - before;
}

export async function writeUserThroughActivity(email: string): Promise<number> {
  return await recordSmokeUser(email);
}
