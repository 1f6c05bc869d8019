/**
 * The product's side of the decision webhook, as a well-behaved receiver would be: it verifies the HMAC signature
 * and timestamp, de-duplicates by Idempotency-Key, and keeps what it accepted.
 */
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from '../../src/adapters/webhook/index.ts';
import { listenOnLoopback, readBody } from './http.ts';

export interface ProductWebhookReceiver {
  url: string;
  secret: string;
  /** Distinct deliveries, one per idempotency key. */
  accepted: Array<{ idempotencyKey: string; body: Record<string, unknown> }>;
  /** Every request, including resends and refused ones. */
  requests: Array<{ status: number; idempotencyKey: string | undefined }>;
  /** Answer the next `count` requests with HTTP `status`, to exercise retries. */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

export async function startProductWebhookReceiver(
  secret = 'product-webhook-secret-0123456789',
): Promise<ProductWebhookReceiver> {
  const accepted: ProductWebhookReceiver['accepted'] = [];
  const requests: ProductWebhookReceiver['requests'] = [];
  let failures = { count: 0, status: 503 };
  const server = await listenOnLoopback(async (request, response) => {
    const body = (await readBody(request)).toString('utf8');
    const idempotencyKey = request.headers[IDEMPOTENCY_HEADER] as string | undefined;
    const answer = (status: number) => {
      requests.push({ status, idempotencyKey });
      response.writeHead(status).end();
    };
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      return answer(failures.status);
    }
    const check = verifySignature(
      secret,
      {
        signature: request.headers[SIGNATURE_HEADER] as string | undefined,
        timestamp: request.headers[TIMESTAMP_HEADER] as string | undefined,
      },
      body,
      { toleranceSeconds: 300 },
    );
    if (!check.ok || !idempotencyKey) return answer(401);
    if (!accepted.some((delivery) => delivery.idempotencyKey === idempotencyKey)) {
      accepted.push({ idempotencyKey, body: JSON.parse(body) });
    }
    answer(204);
  });
  return {
    url: `${server.origin}/kyc-events`,
    secret,
    accepted,
    requests,
    failNext(count, status = 503) {
      failures = { count, status };
    },
    close: () => server.close(),
  };
}
