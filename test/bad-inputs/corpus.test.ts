/**
 * Runs the whole bad-input corpus against the real doors: the HTTP service, the S3 bridge, the queue consumers and
 * their SQS queues on moto_server, the workflow's signals and update, the CS command line and the pure readers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKycWorkflow } from '../../src/starters/kyc-client.ts';
import { type LocalAws, startLocalAws } from '../support/aws-local.ts';
import { type KycHarness, SEED_PERSON, startKycHarness, TOKEN } from '../support/kyc-harness.ts';
import { connectDevServer } from '../support/temporal.ts';
import { type BadInputCase, type CorpusContext, matches, type Observed } from './corpus.ts';
import { eventCases } from './event-cases.ts';
import { httpCases } from './http-cases.ts';
import { workflowCases } from './workflow-cases.ts';

const corpus: BadInputCase[] = [...httpCases, ...eventCases, ...workflowCases];
const isSignal = (badInput: BadInputCase) => badInput.door.startsWith('signal ');

let aws: LocalAws;
let h: KycHarness;
let context: CorpusContext;

describe('bad-input corpus', () => {
  beforeAll(async () => {
    aws = await startLocalAws();
    // The dev server: some inputs must reach a live workflow, and no time needs skipping.
    h = await startKycHarness({
      env: await connectDevServer(),
      sharedServer: true,
      settings: {
        KYC_UPLOAD_MAX_BYTES: String(256 * 1024),
        ...aws.queueSettings,
      },
    });
    // Each their own passport and birth date: one identity under three users would (rightly) go to review.
    const person = (n: number, email: string) => ({
      ...SEED_PERSON,
      regNo: `720000${n}`,
      email,
      passportNumber: `72000000${n}`,
      birthDate: `1985-02-1${n}`,
    });
    const decided = await h.enrol(person(1, 'decided@example.com'));
    await decided.uploadBoth();
    const review = await h.enrol(person(2, 'review@example.com'), { liveness: null });
    await review.uploadBoth();
    const bystander = await h.enrol(person(3, 'bystander@example.com'));
    await startKycWorkflow(h.kyc, bystander.userId);
    await h.waitForStatus(decided.userId, (s) => s.stage === 'DECIDED', 'the decided case');
    await h.waitForStatus(review.userId, (s) => s.stage === 'AWAITING_REVIEW', 'the review case');
    context = {
      h,
      aws,
      decidedUserId: decided.userId,
      reviewUserId: review.userId,
      bystanderUserId: bystander.userId,
      async request(path, init = {}) {
        const { token = TOKEN.intake, headers, ...rest } = init;
        const response = await fetch(`${h.url}${path}`, {
          ...rest,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        });
        const text = await response.text();
        let code: string | null = null;
        try {
          code = JSON.parse(text).error?.code ?? null;
        } catch {
          // a non-JSON answer has no code, which fails the case's expectation
        }
        return { kind: 'http', status: response.status, code } as const;
      },
    };
  });
  afterAll(async () => {
    await h?.close();
    await aws?.moto.stop();
  });

  it('refuses every case clearly, with no crash and nothing accepted and lost', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    const attempt = async (badInput: BadInputCase) => {
      let observed: Observed | { kind: 'crash'; error: string };
      try {
        observed = await badInput.run(context);
      } catch (error) {
        observed = { kind: 'crash', error: (error as Error).stack ?? String(error) };
      }
      return { badInput, observed };
    };
    // Signals to one workflow are judged by its ignored-signal count, so they go one at a time; the rest at once.
    const [signals, others] = [corpus.filter(isSignal), corpus.filter((badInput) => !isSignal(badInput))];
    const results = await Promise.all(others.map(attempt));
    for (const badInput of signals) results.push(await attempt(badInput));
    const crashes = results.filter(
      ({ observed }) => observed.kind === 'crash' || (observed.kind === 'http' && observed.status >= 500),
    );
    const accepted = results.filter(({ observed }) => observed.kind === 'accepted');
    const refusedClearly = results.filter(
      ({ badInput, observed }) => observed.kind !== 'crash' && matches(badInput.expect, observed),
    );
    // Anything a door accepted must still be reflected somewhere; the corpus holds none that should be accepted.
    const acceptedAndLost = accepted.length;
    console.log(
      `refused clearly: ${refusedClearly.length}/${corpus.length}, crashes: ${crashes.length}, accepted-and-lost: ${acceptedAndLost}`,
    );
    const unclear = results
      .filter((result) => !refusedClearly.includes(result))
      .map(
        ({ badInput, observed }) =>
          `${badInput.door} — ${badInput.name}: expected ${JSON.stringify(badInput.expect)}, got ${JSON.stringify(observed)}`,
      );
    expect(unclear).toEqual([]);
    expect(crashes).toEqual([]);

    // The workflows the corpus aimed at are still running and were not moved by any of it.
    for (const userId of [context.decidedUserId, context.reviewUserId]) {
      const { status } = await h.env.client.workflow.getHandle(`kyc-user-${userId}`).describe();
      expect(status.name).toBe('RUNNING');
    }
    expect(await h.status(context.decidedUserId)).toMatchObject({ cycle: 1, stage: 'DECIDED' });
    expect((await h.status(context.reviewUserId)).stage).toBe('AWAITING_REVIEW');
  });
});
