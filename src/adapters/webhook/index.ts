/**
 * Signed webhooks to the product. Each request carries `X-Kyc-Timestamp` and `X-Kyc-Signature: v1=<hex>`, the
 * HMAC-SHA256 of `<timestamp>.<body>` under the shared secret, plus an `Idempotency-Key`. Receivers verify the
 * signature, refuse timestamps outside their tolerance, and drop keys they have seen.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isPermanentHttpStatus, PermanentAdapterError } from '../errors.ts';
import type { ProductChannel } from '../product-channel.ts';

export const SIGNATURE_HEADER = 'x-kyc-signature';
export const TIMESTAMP_HEADER = 'x-kyc-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export function signPayload(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'MISSING' | 'STALE' | 'MISMATCH' };

export function verifySignature(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  body: string,
  options: { toleranceSeconds: number; nowSeconds?: number },
): SignatureCheck {
  if (!headers.signature || !headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp)) {
    return { ok: false, reason: 'MISSING' };
  }
  const timestamp = Number(headers.timestamp);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > options.toleranceSeconds) return { ok: false, reason: 'STALE' };
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const actual = Buffer.from(headers.signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual)
    ? { ok: true }
    : { ok: false, reason: 'MISMATCH' };
}

export function createWebhookChannel(options: { url: string; secret: string; timeoutMs?: number }): ProductChannel {
  return {
    name: 'webhook',
    async publish(event, idempotencyKey) {
      const body = JSON.stringify(event);
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signPayload(options.secret, timestamp, body),
          [IDEMPOTENCY_HEADER]: idempotencyKey,
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      // A refusal (401, 404, 422 …) stays a refusal: the case goes to ops instead of retrying. Anything else is
      // retried by the activity, and the receiver de-duplicates by Idempotency-Key.
      if (isPermanentHttpStatus(response.status)) {
        throw new PermanentAdapterError('REFUSED', `product webhook refused the event: HTTP ${response.status}`);
      }
      if (!response.ok) throw new Error(`product webhook answered HTTP ${response.status}`);
    },
  };
}
