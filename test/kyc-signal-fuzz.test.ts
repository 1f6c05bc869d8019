/**
 * A property of KycWorkflow on the time-skipping server: whatever arrives — valid, duplicated, foreign, malformed or
 * late signals and updates, in any order, across cycles and continue-as-new — the workflow never fails, and no run's
 * history grows past the documented bound (README, "Bounded state").
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csReviewSignal,
  documentExpiredSignal,
  documentUploadedSignal,
  kycWorkflowId,
  registerResultSignal,
  retryStepUpdate,
  stepRequestedSignal,
  submitCsReviewUpdate,
} from '../src/contract/kyc-workflow.ts';
import { startKycWorkflow } from '../src/starters/kyc-client.ts';
import { BUCKET, type KycHarness, SEED_PERSON, startKycHarness } from './support/kyc-harness.ts';

/** The documented bound: a run's own events plus at most four per signal or update it takes in. */
const OWN_EVENTS_PER_RUN = 300;
const EVENTS_PER_MESSAGE = 4;

type Action =
  | { kind: 'upload'; document: 'ID_DOCUMENT' | 'SELFIE'; object: number; etag: number | null }
  | { kind: 'foreign-upload'; otherUser: boolean }
  | {
      kind: 'garbage';
      signal: 'documentUploaded' | 'registerResult' | 'csReview' | 'documentExpired' | 'stepRequested';
    }
  | { kind: 'register-callback'; runId: string }
  | { kind: 'cs-review'; viaUpdate: boolean; decision: 'PASS' | 'FAIL' }
  | { kind: 'retry-step' }
  | { kind: 'document-expired'; idDocumentId: number }
  | { kind: 'step-requested'; step: 'FACE_MATCH' | 'REGISTER_CHECK' | 'DECISION'; requestId: number }
  | { kind: 'time-passes'; minutes: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('upload' as const),
      document: fc.constantFrom('ID_DOCUMENT' as const, 'SELFIE' as const),
      object: fc.integer({ min: 1, max: 3 }),
      etag: fc.option(fc.integer({ min: 1, max: 2 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('foreign-upload' as const), otherUser: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('garbage' as const),
      signal: fc.constantFrom(
        'documentUploaded' as const,
        'registerResult' as const,
        'csReview' as const,
        'documentExpired' as const,
        'stepRequested' as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('register-callback' as const),
      runId: fc.stringMatching(/^[A-Za-z0-9]{17}$/),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cs-review' as const),
      viaUpdate: fc.boolean(),
      decision: fc.constantFrom('PASS' as const, 'FAIL' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry-step' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('document-expired' as const),
      idDocumentId: fc.integer({ min: 1, max: 50 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('step-requested' as const),
      step: fc.constantFrom('FACE_MATCH' as const, 'REGISTER_CHECK' as const, 'DECISION' as const),
      requestId: fc.integer({ min: 1, max: 30 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('time-passes' as const),
      minutes: fc.constantFrom(1, 10, 60, 26 * 60, 15 * 24 * 60),
    }),
  },
);

const GARBAGE: Record<string, unknown> = {
  documentUploaded: { kind: 'PASSPORT', bucket: 1, key: '' },
  registerResult: { eventType: 'ACTOR.RUN.SUCCEEDED', kyc: { userId: -1 } },
  csReview: { decision: 'MAYBE' },
  documentExpired: { idDocumentId: 'x' },
  stepRequested: null,
};

let h: KycHarness;
let people = 0;
let longest = 0;

async function perform(handle: WorkflowHandle, userId: number, step: Action): Promise<void> {
  switch (step.kind) {
    case 'upload': {
      const name = step.document === 'ID_DOCUMENT' ? 'passport' : 'selfie';
      return handle.signal(documentUploadedSignal, {
        kind: step.document,
        bucket: BUCKET,
        key: `kyc-raw/${userId}/${step.object}-${name}.jpg`,
        ...(step.document === 'ID_DOCUMENT' ? { docType: 'passport' as const } : {}),
        ...(step.etag === null ? {} : { etag: `"etag-${step.etag}"` }),
      });
    }
    case 'foreign-upload':
      return handle.signal(documentUploadedSignal, {
        kind: 'SELFIE',
        bucket: step.otherUser ? BUCKET : 'someone-elses-bucket',
        key: step.otherUser ? `kyc-raw/${userId + 1}/selfie.jpg` : `kyc-raw/${userId}/selfie.jpg`,
      });
    case 'garbage':
      return handle.signal(step.signal, GARBAGE[step.signal] as never);
    case 'register-callback':
      return handle.signal(registerResultSignal, {
        userId: 'apify-user',
        createdAt: new Date().toISOString(),
        eventType: 'ACTOR.RUN.SUCCEEDED',
        eventData: { actorId: 'kyc~gmc-register', actorRunId: step.runId },
        resource: { id: step.runId, status: 'SUCCEEDED' },
        kyc: { userId, cycleId: '00000000-0000-4000-8000-000000000000' },
      });
    case 'cs-review': {
      const review = { decision: step.decision, reviewer: 'cs-fuzz' };
      if (!step.viaUpdate) return handle.signal(csReviewSignal, review);
      // Refused while no review is pending; accepted ones wait for the decision to be recorded.
      await handle.executeUpdate(submitCsReviewUpdate, { args: [review] }).catch(() => undefined);
      return;
    }
    case 'retry-step':
      await handle.executeUpdate(retryStepUpdate, { args: [{ operator: 'ops-fuzz' }] }).catch(() => undefined);
      return;
    case 'document-expired':
      return handle.signal(documentExpiredSignal, { idDocumentId: step.idDocumentId });
    case 'step-requested':
      return handle.signal(stepRequestedSignal, { step: step.step, requestId: `fuzz-${step.requestId}` });
    case 'time-passes':
      return h.env.sleep(step.minutes * 60_000);
  }
}

/** Every run of the workflow, newest first, following continue-as-new back to the first. */
async function runsOf(workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const runs: temporal.api.history.v1.IHistory[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push(history);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runId = previous;
  }
}

function messagesIn(history: temporal.api.history.v1.IHistory): number {
  return (history.events ?? []).filter(
    (event) => event.workflowExecutionSignaledEventAttributes || event.workflowExecutionUpdateAcceptedEventAttributes,
  ).length;
}

async function checkWorkflowSurvives(actions: Action[]): Promise<void> {
  people += 1;
  const user = await h.enrol({ ...SEED_PERSON, regNo: String(7300000 + people), email: `fuzz${people}@example.com` });
  await startKycWorkflow(h.kyc, user.userId);
  const workflowId = kycWorkflowId(user.userId);
  const handle = h.env.client.workflow.getHandle(workflowId);
  for (const step of actions) await perform(handle, user.userId, step);
  // Let every timer that the actions armed run out, so each cycle they started comes to rest.
  await h.env.sleep('16 days');

  const description = await handle.describe();
  expect(description.status.name, 'the workflow must never fail').toBe('RUNNING');
  const runs = await runsOf(workflowId);
  for (const history of runs) {
    const events = history.events ?? [];
    const last = events.at(-1);
    const closed = last?.workflowExecutionFailedEventAttributes ?? last?.workflowExecutionTerminatedEventAttributes;
    expect(closed ?? null, 'no run fails').toBeNull();
    const bound = OWN_EVENTS_PER_RUN + EVENTS_PER_MESSAGE * messagesIn(history);
    expect(events.length, `a run of ${events.length} events`).toBeLessThanOrEqual(bound);
    longest = Math.max(longest, events.length);
  }
}

describe('KycWorkflow under any sequence of signals and updates', () => {
  beforeAll(async () => {
    h = await startKycHarness();
  });
  afterAll(async () => {
    console.info(`longest run: ${longest} events`);
    await h?.close();
  });

  it('never fails, and keeps every run within the documented bound of events', { timeout: 300_000 }, async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 120 }), checkWorkflowSurvives), {
      numRuns: 6,
      seed: 20261202,
      endOnFailure: true,
    });
  });

  it('survives a flood of 1,000 of them', { timeout: 600_000 }, async () => {
    const flood = fc.sample(action, { numRuns: 1000, seed: 1202 });
    await checkWorkflowSurvives(flood);
  });
});
