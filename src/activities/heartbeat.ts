/**
 * Every activity heartbeats while it runs, so that an attempt held by a worker that died is retried after the
 * activity's heartbeat timeout (seconds) rather than its start-to-close timeout (minutes). The server's heartbeat
 * clock starts with the attempt, so the first heartbeat waits HEARTBEAT_EVERY_MS: each one that reaches the server is a
 * Temporal Cloud Action, and most steps finish well before then and send none.
 */
import { Context } from '@temporalio/activity';

/** Well inside the shortest heartbeat timeout the workflows set (10 s); the SDK throttles what reaches the server. */
export const HEARTBEAT_EVERY_MS = 2_000;

// biome-ignore lint/suspicious/noExplicitAny: activity functions take and return anything serialisable.
type ActivityFunction = (...args: any[]) => Promise<unknown>;

export function heartbeating<T extends Record<string, ActivityFunction>>(activities: T): T {
  const wrapped = Object.entries(activities).map(([name, activity]) => [
    name,
    async (...args: unknown[]) => {
      const context = activityContext();
      // A local activity runs inside its workflow task, which the worker keeps alive; it has no heartbeat to send.
      if (!context || context.info.isLocal) return await activity(...args);
      const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        return await activity(...args);
      } finally {
        clearInterval(timer);
      }
    },
  ]);
  return Object.fromEntries(wrapped) as T;
}

/** The running activity's context; none when an activity function is called directly, as a unit test may. */
function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}
