/**
 * What one verification of the seed's example costs, counted end to end through the service's doors: the sign-up
 * (POST /users), the passport and selfie upload (POST /users/:id/documents), Apify's webhook, and the worker until the
 * decision is notified and the workflow waits idle. Shared by `npm run bench -- cost` and test/cost-budget.test.ts.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client, WorkflowClientInterceptor } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { type KycHarness, SEED_PERSON, TOKEN } from '../test/support/kyc-harness.ts';
import { billableActions, eventCounts, historyBytes, timeline } from './history.ts';
import { countStatements } from './postgres.ts';
import { sleep, sum } from './stats.ts';
import { documentsForm } from './uploads.ts';

export interface VerificationCost {
  userId: number;
  workflowId: string;
  decision: string | undefined;
  historyEvents: number;
  historyBytes: number;
  events: Record<string, number>;
  /**
   * Temporal Cloud Actions by kind: those the history shows (bench/history.ts), and the queries and rejected updates
   * the doors sent, which it does not.
   */
  actions: Record<string, number>;
  /** Activity executions by activity type, local ones marked so. */
  activities: Record<string, number>;
  /** Statements the doors and the worker sent to PostgreSQL. */
  statements: number;
  /** Requests to (and, for webhooks, from) each outside service, by operation. */
  externalCalls: Record<string, number>;
}

/**
 * Counts the queries and updates sent through the client it intercepts: Temporal Cloud bills each query, and each
 * update, accepted (in the history) or rejected (not).
 */
export class WorkflowCallCounter {
  queries = 0;
  updates = 0;
  readonly interceptor: WorkflowClientInterceptor = {
    query: (input, next) => {
      this.queries += 1;
      return next(input);
    },
    startUpdate: (input, next) => {
      this.updates += 1;
      return next(input);
    },
    startUpdateWithStart: (input, next) => {
      this.updates += 1;
      return next(input);
    },
  };
}

/**
 * `calls` must intercept the client of `harness.env`, which the doors use. The documents are uploaded once the
 * workflow waits for them, as a person's upload comes seconds after the sign-up, not within the workflow's first task.
 */
export async function measureSeedVerification(
  harness: KycHarness,
  calls: WorkflowCallCounter,
): Promise<VerificationCost> {
  const outsideCalls = outsideCallCounter(harness);
  const statements = countStatements(harness.db.sql);
  const callsBefore = { queries: calls.queries, updates: calls.updates };
  const userId = await signUp(harness);
  const { livenessSessionId } = await harness.program(userId, SEED_PERSON);
  const workflowId = kycWorkflowId(userId);
  await waitUntilWaitingForDocuments(harness.env.client, workflowId);
  await uploadDocuments(harness, userId, livenessSessionId);
  const history = await waitUntilNotifiedAndIdle(harness.env.client, workflowId);
  await harness.apify.webhooksSettled();
  const serviceStatements = statements();
  const [decision] = await harness.db.sql<{ decision: string }[]>`
    select decision from kyc_decisions where user_id = ${userId}`;
  const events = eventCounts(history);
  const steps = timeline(history);
  return {
    userId,
    workflowId,
    decision: decision?.decision,
    historyEvents: sum(Object.values(events)),
    historyBytes: historyBytes(history),
    events,
    actions: withCallerActions(billableActions(history), {
      queries: calls.queries - callsBefore.queries,
      rejectedUpdates: calls.updates - callsBefore.updates - (events.WorkflowExecutionUpdateAccepted ?? 0),
    }),
    activities: tally([
      ...steps.activities.map((activity) => activity.type),
      ...steps.localActivities.map((activity) => `${activity.type} (local)`),
    ]),
    statements: serviceStatements,
    externalCalls: await outsideCalls(),
  };
}

const bearer = { authorization: `Bearer ${TOKEN.intake}` };

async function signUp(harness: KycHarness): Promise<number> {
  const response = await fetch(`${harness.url}/users`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ email: SEED_PERSON.email, reg_type: SEED_PERSON.regType, reg_no: SEED_PERSON.regNo }),
  });
  if (response.status !== 201) throw new Error(`POST /users answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

async function uploadDocuments(harness: KycHarness, userId: number, livenessSessionId: string | undefined) {
  const response = await fetch(`${harness.url}/users/${userId}/documents`, {
    method: 'POST',
    headers: bearer,
    body: documentsForm(livenessSessionId),
  });
  if (response.status !== 202) throw new Error(`the upload answered ${response.status}: ${await response.text()}`);
}

/** Adds the billed calls no history shows; a kind is listed even at 0, so the figure says that none were needed. */
function withCallerActions(
  actions: Record<string, number>,
  calls: { queries: number; rejectedUpdates: number },
): Record<string, number> {
  return { ...actions, query: calls.queries, 'rejected update': calls.rejectedUpdates };
}

/** Reads the history until the workflow waits for the documents: its documents timeout has started. */
async function waitUntilWaitingForDocuments(client: Client, workflowId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const history = await client.workflow
      .getHandle(workflowId)
      .fetchHistory()
      .catch(() => null);
    if (history && eventCounts(history).TimerStarted) return;
    if (Date.now() > deadline) throw new Error(`${workflowId} did not wait for documents within a minute`);
    await sleep(50);
  }
}

/** Reads the history (which costs no Action, unlike a query) until the workflow has notified and gone idle. */
async function waitUntilNotifiedAndIdle(client: Client, workflowId: string): Promise<History> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const { activities, localActivities, workflowTasks } = timeline(history);
    const notified = [...activities, ...localActivities].find((activity) => activity.type === 'notifyDecision');
    if (notified && workflowTasks.some((task) => task.completedEventId >= notified.completedEventId)) return history;
    if (Date.now() > deadline) throw new Error(`${workflowId} was not notified and idle within a minute`);
    await sleep(100);
  }
}

/** Counts the outside services' requests from now on; the returned function reads them. */
function outsideCallCounter(harness: KycHarness): () => Promise<Record<string, number>> {
  const { aws, apify, product, smtp } = harness;
  const start = {
    aws: aws.calls.length,
    apify: apify.requests.length,
    webhooks: apify.deliveries.length,
    product: product.requests.length,
    email: smtp.messages.length,
  };
  const objects = join(harness.config.KYC_DATA_DIR, 'objects');
  const objectsBefore = countFiles(objects);
  return async () => ({
    // `RekognitionService.DetectFaces` → `Rekognition DetectFaces`
    ...tally(aws.calls.slice(start.aws).map((call) => call.target.replace(/(Service)?\./, ' '))),
    // `/v2/actor-runs/<id>` → `Apify GET /v2/actor-runs/:id`
    ...tally(
      apify.requests
        .slice(start.apify)
        .map((request) => `Apify ${request.method} ${request.path.replace(/^(\/v2\/[^/]+\/)[^/]+/, '$1:id')}`),
    ),
    ...tally(apify.deliveries.slice(start.webhooks).map(() => 'Apify webhook to the service')),
    ...tally(product.requests.slice(start.product).map(() => 'Product webhook')),
    ...tally(smtp.messages.slice(start.email).map(() => 'Email (SMTP)')),
    ...tally(Array.from({ length: (await countFiles(objects)) - (await objectsBefore) }, () => 'Object store PUT')),
  });
}

async function countFiles(directory: string): Promise<number> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).length;
}

function tally(labels: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
