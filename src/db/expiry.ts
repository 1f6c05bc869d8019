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
      ${
        // A document that lost its expiry date since the last page compares as null: nothing left to resume from.
        page.afterIdDocumentId === null
          ? sql``
          : sql`and (d.expiry_date, d.id) > (select expiry_date, id from id_documents where id = ${page.afterIdDocumentId})`
      }
      and (
        mine.id is not null
        or (u.status = 'VERIFIED' and not exists (
          select 1 from expiry_reminders r
          where r.id_document_id = d.id and r.expiry_date = d.expiry_date and r.threshold_days <= due.threshold))
      )
    order by d.expiry_date, d.id
    limit ${page.limit}`;
}

/** A due document as the page records it: whether its user's email is an address is the caller's rule. */
export type PageDocument = Omit<DueDocument, 'email'> & { canEmail: boolean };

/** One outbox message of a recorded page, and whether an earlier attempt already sent it. */
export interface PageMessage {
  idDocumentId: number;
  reminderId: number;
  idempotencyKey: string;
  channel: string;
  sent: boolean;
}

/**
 * Records a page in one statement, so one commit: the reminders not yet recorded (one that another pass recorded
 * first is left to that pass), EXPIRED on the document and its user at threshold 0, and an outbox row for each of the
 * reminder's messages (the user's email when `canEmail`, then every product channel; none without a PASS decision to
 * hang them off). Returns the page's reminders that are this pass's — new ones and any this pass recorded in an
 * earlier attempt — and their messages, with those an earlier attempt already sent marked so (the final SELECT reads
 * the snapshot from before the statement's own inserts).
 */
export async function recordPage(
  sql: Sql,
  passId: string,
  documents: PageDocument[],
  channels: readonly string[],
): Promise<{ reminders: Map<number, number>; messages: PageMessage[] }> {
  if (documents.length === 0) return { reminders: new Map(), messages: [] };
  const rows = await sql<
    { idDocumentId: number; reminderId: number; idempotencyKey: string | null; channel: string | null; sent: boolean }[]
  >`
    with page as (
      select * from unnest(
        ${documents.map((d) => d.idDocumentId)}::bigint[], ${documents.map((d) => d.userId)}::bigint[],
        ${documents.map((d) => d.expiryDate)}::date[], ${documents.map((d) => d.thresholdDays)}::smallint[],
        ${documents.map((d) => d.reminderId)}::bigint[], ${documents.map((d) => d.decisionId)}::bigint[]
      ) as p(id_document_id, user_id, expiry_date, threshold_days, reminder_id, decision_id)
    ),
    recorded as (
      insert into expiry_reminders (id_document_id, expiry_date, threshold_days, user_id, pass_id)
      select id_document_id, expiry_date, threshold_days, user_id, ${passId} from page where reminder_id is null
      on conflict do nothing
      returning id, id_document_id, user_id, threshold_days
    ),
    expired_documents as (
      update id_documents set status = 'EXPIRED'
      where id in (select id_document_id from recorded where threshold_days = 0) and status <> 'SUPERSEDED'
    ),
    expired_users as (
      update users set status = 'EXPIRED'
      where id in (select user_id from recorded where threshold_days = 0) and status = 'VERIFIED'
    ),
    ours as (
      select p.id_document_id, coalesce(p.reminder_id, r.id) as reminder_id, p.decision_id,
             p.id_document_id = any(${documents.filter((d) => d.canEmail).map((d) => d.idDocumentId)}::bigint[]) as can_email
      from page p left join recorded r on r.id_document_id = p.id_document_id
      where p.reminder_id is not null or r.id is not null
    ),
    messages as (
      select o.id_document_id, 'expiry-reminder-' || o.reminder_id || '/' || c.channel as idempotency_key,
             o.decision_id, c.channel
      from ours o
      cross join lateral unnest(
        case when o.can_email then array['user-email']::varchar[] else array[]::varchar[] end
        || ${channels as string[]}::varchar[]
      ) as c(channel)
      where o.decision_id is not null
    ),
    outbox as (
      insert into notifications (idempotency_key, decision_id, channel)
      select idempotency_key, decision_id, channel from messages
      on conflict (idempotency_key) do nothing
    )
    select o.id_document_id as "idDocumentId", o.reminder_id as "reminderId", m.idempotency_key as "idempotencyKey",
           m.channel, coalesce(n.sent_at is not null, false) as sent
    from ours o
    left join messages m on m.id_document_id = o.id_document_id
    left join notifications n on n.idempotency_key = m.idempotency_key`;
  const reminders = new Map(rows.map((row) => [row.idDocumentId, row.reminderId]));
  const messages = rows.flatMap(({ idempotencyKey, channel, ...row }) =>
    idempotencyKey && channel ? [{ ...row, idempotencyKey, channel }] : [],
  );
  return { reminders, messages };
}

/** Current, scanned documents of VERIFIED users without an expiry date: how many, and the first few ids. */
export async function documentsWithoutExpiry(sql: Sql, sampleSize: number): Promise<{ count: number; ids: number[] }> {
  const [row] = await sql<{ count: number; ids: number[] }[]>`
    select count(*)::int as count, coalesce((array_agg(d.id order by d.id))[1:${sampleSize}], '{}') as ids
    from id_documents d join users u on u.id = d.user_id
    where d.expiry_date is null and d.status not in ('NEW', 'SUPERSEDED') and u.status = 'VERIFIED'`;
  return row ?? { count: 0, ids: [] };
}

/** Marks messages sent, in one statement. */
export async function markOutboxSent(sql: Sql, idempotencyKeys: string[]): Promise<void> {
  if (idempotencyKeys.length === 0) return;
  await sql`
    update notifications set sent_at = now()
    where idempotency_key = any(${idempotencyKeys}::varchar[]) and sent_at is null`;
}
