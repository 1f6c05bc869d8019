/**
 * A local stand-in for the part of the Apify API v2 that apify-client 2.x uses to run a register scraper: start an
 * actor run with ad-hoc webhooks, read the run (long-polling with waitForFinish), list its dataset's items. Runs
 * finish on a timer and then call their webhooks the way Apify does, with knobs to drop, duplicate or misdirect them.
 * Point the real client at it with `new ApifyClient({ token, baseUrl: standIn.baseUrl })`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  defaultPayloadTemplate,
  InvalidWebhookTemplateError,
  renderWebhookTemplate,
} from './apify-webhook-template.ts';
import { type LocalServer, listenOnLoopback, readBody, writeResponse } from './http.ts';

export type RunOutcome = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
export type WebhookMode = 'deliver' | 'drop' | 'duplicate';

/** An ad-hoc webhook as apify-client sends it in the `webhooks` query parameter. */
export interface AdHocWebhook {
  eventTypes: string[];
  requestUrl: string;
  payloadTemplate?: string;
  headersTemplate?: string;
  idempotencyKey?: string;
  shouldInterpolateStrings?: boolean;
  doNotRetry?: boolean;
}

export interface RecordedRun {
  id: string;
  /** The actor as the client addressed it, `username~actor-name`. */
  actorId: string;
  /** The actor's own id, which Apify puts in `actId` and in webhooks' `eventData.actorId`. */
  actId: string;
  input: unknown;
  /** READY, RUNNING, then SUCCEEDED, FAILED, ABORTED or TIMED-OUT (Apify's spelling). */
  status: string;
  datasetId: string;
  keyValueStoreId: string;
  requestQueueId: string;
  /** The run's webhooks; one whose idempotency key an earlier run registered is not attached again. */
  webhooks: Array<AdHocWebhook & { id: string }>;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface WebhookDelivery {
  runId: string;
  url: string;
  eventType: string;
  /** The receiver's HTTP status, or null when no answer came (connection refused, timeout). */
  status: number | null;
  /** 1 for the first try, counting retries. */
  attempt: number;
  body: unknown;
  headers: Record<string, string>;
  at: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The request body's Content-Encoding; apify-client compresses bodies of 1 KiB or more. */
  contentEncoding?: string;
  status: number;
  at: number;
}

export interface ApifyStandInOptions {
  /** The only token accepted; without it any bearer token is. */
  token?: string;
  finishAfterMs?: number;
  /** Retries after a failed webhook delivery (Apify makes 11, a minute apart and doubling). */
  webhookRetries?: number;
  webhookRetryDelayMs?: number;
}

export interface ApifyStandIn {
  /** http://127.0.0.1:<port>; apify-client appends /v2 itself. */
  readonly baseUrl: string;
  /** The Apify user id in runs and webhook payloads. */
  readonly userId: string;
  /** Decides a run's dataset items from its input; also makes the actor known (unknown actors answer 404). */
  setItems(actorId: string, items: (input: unknown) => unknown[]): void;
  setRunOutcome(actorId: string, outcome: RunOutcome): void;
  /** How long a run stays READY/RUNNING before it finishes. */
  finishAfterMs: number;
  /** How long the answer to a start takes after the run began: its webhook can then arrive before the answer. */
  startAnswerDelayMs: number;
  webhookMode: WebhookMode;
  readonly runs: readonly RecordedRun[];
  readonly requests: readonly RecordedRequest[];
  readonly deliveries: readonly WebhookDelivery[];
  /** Sends the finished run `runId`'s webhook (its templates, its event) to `toUrl`, as a late or misrouted call. */
  deliverStaleWebhook(runId: string, toUrl: string): Promise<WebhookDelivery>;
  /** Resolves once every webhook dispatch begun so far has been delivered or has run out of retries. */
  webhooksSettled(): Promise<void>;
  close(): Promise<void>;
}

const outcomes: Record<RunOutcome, { status: string; eventType: string; exitCode?: number }> = {
  SUCCEEDED: { status: 'SUCCEEDED', eventType: 'ACTOR.RUN.SUCCEEDED', exitCode: 0 },
  FAILED: { status: 'FAILED', eventType: 'ACTOR.RUN.FAILED', exitCode: 1 },
  ABORTED: { status: 'ABORTED', eventType: 'ACTOR.RUN.ABORTED' },
  TIMED_OUT: { status: 'TIMED-OUT', eventType: 'ACTOR.RUN.TIMED_OUT' },
};
const runEventTypes = new Set([
  'ACTOR.RUN.CREATED',
  'ACTOR.RUN.SUCCEEDED',
  'ACTOR.RUN.FAILED',
  'ACTOR.RUN.ABORTED',
  'ACTOR.RUN.TIMED_OUT',
  'ACTOR.RUN.RESURRECTED',
]);

/** The outcome a finished run's status stands for; undefined while it is READY or RUNNING. */
function outcomeOf(status: string): (typeof outcomes)[RunOutcome] | undefined {
  return Object.values(outcomes).find((outcome) => outcome.status === status);
}

/** The longest the API holds a waitForFinish request. */
const maxWaitForFinishSecs = 60;
/** What the dataset API reports as the limit when the request sets none. */
const unlimited = 999_999_999_999;
const apifyIdAlphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An id in Apify's format: 17 alphanumeric characters. */
function apifyId(): string {
  return [...randomBytes(17)].map((byte) => apifyIdAlphabet[byte % apifyIdAlphabet.length]).join('');
}

/** apify-client turns `username/actor-name` into `username~actor-name`; accept either. */
function canonicalActorId(actorId: string): string {
  return decodeURIComponent(actorId).replace('/', '~');
}

interface Actor {
  actId: string;
  items: (input: unknown) => unknown[];
  outcome: RunOutcome;
}

class ApiError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

const notFound = (what: string) => new ApiError(404, 'record-not-found', `${what} was not found`);

type ApiAnswer = { status: number; json: unknown; headers?: Record<string, string> } | { status: number; text: string };

class ApifyApiStandIn implements ApifyStandIn {
  baseUrl = '';
  readonly userId = apifyId();
  finishAfterMs: number;
  startAnswerDelayMs = 0;
  webhookMode: WebhookMode = 'deliver';
  readonly runs: RecordedRun[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  readonly #token: string | undefined;
  readonly #webhookRetries: number;
  readonly #webhookRetryDelayMs: number;
  readonly #actors = new Map<string, Actor>();
  readonly #datasetItems = new Map<string, unknown[]>();
  readonly #webhookIdempotencyKeys = new Set<string>();
  readonly #finishWaiters = new Map<string, Set<() => void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #dispatches = new Set<Promise<unknown>>();
  readonly #closing = new AbortController();
  #server: LocalServer | undefined;

  constructor(options: ApifyStandInOptions) {
    this.#token = options.token;
    this.finishAfterMs = options.finishAfterMs ?? 0;
    this.#webhookRetries = options.webhookRetries ?? 3;
    this.#webhookRetryDelayMs = options.webhookRetryDelayMs ?? 25;
  }

  async listen(): Promise<void> {
    this.#server = await listenOnLoopback((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    this.baseUrl = this.#server.origin;
  }

  setItems(actorId: string, items: (input: unknown) => unknown[]): void {
    this.#registeredActor(actorId).items = items;
  }

  setRunOutcome(actorId: string, outcome: RunOutcome): void {
    this.#registeredActor(actorId).outcome = outcome;
  }

  #registeredActor(actorId: string): Actor {
    const name = canonicalActorId(actorId);
    const actor = this.#actors.get(name) ?? { actId: apifyId(), items: () => [], outcome: 'SUCCEEDED' };
    this.#actors.set(name, actor);
    return actor;
  }

