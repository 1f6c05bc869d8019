/** Register look-ups: Apify actors (one per register), or a local register snapshot file. */
import type { RegType } from '../../domain/registers.ts';

export type RunStatus =
  | 'READY'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'ABORTED'
  | 'TIMED_OUT'
  | 'TIMING-OUT'
  | 'ABORTING';
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];

export interface RegisterRun {
  runId: string;
  actorId: string;
  status: RunStatus;
  datasetId: string;
}

export interface RunWebhook {
  /** Our `/webhooks/apify` receiver. */
  requestUrl: string;
  /** Added to Apify's default payload as `kyc`: identifies the user and verification cycle. */
  tag: Record<string, string | number>;
  /** Extra request headers, e.g. the callback token the receiver verifies. */
  headers: Record<string, string>;
  /** Apify de-duplicates ad-hoc webhooks by this key. */
  idempotencyKey: string;
}

export interface RegisterScraper {
  /**
   * Starts a look-up of one registration number; `webhook` is called when the run ends. `requestId` (the cycle id)
   * goes with the run, so that `findRun` can find it again.
   */
  startRun(regType: RegType, regNo: string, webhook: RunWebhook | null, requestId: string): Promise<RegisterRun>;
  /** The run an earlier `startRun` with this `requestId` started at or after `since`, if there is one. */
  findRun(regType: RegType, requestId: string, since: Date): Promise<RegisterRun | null>;
  /** The run's current state, waiting up to `waitSecs` for it to finish. */
  getRun(runId: string, waitSecs: number): Promise<RegisterRun>;
  listItems(datasetId: string): Promise<unknown[]>;
}
