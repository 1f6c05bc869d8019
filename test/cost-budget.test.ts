/**
 * What one verification may cost, as a budget rather than a timing: the seed's example, end to end through the doors
 * (sign-up, upload, Apify's webhook) to the notified decision, must not take more activities, Temporal Cloud Actions,
 * PostgreSQL statements or calls to outside services than below. These are the numbers an operator multiplies by
 * volume (README, "Benchmarks"); a change that needs more raises the budget here, on purpose.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSeedVerification, type VerificationCost, WorkflowCallCounter } from '../bench/cost.ts';
import { sum } from '../bench/stats.ts';
import { type KycHarness, startKycHarness } from './support/kyc-harness.ts';

const BUDGET = {
  /** 3 activities and 4 local ones (beginCycle, ingestRegisterResult, decide, notifyDecision). */
  activities: 7,
  /** By Temporal Cloud's rules (bench/history.ts), the same in every run: ACTIONS_BY_KIND. */
  actions: 12,
  /**
   * 31 before the fraud controls, which add 8 (README, Fraud controls): the liveness session checked and claimed at
   * the door, and again in check-face; the document's keyed hashes recorded and looked up; the registration's other
   * holders looked up by decide; the accepted selfie found and its face recorded in face_index_entries. Then 4 more:
   * the register run's intent written before the run is started (its idempotent start), an audit_events row for each
   * of the product backend's two calls (sign-up, upload), and one look-up that appeared when the sign-in, fraud and
   * versioning branches were merged and is not yet traced to its source. Then 2 for crypto-shredding (README,
   * Compliance): the user's data key looked up and, the first time, stored. Here one process holds the doors, the
   * worker and their one key cache; in production each process looks the key up once more per 30 s it is in use.
   * Then 1 for the status read model: beginCycle records the cycle (kyc_cycles), so `GET /users/:id/kyc` knows the
   * cycle's id before its first scan.
   */
  statements: 46,
  externalCalls: {
    'Textract AnalyzeID': 1,
    'Rekognition DetectFaces': 1,
    // The selfie against the document, and the liveness reference image against the selfie and the document.
    'Rekognition CompareFaces': 3,
    'Rekognition GetFaceLivenessSessionResults': 1,
    // The face searched among accepted ones, then (a PASS) indexed. The first search in a new collection is refused
    // (ResourceNotFoundException), creates the collection and searches again; afterwards one search, no creation.
    'Rekognition SearchFacesByImage': 2,
    'Rekognition CreateCollection': 1,
    'Rekognition IndexFaces': 1,
    'Apify POST /v2/actors/:id/runs': 1,
    'Apify GET /v2/actor-runs/:id': 1,
    'Apify GET /v2/datasets/:id/items': 1,
    'Apify webhook to the service': 1,
    'Product webhook': 1,
    'Object store PUT': 2,
  } as Record<string, number>,
};

/**
 * The 12 Actions by kind. The workflow is started at sign-up; the uploads and Apify's webhook are signals. The markers
 * are two workflow tasks': the first's (the `patched()` marker and beginCycle), and the one that reads the register
 * result, decides and notifies. One upsert publishes the decision (KycStage, KycStatus, KycRegType); the start set
 * the rest. The timers are the documents timeout (the upload comes after the workflow waits for it) and the
 * register webhook's deadline. No door queries the workflow, and no activity runs long enough to heartbeat.
 */
const ACTIONS_BY_KIND = {
  'workflow start': 1,
  signal: 3,
  activity: 3,
  markers: 2,
  'search-attribute upsert': 1,
  timer: 2,
  query: 0,
  'rejected update': 0,
};

/** Every count above its budget, with the budget; empty when the verification is within budget. */
function overBudget(cost: VerificationCost): Record<string, { counted: number; budget: number }> {
  const counts: Array<[string, number, number]> = [
    ['activities', sum(Object.values(cost.activities)), BUDGET.activities],
    ['Temporal Cloud Actions', sum(Object.values(cost.actions)), BUDGET.actions],
    ['PostgreSQL statements', cost.statements, BUDGET.statements],
    ...Object.entries(cost.externalCalls).map(([call, counted]): [string, number, number] => [
      call,
      counted,
      BUDGET.externalCalls[call] ?? 0,
    ]),
  ];
  return Object.fromEntries(
    counts
      .filter(([, counted, budget]) => counted > budget)
      .map(([name, counted, budget]) => [name, { counted, budget }]),
  );
}

let h: KycHarness;
let dataDir: string;
const calls = new WorkflowCallCounter();

describe('the cost of one verification', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kyc-cost-'));
    // A folder stands in for S3, so the upload goes through the real intake API.
    h = await startKycHarness({
      clientInterceptors: [calls.interceptor],
      settings: { KYC_OBJECT_STORE: 'folder', KYC_DATA_DIR: dataDir },
    });
  });
  afterAll(async () => {
    await h?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps the seed's example within its budget of activities, Actions, statements and outside calls", async () => {
    const cost = await measureSeedVerification(h, calls);

    expect(cost.decision).toBe('PASS');
    expect(cost.actions).toEqual(ACTIONS_BY_KIND);
    expect(overBudget(cost)).toEqual({});
  });
});
