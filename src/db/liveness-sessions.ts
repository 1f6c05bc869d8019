/**
 * liveness_sessions: the Face Liveness sessions this service created, each bound to one user and usable by one
 * selfie, within Rekognition's validity window. Rekognition itself "does not distinguish between end users", so the
 * binding is ours: the intake API refuses a session that is not the uploader's to use, and check-face refuses it again
 * for uploads that reached the workflow another way.
 */
import type { LivenessSessionRefusal } from '../domain/outcomes.ts';
import type { Sql } from './pool.ts';

/** Rekognition's Face Liveness sessions are valid for 3 minutes after creation. */
export const LIVENESS_SESSION_VALIDITY_SECONDS = 180;

export async function recordLivenessSession(sql: Sql, row: { sessionId: string; userId: number }): Promise<void> {
  await sql`
    insert into liveness_sessions (session_id, user_id) values (${row.sessionId}, ${row.userId})
    on conflict (session_id) do nothing`;
}

interface SessionUse {
  sessionId: string;
  userId: number;
  /** The selfie presenting the session; its own retries and later cycles reusing it may present it again. */
  selfieId: number;
  /**
   * When the selfie arrived, which must be within the validity window of the session's creation: now (at the door),
   * or when its row was written (`selfie-upload`, in the workflow).
   */
  presentedAt: 'now' | 'selfie-upload';
}

/**
 * Marks the session used by this selfie, or says why it cannot be: another user's, already used by another selfie,
 * presented after the validity window, or not created by this service. Atomic, so two uploads racing for one session
 * cannot both have it.
 */
export async function useLivenessSession(sql: Sql, use: SessionUse): Promise<LivenessSessionRefusal | null> {
  const presentedAt = presentedAtSql(sql, use);
  const claimed = await sql`
    update liveness_sessions set used_by_selfie_id = ${use.selfieId}, used_at = coalesce(used_at, now())
    where session_id = ${use.sessionId} and user_id = ${use.userId}
      and (used_by_selfie_id = ${use.selfieId}
           or (used_by_selfie_id is null
               and ${presentedAt} <= created_at + make_interval(secs => ${LIVENESS_SESSION_VALIDITY_SECONDS})))
    returning session_id`;
  if (claimed.length > 0) return null;
  // Another selfie may have taken it between the two statements.
  return (await whyUnusable(sql, use)) ?? 'ALREADY_USED';
}

/** Why `use` cannot be accepted, without claiming anything; null when it could be. */
async function whyUnusable(sql: Sql, use: SessionUse): Promise<LivenessSessionRefusal | null> {
  return await refusalOf(sql, use, sql`${use.selfieId}::bigint`);
}

/**
 * Before an upload stores anything: why the session could not go with the selfie stored under `selfieKey` (a retry
 * of an upload that already used it may use it again), or null.
 */
export async function whyUnusableForUpload(
  sql: Sql,
  use: { sessionId: string; userId: number; selfieKey: string },
): Promise<LivenessSessionRefusal | null> {
  return await refusalOf(
    sql,
    { ...use, presentedAt: 'now' },
    sql`(select id from selfies where user_id = ${use.userId} and s3_key = ${use.selfieKey})`,
  );
}

async function refusalOf(
  sql: Sql,
  use: Omit<SessionUse, 'selfieId'> & { selfieId?: number },
  selfieId: ReturnType<Sql>,
): Promise<LivenessSessionRefusal | null> {
  const [session] = await sql<{ userId: number; usedByOther: boolean; unused: boolean; expired: boolean }[]>`
    select user_id as "userId", used_by_selfie_id is null as unused,
           coalesce(used_by_selfie_id <> ${selfieId}, used_by_selfie_id is not null) as "usedByOther",
           ${presentedAtSql(sql, use)} > created_at + make_interval(secs => ${LIVENESS_SESSION_VALIDITY_SECONDS}) as expired
    from liveness_sessions where session_id = ${use.sessionId}`;
  if (!session) return 'UNKNOWN';
  if (session.userId !== use.userId) return 'OTHER_USER';
  if (session.usedByOther) return 'ALREADY_USED';
  if (session.unused && session.expired) return 'EXPIRED';
  return null;
}

function presentedAtSql(sql: Sql, use: Pick<SessionUse, 'presentedAt'> & { selfieId?: number }) {
  if (use.presentedAt === 'now' || use.selfieId === undefined) return sql`now()`;
  return sql`(select created_at from selfies where id = ${use.selfieId})`;
}
