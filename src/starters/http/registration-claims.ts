/**
 * A sign-up with a registration number another user already holds. Refusing it would let whoever signed up first —
 * perhaps someone squatting on a real worker's number — block the real worker without anyone knowing. So the sign-up
 * is accepted as a claim: both users are linked for CS, the new user is told their registration is under review, and
 * their verification ends in MANUAL_REVIEW with REGISTRATION_CLAIMED_TWICE (the decide activity applies the policy),
 * where CS sees both users' documents and decides who holds the number.
 */
import { linkAccounts } from '../../db/account-links.ts';
import type { Sql } from '../../db/pool.ts';

export const REGISTRATION_UNDER_REVIEW = {
  status: 'UNDER_REVIEW',
  message:
    'Another account already uses this registration number. Your registration is under review: once your documents are in, customer service will check both accounts.',
} as const;

export async function recordRegistrationClaim(
  sql: Sql,
  claimantId: number,
  holderIds: readonly number[],
): Promise<void> {
  await linkAccounts(
    sql,
    holderIds.map((holderId) => ({
      userId: claimantId,
      otherUserId: holderId,
      reason: 'REGISTRATION_CLAIMED_TWICE',
      cycleId: null,
      detail: {},
    })),
  );
}
