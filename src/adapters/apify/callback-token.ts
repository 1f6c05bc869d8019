/**
 * The token an Apify webhook carries back (in a header set by the run's headersTemplate): `<issued>.<mac>`, an HMAC
 * of the user, the cycle and the time the token was issued (when the run was requested). The secret itself never
 * leaves this service, a token opens only its own cycle's callback, and its signed issue time bounds the webhook's
 * `createdAt`, so a captured token cannot be replayed with a fresh `createdAt` to outlive the age check.
 *
 * The run id cannot be signed: Apify creates the run, and its id, only after the headers template is fixed. The
 * receiver compares it with the run the cycle recorded instead, and the workflow reads the run from Apify itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (secret: string, userId: number, cycleId: string, issuedSeconds: number) =>
  createHmac('sha256', secret).update(`apify-callback:v2:${userId}:${cycleId}:${issuedSeconds}`).digest('base64url');

export function callbackToken(secret: string, userId: number, cycleId: string, issuedAt = new Date()): string {
  const issuedSeconds = Math.floor(issuedAt.getTime() / 1000);
  return `${issuedSeconds.toString(36)}.${mac(secret, userId, cycleId, issuedSeconds)}`;
}

/** The token's signed issue time when it is this user's and cycle's, else null. */
export function verifyCallbackToken(
  secret: string,
  userId: number,
  cycleId: string,
  token: string,
): { issuedAt: Date } | null {
  const match = /^([0-9a-z]{1,10})\.([\w-]{43})$/.exec(token);
  if (!match) return null;
  const issuedSeconds = Number.parseInt(match[1] as string, 36);
  const expected = Buffer.from(mac(secret, userId, cycleId, issuedSeconds));
  const actual = Buffer.from(match[2] as string);
  return expected.length === actual.length && timingSafeEqual(expected, actual)
    ? { issuedAt: new Date(issuedSeconds * 1000) }
    : null;
}

export const CALLBACK_TOKEN_HEADER = 'x-kyc-callback-token';
