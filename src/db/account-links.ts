/**
 * account_links: pairs of users that look like one person behind two accounts (the same document or identity, the
 * same face) or two people claiming one registration. CS sees both users in the email and on the case.
 */
import type { Sql } from './pool.ts';

export type LinkReason = 'DUPLICATE_IDENTITY' | 'DUPLICATE_FACE' | 'REGISTRATION_CLAIMED_TWICE';

export interface AccountLink {
  /** The user whose check found the link. */
  userId: number;
  /** The user found. */
  otherUserId: number;
  reason: LinkReason;
  cycleId: string | null;
  /** What matched, without PII: `{ on: 'DOCUMENT' }`, `{ similarity: 0.98 }`. */
  detail: Record<string, string | number>;
}

/** Records links; one already recorded for the pair and reason is kept, pointing at the latest cycle. */
export async function linkAccounts(sql: Sql, links: readonly AccountLink[]): Promise<void> {
  if (links.length === 0) return;
  await sql`
    insert into account_links ${sql(
      links.map((link) => ({
        user_id: link.userId,
        other_user_id: link.otherUserId,
        reason: link.reason,
        cycle_id: link.cycleId,
        detail: sql.json(link.detail),
      })),
    )}
    on conflict (user_id, other_user_id, reason)
    do update set cycle_id = excluded.cycle_id, detail = excluded.detail`;
}

/** Every link a user is part of, found by them or by the other user. */
export async function linksOf(sql: Sql, userId: number): Promise<AccountLink[]> {
  return await sql<AccountLink[]>`
    select user_id as "userId", other_user_id as "otherUserId", reason, cycle_id as "cycleId", detail
    from account_links where user_id = ${userId} or other_user_id = ${userId}
    order by id`;
}
