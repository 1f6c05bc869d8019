/**
 * The bad-input corpus: malformed or hostile input at every door, each with what a clear refusal looks like. One
 * test (corpus.test.ts) runs them all and counts clear refusals, crashes, and inputs accepted and then lost.
 */

import type { LocalAws, LocalQueue } from '../support/aws-local.ts';
import type { KycHarness } from '../support/kyc-harness.ts';

/** What a door did with an input. */
export type Observed =
  | { kind: 'http'; status: number; code: string | null }
  | { kind: 'record-failure'; code: string }
  | { kind: 'message-refused'; code: string }
  | { kind: 'dead-lettered'; queue: LocalQueue }
  | { kind: 'update-rejected'; message: string }
  | { kind: 'signal-ignored' }
  | { kind: 'usage-error'; message: string }
  | { kind: 'handled-safely'; detail: string }
  | { kind: 'accepted'; detail: string };

export interface CorpusContext {
  h: KycHarness;
  aws: LocalAws;
  /** A user with a decided KYC case, for inputs aimed at an existing user. */
  decidedUserId: number;
  /** A user in MANUAL_REVIEW, for review inputs. */
  reviewUserId: number;
  /** A user still waiting for documents, for the valid inputs mixed into a bad batch. */
  bystanderUserId: number;
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Observed & { kind: 'http' }>;
}

export interface BadInputCase {
  door: string;
  name: string;
  /** What a clear refusal of this input looks like. */
  expect: Observed;
  run(context: CorpusContext): Promise<Observed>;
}

/** A refusal matches when kind and code (or status, or message) agree; `handled-safely` only needs its kind. */
export function matches(expected: Observed, observed: Observed): boolean {
  if (expected.kind !== observed.kind) return false;
  switch (expected.kind) {
    case 'http':
      return observed.kind === 'http' && observed.status === expected.status && observed.code === expected.code;
    case 'record-failure':
    case 'message-refused':
      return 'code' in observed && observed.code === expected.code;
    case 'dead-lettered':
      return observed.kind === 'dead-lettered' && observed.queue === expected.queue;
    case 'update-rejected':
    case 'usage-error':
      return 'message' in observed && observed.message.includes(expected.message);
    default:
      return true;
  }
}
