/**
 * The token an Apify webhook carries back (in a header set by the run's headersTemplate): an HMAC of the user and
 * cycle it is for. The secret itself never leaves this service, and a token opens only its own cycle's callback.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function callbackToken(secret: string, userId: number, cycleId: string): string {
  return createHmac('sha256', secret).update(`apify-callback:${userId}:${cycleId}`).digest('base64url');
}

export function isValidCallbackToken(secret: string, userId: number, cycleId: string, token: string): boolean {
  const expected = Buffer.from(callbackToken(secret, userId, cycleId));
  const actual = Buffer.from(token);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export const CALLBACK_TOKEN_HEADER = 'x-kyc-callback-token';
