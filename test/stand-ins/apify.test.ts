import { ApifyApiError, ApifyClient } from 'apify-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApifyStandIn, startApifyStandIn } from './apify.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

const token = 'apify_api_stand_in_token';
const gmcActor = 'kyc-tools/gmc-register-scraper';

let apify: ApifyStandIn;
let receiver: WebhookReceiver;
let client: ApifyClient;
beforeEach(async () => {
  apify = await startApifyStandIn({ token, webhookRetryDelayMs: 5 });
  receiver = await startWebhookReceiver();
  client = new ApifyClient({ token, baseUrl: apify.baseUrl, maxRetries: 0 });
  apify.setItems(gmcActor, (input) => [
    { gmcReferenceNumber: (input as { gmcNumber: string }).gmcNumber, registrationStatus: 'Registered with a licence' },
  ]);
});
afterEach(async () => {
  await apify.close();
  await receiver.close();
});

const succeeded = ['ACTOR.RUN.SUCCEEDED'] as const;
const finished = ['ACTOR.RUN.SUCCEEDED', 'ACTOR.RUN.FAILED', 'ACTOR.RUN.ABORTED', 'ACTOR.RUN.TIMED_OUT'] as const;

async function rejection(promise: Promise<unknown>): Promise<ApifyApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApifyApiError;
  }
  throw new Error('expected the call to fail');
}

