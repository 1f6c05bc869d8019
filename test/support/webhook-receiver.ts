/**
 * The product's side of the decision webhook: verifies the HMAC signature and timestamp, de-duplicates by
 * Idempotency-Key like a well-behaved receiver, and keeps what it accepted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/adapters/webhook/index.ts';

export interface WebhookReceiver {
  url: string;
  secret: string;
  /** Distinct deliveries, one per idempotency key. */
  accepted: Array<{ idempotencyKey: string; body: Record<string, unknown> }>;
  /** Every request, including resends and refused ones. */
  requests: Array<{ status: number; idempotencyKey: string | undefined }>;
  /** Answer the next `count` requests with HTTP `status` (to exercise retries). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret = 'product-webhook-secret-0123456789'): Promise<WebhookReceiver> {
  const accepted: WebhookReceiver['accepted'] = [];
  const requests: WebhookReceiver['requests'] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
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
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/kyc-events`,
    secret,
    accepted,
    requests,
    failNext(count, status = 503) {
      failures = { count, status };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
