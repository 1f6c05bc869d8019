/** Erasure, retention and subject access in PostgreSQL (README, Compliance). */
import { type Json, redactPersonalData } from '../domain/redaction.ts';
import type { Sql } from './pool.ts';

export interface HeldImage {
  table: 'id_documents' | 'selfies';
  id: number;
  key: string;
}

/** The user's images still held in the object store. */
export async function heldImages(sql: Sql, userId: number): Promise<HeldImage[]> {
  return await sql<HeldImage[]>`
    select 'id_documents' as table, id, s3_key_original as key from id_documents
    where user_id = ${userId} and image_deleted_at is null
    union all
    select 'selfies' as table, id, s3_key as key from selfies where user_id = ${userId} and image_deleted_at is null
    order by 1, 2`;
}

/**
 * Images whose user's current decision is final (PASS or FAIL, automatic or CS) and older than `retentionDays`, and
 * which that decision already rested on (uploaded before it): a newer upload waits for its own decision.
 */
export async function imagesPastRetention(sql: Sql, retentionDays: number, limit: number): Promise<HeldImage[]> {
  return await sql<HeldImage[]>`
    with current as (
      select distinct on (user_id) user_id, decision, decided_at from kyc_decisions
      order by user_id, decided_at desc, id desc
    ), final as (
      select user_id, decided_at from current
      where decision in ('PASS', 'FAIL') and decided_at < now() - make_interval(days => ${retentionDays})
    )
    select * from (
      select 'id_documents' as table, d.id, d.s3_key_original as key from id_documents d
      join final f on f.user_id = d.user_id where d.image_deleted_at is null and d.created_at <= f.decided_at
      union all
      select 'selfies' as table, s.id, s.s3_key as key from selfies s
      join final f on f.user_id = s.user_id where s.image_deleted_at is null and s.created_at <= f.decided_at
    ) due
    order by 1, 2
    limit ${limit}`;
}

export async function markImageDeleted(sql: Sql, image: HeldImage): Promise<void> {
  await sql`update ${sql(image.table)} set image_deleted_at = coalesce(image_deleted_at, now()) where id = ${image.id}`;
}

/**
 * Nulls the user's personal data and keeps the audit: decisions, reasons, timestamps, policy versions, scores,
 * register snapshot dates and standings, reviewers. In one transaction, and idempotent: a retry redacts what is
 * already redacted. Identity fingerprints (keyed hashes of the document number and of name and birth date) go
 * entirely: they exist only to find the same person again, which erasure must stop.
 */
export async function erasePersonalData(sql: Sql, userId: number): Promise<{ scans: number; registerChecks: number }> {
  return await sql.begin(async (tx) => {
    await tx`update users set email = null, status = 'ERASED', erased_at = coalesce(erased_at, now()) where id = ${userId}`;
    const scans = await tx<{ id: number; textract: Json }[]>`
      select s.id, s.textract_json as textract from doc_scans s join id_documents d on d.id = s.id_document_id
      where d.user_id = ${userId}`;
    for (const scan of scans) {
      await tx`
        update doc_scans set parsed_name = null, parsed_dob = null,
                             textract_json = ${tx.json(redactPersonalData(scan.textract) as never)}
        where id = ${scan.id}`;
    }
    const checks = await tx<{ id: number; raw: Json }[]>`
      select id, raw_response_json as raw from reg_checks where user_id = ${userId}`;
    for (const check of checks) {
      await tx`update reg_checks set raw_response_json = ${tx.json(redactPersonalData(check.raw) as never)} where id = ${check.id}`;
    }
    await tx`delete from identity_fingerprints where user_id = ${userId}`;
    return { scans: scans.length, registerChecks: checks.length };
  });
}

/** Whether the user was erased: the doors refuse them, and the writers of personal data write nothing for them. */
export async function isErased(sql: Sql, userId: number): Promise<boolean> {
  const [row] = await sql<
    { erased: boolean }[]
  >`select erased_at is not null as erased from users where id = ${userId}`;
  return row?.erased ?? false;
}

/** The tables that hold rows about a user, each with the column naming the user: the subject-access export's map. */
const USER_TABLES = [
  ['users', 'id'],
  ['id_documents', 'user_id'],
  ['selfies', 'user_id'],
  ['face_checks', 'user_id'],
  ['reg_checks', 'user_id'],
  ['register_runs', 'user_id'],
  ['register_run_intents', 'user_id'],
  ['kyc_decisions', 'user_id'],
  ['identity_fingerprints', 'user_id'],
  ['account_links', 'user_id'],
  ['liveness_sessions', 'user_id'],
  ['face_index_entries', 'user_id'],
  ['expiry_reminders', 'user_id'],
  ['register_renewal_reminders', 'user_id'],
  ['ops_alerts', 'user_id'],
  ['audit_events', 'user_id'],
] as const;

/**
 * Everything PostgreSQL holds about the user, table by table, as rows (doc scans and notifications reached through
 * the user's documents and decisions; links where the user is the other party too). Null when there is no user.
 */
export async function subjectAccessRows(sql: Sql, userId: number): Promise<Record<string, readonly unknown[]> | null> {
  const tables: Record<string, readonly unknown[]> = {};
  for (const [table, column] of USER_TABLES) {
    tables[table] = await sql`select * from ${sql(table)} where ${sql(column)} = ${userId} order by 1`;
  }
  if ((tables.users ?? []).length === 0) return null;
  tables.doc_scans = await sql`
    select s.* from doc_scans s join id_documents d on d.id = s.id_document_id where d.user_id = ${userId} order by s.id`;
  tables.notifications = await sql`
    select n.* from notifications n join kyc_decisions k on k.id = n.decision_id where k.user_id = ${userId} order by n.id`;
  tables.account_links_as_other_user =
    await sql`select * from account_links where other_user_id = ${userId} order by id`;
  return tables;
}
