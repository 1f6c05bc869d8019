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
import { measureSeedVerification, type VerificationCost } from '../bench/cost.ts';
import { sum } from '../bench/stats.ts';
import { type KycHarness, startKycHarness } from './support/kyc-harness.ts';

const BUDGET = {
  activities: 7,
  /**
   * 1 start, 3 signals (two uploads, the register webhook), 7 activities, 3 search-attribute upserts, and up to 2
   * timers: the documents timeout when the uploads come after the first workflow task, the webhook timeout when the
   * webhook comes after the run is known (otherwise a version marker stands in for it).
   */
  actions: 16,
  /** 29 before sign-in, then an audit row for each of the two authenticated intake calls and the webhook's run check. */
  statements: 34,
  externalCalls: {
    'Textract AnalyzeID': 1,
    'Rekognition DetectFaces': 1,
    'Rekognition CompareFaces': 1,
    'Rekognition GetFaceLivenessSessionResults': 1,
    'Apify POST /v2/actors/:id/runs': 1,
    'Apify GET /v2/actor-runs/:id': 1,
    'Apify GET /v2/datasets/:id/items': 1,
    'Apify webhook to the service': 1,
    'Product webhook': 1,
    'Object store PUT': 2,
  } as Record<string, number>,
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

describe('the cost of one verification', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kyc-cost-'));
    // A folder stands in for S3, so the upload goes through the real intake API.
    h = await startKycHarness({ settings: { KYC_OBJECT_STORE: 'folder', KYC_DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await h?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps the seed's example within its budget of activities, Actions, statements and outside calls", async () => {
    const cost = await measureSeedVerification(h);

    expect(cost.decision).toBe('PASS');
    expect(overBudget(cost)).toEqual({});
  });
});