  async deliverStaleWebhook(runId: string, toUrl: string): Promise<WebhookDelivery> {
    const run = this.#run(runId);
    const outcome = outcomeOf(run.status);
    if (!run.finishedAt || !outcome) throw new Error(`run ${runId} has not finished`);
    const webhook = run.webhooks[0] ?? { id: apifyId(), eventTypes: [], requestUrl: toUrl };
    return this.#deliver(run, { ...webhook, requestUrl: toUrl }, outcome.eventType, run.finishedAt);
  }

  async webhooksSettled(): Promise<void> {
    while (this.#dispatches.size > 0) await Promise.allSettled([...this.#dispatches]);
  }

  async close(): Promise<void> {
    this.#closing.abort();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.#server?.close();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(request.headers['content-encoding'] ? { contentEncoding: request.headers['content-encoding'] } : {}),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(recorded);
    let answer: ApiAnswer;
    try {
      answer = await this.#route(request, url);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer = { status: error.status, json: { error: { type: error.type, message: error.message } } };
    }
    recorded.status = answer.status;
    if ('text' in answer) {
      writeResponse(response, answer.status, answer.text, { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    writeResponse(response, answer.status, JSON.stringify(answer.json), {
      'Content-Type': 'application/json; charset=utf-8',
      ...answer.headers,
    });
  }

  async #route(request: IncomingMessage, url: URL): Promise<ApiAnswer> {
    this.#authenticate(request, url);
    const [version, collection, id, ...rest] = url.pathname.split('/').filter(Boolean);
    const subPath = rest.join('/');
    const method = request.method ?? 'GET';
    if (version === 'v2' && id !== undefined) {
      const actorCollection = collection === 'acts' || collection === 'actors';
      if (method === 'POST' && actorCollection && subPath === 'runs') {
        return this.#startRun(id, url, await readBody(request));
      }
      if (method === 'GET' && actorCollection && subPath === '') return this.#getActor(id);
      if (method === 'GET' && actorCollection && subPath === 'runs') return this.#listRuns(id, url);
      if (method === 'GET' && collection === 'key-value-stores' && subPath === 'records/INPUT') {
        return this.#getInputRecord(id);
      }
      if (method === 'GET' && collection === 'actor-runs' && subPath === '') return this.#getRun(id, url);
      if (method === 'GET' && collection === 'actor-runs' && subPath === 'log') return this.#getLog(id, url);
      if (method === 'GET' && collection === 'actor-runs' && subPath === 'dataset/items') {
        return this.#listItems(this.#run(id).datasetId, url);
      }
      if (method === 'GET' && collection === 'datasets' && subPath === 'items') return this.#listItems(id, url);
    }
    throw new ApiError(404, 'page-not-found', 'Page not found');
  }

  #authenticate(request: IncomingMessage, url: URL): void {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer ?? url.searchParams.get('token');
    if (!token || (this.#token !== undefined && token !== this.#token)) {
      throw new ApiError(401, 'user-or-token-not-found', 'User was not found or authentication token is not valid');
    }
  }

  #run(runId: string): RecordedRun {
    const run = this.runs.find((candidate) => candidate.id === runId);
    if (!run) throw notFound('Actor run');
    return run;
  }

  /** The actor addressed as `username~actor-name` or by its own id. */
  #findActor(addressedActorId: string): [name: string, actor: Actor] {
    const name = canonicalActorId(addressedActorId);
    const known = this.#actors.get(name);
    if (known) return [name, known];
    const byId = [...this.#actors].find(([, actor]) => actor.actId === name);
    if (!byId) throw notFound('Actor');
    return byId;
  }

  #getActor(addressedActorId: string): ApiAnswer {
    const [name, actor] = this.#findActor(addressedActorId);
    const [username, actorName] = name.split('~');
    return {
      status: 200,
      json: {
        data: {
          id: actor.actId,
          userId: this.userId,
          name: actorName,
          username,
          isPublic: false,
          defaultRunOptions: { build: 'latest', timeoutSecs: 3600, memoryMbytes: 1024 },
        },
      },
    };
  }

  async #startRun(addressedActorId: string, url: URL, body: Buffer): Promise<ApiAnswer> {
    const [actorId, actor] = this.#findActor(addressedActorId);
    const input = parseInput(body);
    const webhooks = parseWebhooks(url.searchParams.get('webhooks')).filter((webhook) => {
      if (webhook.idempotencyKey === undefined) return true;
      if (this.#webhookIdempotencyKeys.has(webhook.idempotencyKey)) return false;
      this.#webhookIdempotencyKeys.add(webhook.idempotencyKey);
      return true;
    });
    const run: RecordedRun = {
      id: apifyId(),
      actorId,
      actId: actor.actId,
      input,
      status: 'READY',
      datasetId: apifyId(),
      keyValueStoreId: apifyId(),
      requestQueueId: apifyId(),
      webhooks: webhooks.map((webhook) => ({ ...webhook, id: apifyId() })),
      startedAt: new Date(),
      finishedAt: null,
    };
    this.runs.push(run);
    this.#datasetItems.set(run.datasetId, []);
    this.#after(0, () => {
      if (run.status === 'READY') run.status = 'RUNNING';
    });
    this.#after(this.finishAfterMs, () => this.#finish(run, actor));
    this.#dispatchWebhooks(run, 'ACTOR.RUN.CREATED', run.startedAt);
    if (this.startAnswerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.startAnswerDelayMs));
    await this.#waitForFinish(run, waitForFinishSecs(url));
    return { status: 201, json: { data: runResource(run, this.userId) } };
  }

  #finish(run: RecordedRun, actor: Actor): void {
    const outcome = outcomes[actor.outcome];
    this.#datasetItems.set(run.datasetId, actor.items(run.input));
    run.status = outcome.status;
    run.finishedAt = new Date();
    for (const wake of this.#finishWaiters.get(run.id) ?? []) wake();
    this.#finishWaiters.delete(run.id);
    this.#dispatchWebhooks(run, outcome.eventType, run.finishedAt);
  }

  /** GET /v2/acts/:actorId/runs: the actor's runs, oldest first unless `desc`, paged by `offset` and `limit`. */
  #listRuns(addressedActorId: string, url: URL): ApiAnswer {
    const [actorId] = this.#findActor(addressedActorId);
    const desc = ['1', 'true'].includes(url.searchParams.get('desc') ?? '');
    const offset = Number(url.searchParams.get('offset') ?? 0) || 0;
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 1000) || 1000, 1000);
    const all = this.runs.filter((run) => run.actorId === actorId);
    const ordered = desc ? [...all].reverse() : all;
    const items = ordered.slice(offset, offset + limit).map((run) => {
      const { id, actId, status, startedAt, finishedAt, defaultDatasetId, defaultKeyValueStoreId } = runResource(
        run,
        this.userId,
      );
      return { id, actId, status, startedAt, finishedAt, defaultDatasetId, defaultKeyValueStoreId };
    });
    return { status: 200, json: { data: { total: all.length, offset, limit, count: items.length, desc, items } } };
  }

  /** GET /v2/key-value-stores/:storeId/records/INPUT: the input the run was started with, as Apify keeps it. */
  #getInputRecord(storeId: string): ApiAnswer {
    const run = this.runs.find((candidate) => candidate.keyValueStoreId === storeId);
    if (!run) throw notFound('Record');
    return { status: 200, json: run.input };
  }

  async #getRun(runId: string, url: URL): Promise<ApiAnswer> {
    const run = this.#run(runId);
    await this.#waitForFinish(run, waitForFinishSecs(url));
    return { status: 200, json: { data: runResource(run, this.userId) } };
  }

  /** The run's log; with `stream` the answer ends only when the run does, as Apify's streamed log does. */
  async #getLog(runId: string, url: URL): Promise<ApiAnswer> {
    const run = this.#run(runId);
    if (['1', 'true'].includes(url.searchParams.get('stream') ?? '')) {
      await this.#waitForFinish(run, Number.POSITIVE_INFINITY);
    }
    const lines = [`${run.startedAt.toISOString()} Stand-in run of ${run.actorId} started.`];
    if (run.finishedAt) lines.push(`${run.finishedAt.toISOString()} Stand-in run ended: ${run.status}.`);
    return { status: 200, text: `${lines.join('\n')}\n` };
  }

  /** Holds the request until the run finishes or `seconds` pass. */
  async #waitForFinish(run: RecordedRun, seconds: number): Promise<void> {
    if (seconds <= 0 || outcomeOf(run.status)) return;
    await new Promise<void>((resolve) => {
      const waiters = this.#finishWaiters.get(run.id) ?? new Set();
      this.#finishWaiters.set(run.id, waiters);
      const timer = Number.isFinite(seconds)
        ? this.#after(seconds * 1000, () => {
            waiters.delete(wake);
            resolve();
          })
        : undefined;
      const wake = () => {
        if (timer) {
          clearTimeout(timer);
          this.#timers.delete(timer);
        }
        resolve();
      };
      waiters.add(wake);
    });
  }

  #listItems(datasetId: string, url: URL): ApiAnswer {
    const items = this.#datasetItems.get(datasetId);
    if (!items) throw notFound('Dataset');
    const parameters = url.searchParams;
    const desc = ['1', 'true'].includes(parameters.get('desc') ?? '');
    const offset = Number(parameters.get('offset') ?? 0) || 0;
    const limit = Number(parameters.get('limit') ?? 0) || unlimited;
    const ordered = desc ? [...items].reverse() : items;
    const page = ordered.slice(offset, offset + limit).map((item) => selectFields(item, parameters));
    return {
      status: 200,
      json: page,
      headers: {
        'X-Apify-Pagination-Total': String(items.length),
        'X-Apify-Pagination-Offset': String(offset),
        'X-Apify-Pagination-Limit': String(limit),
        'X-Apify-Pagination-Count': String(page.length),
        'X-Apify-Pagination-Desc': String(desc),
      },
    };
  }

  #dispatchWebhooks(run: RecordedRun, eventType: string, eventAt: Date): void {
    const copies = { deliver: 1, drop: 0, duplicate: 2 }[this.webhookMode];
    for (const webhook of run.webhooks.filter((candidate) => candidate.eventTypes.includes(eventType))) {
      for (let copy = 0; copy < copies; copy++) {
        const dispatch = this.#deliver(run, webhook, eventType, eventAt).catch(() => undefined);
        this.#dispatches.add(dispatch);
        void dispatch.finally(() => this.#dispatches.delete(dispatch));
      }
    }
  }

  /** One dispatch: POSTs the rendered payload, retrying a non-2xx answer with a doubling back-off. */
  async #deliver(
    run: RecordedRun,
    webhook: AdHocWebhook & { id: string },
    eventType: string,
    eventAt: Date,
  ): Promise<WebhookDelivery> {
    const context = webhookContext(run, this.userId, eventType, eventAt);
    const interpolation = { interpolateStrings: webhook.shouldInterpolateStrings ?? false };
    const body = renderWebhookTemplate(webhook.payloadTemplate ?? defaultPayloadTemplate, context, interpolation);
    const customHeaders = webhook.headersTemplate
      ? (renderWebhookTemplate(webhook.headersTemplate, context, interpolation) as Record<string, unknown>)
      : {};
    const headers: Record<string, string> = {
      ...Object.fromEntries(Object.entries(customHeaders).map(([name, value]) => [name, String(value)])),
      // Apify overwrites these whatever the headers template says.
      'Content-Type': 'application/json',
      'X-Apify-Webhook': webhook.id,
      'X-Apify-Webhook-Dispatch-Id': apifyId(),
      'X-Apify-Request-Origin': 'WEBHOOK',
    };
    const retries = webhook.doNotRetry ? 0 : this.#webhookRetries;
    for (let attempt = 1; ; attempt++) {
      const status = await fetch(webhook.requestUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(30_000)]),
      }).then(
        async (answer) => {
          await answer.arrayBuffer();
          return answer.status;
        },
        () => null,
      );
      const delivery = {
        runId: run.id,
        url: webhook.requestUrl,
        eventType,
        status,
        attempt,
        body,
        headers,
        at: Date.now(),
      };
      this.deliveries.push(delivery);
      const delivered = status !== null && status >= 200 && status < 300;
      if (delivered || attempt > retries || this.#closing.signal.aborted) return delivery;
      await new Promise<void>((resolve) => this.#after(this.#webhookRetryDelayMs * 2 ** (attempt - 1), resolve));
    }
  }

  #after(ms: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }
}