describe('Apify API stand-in driven by apify-client', () => {
  it('runs an actor, calls its webhook with the rendered template, then serves the run and its items', async () => {
    apify.finishAfterMs = 150;
    const payloadTemplate = `{
      "userId": 42,
      "cycleId": "cycle-2024-07",
      "eventType": {{eventType}},
      "runId": {{resource.id}},
      "datasetId": {{resource.defaultDatasetId}},
      "note": "left alone: {{resource.id}}"
    }`;

    const run = await client
      .actor(gmcActor)
      .start(
        { gmcNumber: '7654321' },
        { webhooks: [{ eventTypes: [...finished], requestUrl: `${receiver.url}/webhooks/apify`, payloadTemplate }] },
      );

    expect(run.status).toBe('READY');
    expect(apify.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/actors/kyc-tools~gmc-register-scraper/runs',
      query: { webhooks: expect.any(String) },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await client.run(run.id).get())?.status).toBe('RUNNING');

    const [webhook] = await receiver.waitForCount(1);
    expect(webhook?.path).toBe('/webhooks/apify');
    expect(webhook?.body).toEqual({
      userId: 42,
      cycleId: 'cycle-2024-07',
      eventType: 'ACTOR.RUN.SUCCEEDED',
      runId: run.id,
      datasetId: run.defaultDatasetId,
      note: 'left alone: {{resource.id}}',
    });

    const done = await client.run(run.id).waitForFinish();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.finishedAt).toBeInstanceOf(Date);
    const { items, total } = await client.dataset(done.defaultDatasetId).listItems();
    expect(items).toEqual([{ gmcReferenceNumber: '7654321', registrationStatus: 'Registered with a licence' }]);
    expect(total).toBe(1);
    expect((await client.run(run.id).dataset().listItems()).items).toEqual(items);
    expect(apify.runs).toMatchObject([{ id: run.id, actorId: 'kyc-tools~gmc-register-scraper', status: 'SUCCEEDED' }]);
  });

  it('holds a waitForFinish request until the run finishes', async () => {
    apify.finishAfterMs = 300;
    const run = await client.actor(gmcActor).start({ gmcNumber: '1234567' });

    const startedAt = performance.now();
    const read = await client.run(run.id).get({ waitForFinish: 10 });

    expect(read?.status).toBe('SUCCEEDED');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(200);
    expect(apify.requests.at(-1)?.query).toEqual({ waitForFinish: '10' });
  });

  it("serves call(), which also reads the actor and streams the run's log until the run ends", async () => {
    apify.finishAfterMs = 100;

    const run = await client.actor(gmcActor).call({ gmcNumber: '7654321' });

    expect(run.status).toBe('SUCCEEDED');
    const paths = apify.requests.map((request) => `${request.method} ${request.path} ${request.status}`);
    expect(paths).toContain(`GET /v2/actors/${run.actId} 200`);
    expect(paths).toContain(`GET /v2/actor-runs/${run.id}/log 200`);
  });

  it('sends the default payload and the rendered headers template', async () => {
    const run = await client.actor(gmcActor).start(
      { gmcNumber: '7654321' },
      {
        webhooks: [
          {
            eventTypes: [...succeeded],
            requestUrl: receiver.url,
            headersTemplate:
              '{"X-Webhook-Secret": "s3cret", "X-Apify-Webhook": "overwritten", "X-Run": {{resource.id}}}',
          },
        ],
      },
    );

    const [webhook] = await receiver.waitForCount(1);
    expect(webhook?.body).toEqual({
      userId: apify.userId,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      eventType: 'ACTOR.RUN.SUCCEEDED',
      eventData: { actorId: run.actId, actorRunId: run.id },
      resource: expect.objectContaining({ id: run.id, status: 'SUCCEEDED', defaultDatasetId: run.defaultDatasetId }),
    });
    expect(webhook?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-webhook-secret': 's3cret',
      'x-run': run.id,
      'x-apify-webhook-dispatch-id': expect.stringMatching(/^[a-zA-Z0-9]{17}$/),
    });
    expect(webhook?.headers['x-apify-webhook']).not.toBe('overwritten');
  });

  it('interpolates variables inside strings when the webhook asks for it', async () => {
    const run = await client.actor(gmcActor).start(
      { gmcNumber: '7654321' },
      {
        webhooks: [
          {
            eventTypes: [...succeeded],
            requestUrl: receiver.url,
            shouldInterpolateStrings: true,
            payloadTemplate: '{"text": "run {{resource.id}} {{eventType}}", "eventData": "{{eventData}}"}',
          },
        ],
      },
    );

    const [webhook] = await receiver.waitForCount(1);
    expect(webhook?.body).toEqual({
      text: `run ${run.id} ACTOR.RUN.SUCCEEDED`,
      eventData: { actorId: run.actId, actorRunId: run.id },
    });
  });

  it('ends runs with the programmed outcome and calls only the webhooks for that event', async () => {
    apify.setRunOutcome(gmcActor, 'TIMED_OUT');
    const webhooks = [
      { eventTypes: [...succeeded], requestUrl: `${receiver.url}/succeeded` },
      {
        eventTypes: ['ACTOR.RUN.FAILED' as const, 'ACTOR.RUN.TIMED_OUT' as const],
        requestUrl: `${receiver.url}/failed`,
      },
    ];

    const timedOut = await client.actor(gmcActor).call({ gmcNumber: '7654321' }, { webhooks, log: null });
    apify.setRunOutcome(gmcActor, 'FAILED');
    const failed = await client.actor(gmcActor).call({ gmcNumber: '7654321' }, { webhooks, log: null });
    await apify.webhooksSettled();

    expect(timedOut.status).toBe('TIMED-OUT');
    expect(failed.status).toBe('FAILED');
    expect(
      receiver.received.map((webhook) => [webhook.path, (webhook.body as { eventType: string }).eventType]),
    ).toEqual([
      ['/failed', 'ACTOR.RUN.TIMED_OUT'],
      ['/failed', 'ACTOR.RUN.FAILED'],
    ]);
  });

  it('retries a webhook the receiver refuses, with a growing back-off', async () => {
    receiver.answerWith(500, 503);
    const run = await client
      .actor(gmcActor)
      .start({ gmcNumber: '7654321' }, { webhooks: [{ eventTypes: [...succeeded], requestUrl: receiver.url }] });

    await receiver.waitForCount(3);
    await apify.webhooksSettled();

    expect(apify.deliveries.map(({ runId, attempt, status }) => ({ runId, attempt, status }))).toEqual([
      { runId: run.id, attempt: 1, status: 500 },
      { runId: run.id, attempt: 2, status: 503 },
      { runId: run.id, attempt: 3, status: 200 },
    ]);
    // webhookRetryDelayMs is 5 here: 5 ms before the first retry, 10 ms before the second.
    const [first = 0, second = 0, third = 0] = apify.deliveries.map((delivery) => delivery.at);
    expect(second - first).toBeGreaterThanOrEqual(5);
    expect(third - second).toBeGreaterThanOrEqual(10);
  });

  it('drops, duplicates or misdirects webhooks on request', async () => {
    const webhooks = [{ eventTypes: [...succeeded], requestUrl: receiver.url }];
    apify.webhookMode = 'drop';
    const dropped = await client.actor(gmcActor).call({ gmcNumber: '1111111' }, { webhooks, log: null });
    apify.webhookMode = 'duplicate';
    const duplicated = await client.actor(gmcActor).call({ gmcNumber: '2222222' }, { webhooks, log: null });
    await apify.webhooksSettled();

    const runIds = receiver.received.map((webhook) => (webhook.body as { resource: { id: string } }).resource.id);
    expect(runIds).toEqual([duplicated.id, duplicated.id]);

    const stale = await apify.deliverStaleWebhook(dropped.id, `${receiver.url}/late`);
    expect(stale).toMatchObject({ runId: dropped.id, status: 200, eventType: 'ACTOR.RUN.SUCCEEDED' });
    expect(receiver.received.at(-1)).toMatchObject({ path: '/late', body: { resource: { id: dropped.id } } });
  });

  it('attaches a webhook once per idempotency key', async () => {
    const webhooks = [{ eventTypes: [...succeeded], requestUrl: receiver.url, idempotencyKey: 'check-42' }];

    const first = await client.actor(gmcActor).call({ gmcNumber: '7654321' }, { webhooks, log: null });
    const second = await client.actor(gmcActor).call({ gmcNumber: '7654321' }, { webhooks, log: null });
    await apify.webhooksSettled();

    expect(apify.runs.map((run) => run.webhooks.length)).toEqual([1, 0]);
    expect(receiver.received.map((webhook) => (webhook.body as { resource: { id: string } }).resource.id)).toEqual([
      first.id,
    ]);
    expect(second.status).toBe('SUCCEEDED');
  });

  it('accepts the compressed body apify-client sends for an input of 1 KiB or more', async () => {
    const input = { gmcNumber: '7654321', notes: 'x'.repeat(4096) };

    const run = await client.actor(gmcActor).start(input);

    expect(apify.requests[0]?.contentEncoding).toMatch(/^(br|gzip)$/);
    expect(apify.runs.find((candidate) => candidate.id === run.id)?.input).toEqual(input);
  });

  it('pages dataset items with the pagination headers apify-client reads', async () => {
    apify.setItems(gmcActor, () => [1, 2, 3, 4, 5].map((n) => ({ n, secret: 'x' })));
    const run = await client.actor(gmcActor).call(undefined, { log: null });

    const page = await client.dataset(run.defaultDatasetId).listItems({ offset: 1, limit: 2, omit: ['secret'] });
    const reversed = await client.dataset(run.defaultDatasetId).listItems({ desc: true, fields: ['n'] });

    expect(page).toMatchObject({ items: [{ n: 2 }, { n: 3 }], total: 5, offset: 1, limit: 2, count: 2, desc: false });
    expect(reversed.items).toEqual([{ n: 5 }, { n: 4 }, { n: 3 }, { n: 2 }, { n: 1 }]);
    expect(reversed.desc).toBe(true);
  });

  it("answers a missing or wrong token with Apify's 401 error envelope", async () => {
    const wrongToken = new ApifyClient({ token: 'not-the-token', baseUrl: apify.baseUrl, maxRetries: 0 });
    const noToken = new ApifyClient({ baseUrl: apify.baseUrl, maxRetries: 0 });

    for (const unauthorised of [wrongToken, noToken]) {
      const error = await rejection(unauthorised.actor(gmcActor).start({ gmcNumber: '7654321' }));
      expect(error).toBeInstanceOf(ApifyApiError);
      expect(error).toMatchObject({ statusCode: 401, type: 'user-or-token-not-found' });
    }
    expect(apify.runs).toEqual([]);
  });

  it('answers unknown actors and runs as Apify does', async () => {
    const error = await rejection(client.actor('kyc-tools/nmc-register-scraper').start({}));

    expect(error).toMatchObject({ statusCode: 404, type: 'record-not-found' });
    expect(await client.run('NoSuchRun00000000').get()).toBeUndefined();
  });
});
