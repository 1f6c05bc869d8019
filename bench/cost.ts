/**
 * What one verification of the seed's example costs, counted end to end through the service's doors: the sign-up
 * (POST /users), the passport and selfie upload (POST /users/:id/documents), Apify's webhook, and the worker until the
 * decision is notified and the workflow waits idle. Shared by `npm run bench -- cost` and test/cost-budget.test.ts.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
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
  /** Temporal Cloud Actions by kind. */
  actions: Record<string, number>;
  /** Activity executions by activity type. */
  activities: Record<string, number>;
  /** Statements the doors and the worker sent to PostgreSQL. */
  statements: number;
  /** Requests to (and, for webhooks, from) each outside service, by operation. */
  externalCalls: Record<string, number>;
}

export async function measureSeedVerification(harness: KycHarness): Promise<VerificationCost> {
  const calls = outsideCallCounter(harness);
  const statements = countStatements(harness.db.sql);
  const userId = await signUp(harness);
  const { livenessSessionId } = await harness.program(userId, SEED_PERSON);
  await uploadDocuments(harness, userId, livenessSessionId);
  const workflowId = kycWorkflowId(userId);
  const history = await waitUntilNotifiedAndIdle(harness.env.client, workflowId);
  await harness.apify.webhooksSettled();
  const serviceStatements = statements();
  const [decision] = await harness.db.sql<{ decision: string }[]>`
    select decision from kyc_decisions where user_id = ${userId}`;
  const events = eventCounts(history);
  return {
    userId,
    workflowId,
    decision: decision?.decision,
    historyEvents: sum(Object.values(events)),
    historyBytes: historyBytes(history),
    events,
    actions: billableActions(history),
    activities: tally(timeline(history).activities.map((activity) => activity.type)),
    statements: serviceStatements,
    externalCalls: await calls(),
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

/** Reads the history (which costs no Action, unlike a query) until the workflow has notified and gone idle. */
async function waitUntilNotifiedAndIdle(client: Client, workflowId: string): Promise<History> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const { activities, workflowTasks } = timeline(history);
    const notified = activities.find((activity) => activity.type === 'notifyDecision');
    if (notified && workflowTasks.some((task) => task.completedEventId > notified.completedEventId)) return history;
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