/** The `waitForFinish` parameter, capped at the 60 seconds the API holds a request. */
function waitForFinishSecs(url: URL): number {
  return Math.min(Number(url.searchParams.get('waitForFinish') ?? 0) || 0, maxWaitForFinishSecs);
}

function parseInput(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid-input', 'Input is not valid JSON');
  }
}

/** Decodes and checks the `webhooks` parameter: base64 of a JSON array of ad-hoc webhooks. */
function parseWebhooks(parameter: string | null): AdHocWebhook[] {
  if (parameter === null) return [];
  let webhooks: unknown;
  try {
    webhooks = JSON.parse(Buffer.from(parameter, 'base64').toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid-parameter', 'Parameter "webhooks" is not a base64-encoded JSON array');
  }
  if (!Array.isArray(webhooks)) throw new ApiError(400, 'invalid-parameter', 'Parameter "webhooks" must be an array');
  return webhooks.map((webhook: AdHocWebhook) => {
    if (typeof webhook.requestUrl !== 'string' || !URL.canParse(webhook.requestUrl)) {
      throw new ApiError(400, 'invalid-parameter', 'Webhook requestUrl must be a valid URL');
    }
    if (!Array.isArray(webhook.eventTypes) || !webhook.eventTypes.every((type) => runEventTypes.has(type))) {
      throw new ApiError(
        400,
        'invalid-parameter',
        `Webhook eventTypes must be some of ${[...runEventTypes].join(', ')}`,
      );
    }
    for (const template of [webhook.payloadTemplate, webhook.headersTemplate]) {
      if (template === undefined) continue;
      try {
        renderWebhookTemplate(template, {}, { interpolateStrings: webhook.shouldInterpolateStrings ?? false });
      } catch (error) {
        if (!(error instanceof InvalidWebhookTemplateError)) throw error;
        throw new ApiError(400, 'invalid-parameter', error.message);
      }
    }
    return webhook;
  });
}

/** The run as GET /v2/actor-runs/:id returns it. */
function runResource(run: RecordedRun, userId: string): Record<string, unknown> {
  const durationMillis = (run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime();
  return {
    id: run.id,
    actId: run.actId,
    userId,
    actorTaskId: null,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    status: run.status,
    statusMessage: null,
    isStatusMessageTerminal: null,
    meta: { origin: 'API', userAgent: 'ApifyClient' },
    stats: {
      inputBodyLen: run.input === undefined ? 0 : Buffer.byteLength(JSON.stringify(run.input)),
      restartCount: 0,
      resurrectCount: 0,
      durationMillis,
      runTimeSecs: durationMillis / 1000,
      computeUnits: 0,
    },
    options: { build: 'latest', timeoutSecs: 3600, memoryMbytes: 1024, diskMbytes: 2048 },
    buildId: 'StandInBuild00001',
    buildNumber: '0.0.1',
    exitCode: outcomeOf(run.status)?.exitCode ?? null,
    generalAccess: 'FOLLOW_USER_SETTING',
    defaultKeyValueStoreId: run.keyValueStoreId,
    defaultDatasetId: run.datasetId,
    defaultRequestQueueId: run.requestQueueId,
    containerUrl: `https://${run.id.toLowerCase()}.runs.apify.net`,
    usageTotalUsd: 0,
  };
}

function webhookContext(run: RecordedRun, userId: string, eventType: string, eventAt: Date): Record<string, unknown> {
  return {
    userId,
    createdAt: eventAt.toISOString(),
    eventType,
    eventData: { actorId: run.actId, actorRunId: run.id },
    resource: runResource(run, userId),
    globals: { dateISO: eventAt.toISOString(), dateUnix: Math.floor(eventAt.getTime() / 1000) },
  };
}

/** The dataset API's `fields` and `omit` parameters, on top-level fields. */
function selectFields(item: unknown, parameters: URLSearchParams): unknown {
  if (item === null || typeof item !== 'object') return item;
  const fields = parameters.get('fields')?.split(',');
  const omit = new Set(parameters.get('omit')?.split(','));
  return Object.fromEntries(
    Object.entries(item).filter(([field]) => (fields === undefined || fields.includes(field)) && !omit.has(field)),
  );
}

export async function startApifyStandIn(options: ApifyStandInOptions = {}): Promise<ApifyStandIn> {
  const standIn = new ApifyApiStandIn(options);
  await standIn.listen();
  return standIn;
}
