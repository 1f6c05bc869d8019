/** A tiny HTTP endpoint that records the webhooks POSTed to it and answers with programmable statuses. */
import type { IncomingHttpHeaders } from 'node:http';
import { listenOnLoopback, readBody } from './http.ts';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The status it was answered with. */
  status: number;
}

export interface WebhookReceiver {
  /** The URL to register, e.g. `${receiver.url}/webhooks/apify?secret=…`. */
  readonly url: string;
  readonly received: readonly ReceivedWebhook[];
  /** The next calls are answered with these statuses, in order; after them, 200. */
  answerWith(...statuses: number[]): void;
  /** Resolves once `count` webhooks have arrived in all. */
  waitForCount(count: number): Promise<readonly ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const statuses: number[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = await listenOnLoopback(async (request, response) => {
    const body = (await readBody(request)).toString('utf8');
    const status = statuses.shift() ?? 200;
    received.push({
      path: request.url ?? '/',
      headers: request.headers,
      body: body ? JSON.parse(body) : undefined,
      status,
    });
    response.writeHead(status).end();
    for (const waiter of waiters.filter((candidate) => received.length >= candidate.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    url: server.origin,
    received,
    answerWith: (...next) => statuses.push(...next),
    waitForCount: async (count) => {
      if (received.length < count) await new Promise<void>((resolve) => waiters.push({ count, resolve }));
      return received;
    },
    close: () => server.close(),
  };
}
