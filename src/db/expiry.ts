/** The expiry pass's queries: the due documents, page by page, and the reminders recorded for them. */
import type { Sql } from './pool.ts';

export interface DueDocument {
  idDocumentId: number;
  userId: number;
  email: string;
  /** YYYY-MM-DD */
  expiryDate: string;
  /** The most urgent threshold the document has crossed: 90, 30, 7, or 0 once it has expired. */
  thresholdDays: number;
  /** The PASS decision that verified the user; the reminder's notifications hang off it. */
  decisionId: number | null;
  /** Set when this pass has already recorded the reminder, in an attempt that may not have finished sending. */
  reminderId: number | null;
}

/**
 * One page of documents that are due, in (expiry_date, id) order after `afterIdDocumentId`: current documents of
 * VERIFIED users whose most urgent crossed threshold has no reminder yet, and no reminder more urgent either (a
 * document first seen at 20 days gets the 30-day reminder, and never the 90-day one after it). Documents this pass
 * has already recorded come back too, so that a retried batch finishes them.
 */
export async function selectDueDocuments(
  sql: Sql,
  page: {
    passId: string;
    asOf: string;
    thresholds: readonly number[];
    afterIdDocumentId: number | null;
    limit: number;
  },
): Promise<DueDocument[]> {
  const after = page.afterIdDocumentId === null ? null : await documentKey(sql, page.afterIdDocumentId);
  if (page.afterIdDocumentId !== null && after === null) return [];
  const horizon = Math.max(...page.thresholds);
  return await sql<DueDocument[]>`
    select d.id as "idDocumentId", d.user_id as "userId", u.email, to_char(d.expiry_date, 'YYYY-MM-DD') as "expiryDate",
           coalesce(mine.threshold_days, due.threshold) as "thresholdDays", verified.id as "decisionId",
           mine.id as "reminderId"
    from id_documents d
    join users u on u.id = d.user_id
    cross join lateral (
      select min(t) as threshold from unnest(${page.thresholds as number[]}::int[]) t
      where d.expiry_date - ${page.asOf}::date <= t
    ) due
    left join lateral (
      select id, threshold_days from expiry_reminders r
      where r.id_document_id = d.id and r.expiry_date = d.expiry_date and r.pass_id = ${page.passId}
      order by threshold_days limit 1
    ) mine on true
    left join lateral (
      select id from kyc_decisions k where k.user_id = d.user_id and k.decision = 'PASS'
      order by decided_at desc, id desc limit 1
    ) verified on true
    where d.status <> 'SUPERSEDED' and d.expiry_date is not null
      and d.expiry_date <= ${page.asOf}::date + ${horizon}::int
      ${after ? sql`and (d.expiry_date, d.id) > (${after.expiryDate}::date, ${after.id}::bigint)` : sql``}
      and (
        mine.id is not null
        or (u.status = 'VERIFIED' and not exists (
          select 1 from expiry_reminders r
          where r.id_document_id = d.id and r.expiry_date = d.expiry_date and r.threshold_days <= due.threshold))
      )
    order by d.expiry_date, d.id
    limit ${page.limit}`;
}

/** The keyset position of a document; null when it no longer has an expiry date to resume from. */
async function documentKey(sql: Sql, idDocumentId: number): Promise<{ id: number; expiryDate: string } | null> {
  const [row] = await sql<{ expiryDate: string | null }[]>`
    select to_char(expiry_date, 'YYYY-MM-DD') as "expiryDate" from id_documents where id = ${idDocumentId}`;
  return row?.expiryDate ? { id: idDocumentId, expiryDate: row.expiryDate } : null;
}

/**
 * Records reminders, and for threshold 0 marks the document and its user EXPIRED, in one transaction. Returns the new
 * reminders' ids by document; one that another pass recorded first is left to that pass.
 */
export async function recordReminders(
  sql: Sql,
  passId: string,
  reminders: Pick<DueDocument, 'idDocumentId' | 'userId' | 'expiryDate' | 'thresholdDays'>[],
): Promise<Map<number, number>> {
  if (reminders.length === 0) return new Map();
  return await sql.begin(async (tx) => {
    const recorded = await tx<{ id: number; idDocumentId: number; userId: number; thresholdDays: number }[]>`
      insert into expiry_reminders (id_document_id, expiry_date, threshold_days, user_id, pass_id)
      select id_document_id, expiry_date, threshold_days, user_id, ${passId}
      from unnest(${reminders.map((r) => r.idDocumentId)}::bigint[], ${reminders.map((r) => r.expiryDate)}::date[],
                  ${reminders.map((r) => r.thresholdDays)}::smallint[], ${reminders.map((r) => r.userId)}::bigint[])
           as due(id_document_id, expiry_date, threshold_days, user_id)
      on conflict do nothing
      returning id, id_document_id as "idDocumentId", user_id as "userId", threshold_days as "thresholdDays"`;
    const expired = recorded.filter((row) => row.thresholdDays === 0);
    if (expired.length > 0) {
      await tx`
        update id_documents set status = 'EXPIRED'
        where id = any(${expired.map((row) => row.idDocumentId)}::bigint[]) and status <> 'SUPERSEDED'`;
      await tx`
        update users set status = 'EXPIRED'
        where id = any(${expired.map((row) => row.userId)}::bigint[]) and status = 'VERIFIED'`;
    }
    return new Map(recorded.map((row) => [row.idDocumentId, row.id]));
  });
}

/** Current, scanned documents of VERIFIED users without an expiry date: how many, and the first few ids. */
export async function documentsWithoutExpiry(sql: Sql, sampleSize: number): Promise<{ count: number; ids: number[] }> {
  const [row] = await sql<{ count: number; ids: number[] }[]>`
    select count(*)::int as count, coalesce((array_agg(d.id order by d.id))[1:${sampleSize}], '{}') as ids
    from id_documents d join users u on u.id = d.user_id
    where d.expiry_date is null and d.status not in ('NEW', 'SUPERSEDED') and u.status = 'VERIFIED'`;
  return row ?? { count: 0, ids: [] };
}

/** One message of the notifications outbox, keyed so that it is sent once. */
export interface OutboxMessage {
  idempotencyKey: string;
  decisionId: number;
  channel: string;
}

/**
 * Records a page's messages in the outbox in one statement, each key once, and returns the keys not yet sent: new
 * ones, and any an earlier attempt recorded but did not mark sent. The expiry pass's batched `sendOnce`.
 */
export async function recordOutboxMessages(sql: Sql, messages: OutboxMessage[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const keys = messages.map((message) => message.idempotencyKey);
  // The select reads the snapshot from before the insert: rows inserted here are unsent by definition.
  const alreadySent = await sql<{ idempotencyKey: string }[]>`
    with recorded as (
      insert into notifications (idempotency_key, decision_id, channel)
      select * from unnest(${keys}::varchar[], ${messages.map((message) => message.decisionId)}::bigint[],
                           ${messages.map((message) => message.channel)}::varchar[])
      on conflict (idempotency_key) do nothing
    )
    select idempotency_key as "idempotencyKey" from notifications
    where idempotency_key = any(${keys}::varchar[]) and sent_at is not null`;
  const sent = new Set(alreadySent.map((row) => row.idempotencyKey));
  return new Set(keys.filter((key) => !sent.has(key)));
}

/** Marks messages sent, in one statement. */
export async function markOutboxSent(sql: Sql, idempotencyKeys: string[]): Promise<void> {
  if (idempotencyKeys.length === 0) return;
  await sql`
    update notifications set sent_at = now()
    where idempotency_key = any(${idempotencyKeys}::varchar[]) and sent_at is null`;
}
