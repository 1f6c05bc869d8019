/** Request parsing shared by the routes: bodies through zod, path ids and Idempotency-Key headers, as 400s. */
import type { z } from 'zod';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from '../idempotency-key.ts';
import { HttpError } from './errors.ts';

export function idempotencyKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new HttpError(400, 'BAD_IDEMPOTENCY_KEY', `Idempotency-Key must be ${IDEMPOTENCY_KEY_RULE}`);
  }
  return value;
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, 'INVALID_BODY', `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
}

export function userIdParam(params: unknown): number {
  const raw = (params as { id?: string; userId?: string }).id ?? (params as { userId?: string }).userId ?? '';
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new HttpError(400, 'BAD_USER_ID', 'the user id must be a positive integer');
  return Number(raw);
}
