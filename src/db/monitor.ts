/** Register monitoring's queries: the monitored users page by page, the day's evidence, sources, files, reminders. */
import type { RegisterChange } from '../domain/register-change.ts';
import type { RegisterRecord, RegisterSourceHealth, RegisterSourceKind, RegType } from '../domain/registers.ts';
import type { Sql } from './pool.ts';

/** Users the monitor re-checks: verified, or waiting for a review. */
const MONITORED = ['VERIFIED', 'MANUAL_REVIEW'];

export interface MonitoredUser {
  userId: number;
  regNo: string;
  /** The record behind the user's current decision; null when that decision had none. */
  baseline: RegisterRecord | null;
}

export async function countMonitoredUsers(sql: Sql, regType: RegType): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from users where reg_type = ${regType} and status = any(${MONITORED})`;
  return row?.count ?? 0;
}

/**
 * One page of monitored users after `afterUserId`, each with the record behind their current decision: the
 * monitor's record a re-decision rested on, else the register check of the decision's cycle.
 */
export async function selectMonitoredUsers(
  sql: Sql,
  page: { regType: RegType; afterUserId: number; limit: number },
): Promise<MonitoredUser[]> {
  return await sql<MonitoredUser[]>`
    select u.id as "userId", u.reg_no as "regNo", base.record as baseline
    from users u
    left join lateral (
      select cycle_id from kyc_decisions k where k.user_id = u.id order by decided_at desc, id desc limit 1
    ) current on true
    left join lateral (
      select r.raw_response_json -> 'record' as record from reg_checks r
      where r.id = coalesce(
        (select k.reg_check_id from kyc_decisions k
         where k.cycle_id = current.cycle_id and k.reg_check_id is not null limit 1),
        (select c.id from reg_checks c where c.cycle_id = current.cycle_id))
    ) base on true
    where u.reg_type = ${page.regType} and u.status = any(${MONITORED}) and u.id > ${page.afterUserId}
    order by u.id
    limit ${page.limit}`;
}

export interface MonitorEvidence {
  userId: number;
  record: RegisterRecord;
  changes: RegisterChange[];
  /** What the record was read from: an actor run, or a file by its hash. */
  source: Record<string, string>;
  items: unknown[];
}

/**
 * Stores each user's fresh record under the day's snapshot date in one statement; a retried batch or a second pass
 * of the day updates the same row. Returns the rows' ids by user.
 */
export async function recordMonitorChecks(
  sql: Sql,
  passId: string,
  snapshotDate: string,
  rows: MonitorEvidence[],
): Promise<Map<number, number>> {
  if (rows.length === 0) return new Map();
  // Every column as text: postgres.js sends arrays of text and numbers, not of booleans or JSON.
  const text = (values: unknown[]) =>
    values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  const recorded = await sql<{ id: number; userId: number }[]>`
    insert into reg_checks (user_id, snapshot_date, matched_name, matched_status, raw_response_json, standing,
                            monitor_pass_id, register_changes)
    select user_id, ${snapshotDate}::date, matched_name::boolean, matched_status::boolean, raw::jsonb, standing,
           ${passId}::uuid, coalesce((select array_agg(c) from jsonb_array_elements_text(changes::jsonb) c), '{}')
    from unnest(${rows.map((row) => row.userId)}::bigint[],
                ${text(rows.map((row) => !row.changes.includes('NAME_CHANGED') && row.record.fullName !== null))}::text[],
                ${text(rows.map((row) => row.record.standing === 'REGISTERED'))}::text[],
                ${text(rows.map((row) => ({ source: row.source, items: row.items, record: row.record })))}::text[],
                ${rows.map((row) => row.record.standing)}::text[],
                ${text(rows.map((row) => row.changes))}::text[])
         as fresh(user_id, matched_name, matched_status, raw, standing, changes)
    on conflict (user_id, snapshot_date) where cycle_id is null do update
      set raw_response_json = excluded.raw_response_json, standing = excluded.standing,
          matched_name = excluded.matched_name, matched_status = excluded.matched_status,
          monitor_pass_id = excluded.monitor_pass_id, register_changes = excluded.register_changes,
          checked_at = now()
    returning id, user_id as "userId"`;
  return new Map(recorded.map((row) => [Number(row.userId), Number(row.id)]));
}

/** Records what the pass found of a register's source; returns when it last answered a whole pass. */
export async function recordSourceHealth(
  sql: Sql,
  source: {
    regType: RegType;
    kind: RegisterSourceKind;
    reference: string | null;
    health: RegisterSourceHealth;
    error: string | null;
  },
): Promise<Date | null> {
  const [row] = await sql<{ lastOkAt: Date | null }[]>`
    insert into register_sources (reg_type, kind, reference, health, last_error, last_ok_at, checked_at)
    values (${source.regType}, ${source.kind}, ${source.reference}, ${source.health}, ${source.error},
            ${source.health === 'OK' ? sql`now()` : null}, now())
    on conflict (reg_type) do update
      set kind = excluded.kind, reference = excluded.reference, health = excluded.health,
          last_error = excluded.last_error, checked_at = excluded.checked_at,
          last_ok_at = coalesce(excluded.last_ok_at, register_sources.last_ok_at)
    returning last_ok_at as "lastOkAt"`;
  return row?.lastOkAt ?? null;
}

/** Monitored users of a register whose latest stored check (monitor or cycle) is older than 48 hours. */
export async function countNotRecheckedIn48h(sql: Sql, regType: RegType): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from users u
    where u.reg_type = ${regType} and u.status = any(${MONITORED})
      and not exists (select 1 from reg_checks r
                      where r.user_id = u.id and r.checked_at > now() - interval '48 hours')`;
  return row?.count ?? 0;
}

export interface FileRead {
  sha256: string;
  keptPath: string;
  entries: number;
  diff: { added: number; removed: number; changed: number };
}

export async function findFileRead(sql: Sql, passId: string, regType: RegType): Promise<FileRead | null> {
  const [row] = await sql<(Omit<FileRead, 'diff'> & FileRead['diff'])[]>`
    select sha256, kept_path as "keptPath", entries, added, removed, changed
    from register_file_reads where pass_id = ${passId} and reg_type = ${regType}`;
  return row ? fileReadOf(row) : null;
}

/** The file an earlier pass read, which this pass diffs against. */
export async function previousFileRead(sql: Sql, passId: string, regType: RegType): Promise<FileRead | null> {
  const [row] = await sql<(Omit<FileRead, 'diff'> & FileRead['diff'])[]>`
    select sha256, kept_path as "keptPath", entries, added, removed, changed
    from register_file_reads where reg_type = ${regType} and pass_id <> ${passId}
    order by read_at desc limit 1`;
  return row ? fileReadOf(row) : null;
}

function fileReadOf(row: Omit<FileRead, 'diff'> & FileRead['diff']): FileRead {
  return {
    sha256: row.sha256,
    keptPath: row.keptPath,
    entries: row.entries,
    diff: { added: row.added, removed: row.removed, changed: row.changed },
  };
}

/** Records the pass's read of a register file; a retry finds the first one, which stands. */
export async function recordFileRead(
  sql: Sql,
  read: FileRead & { passId: string; regType: RegType; snapshotDate: string },
): Promise<FileRead> {
  await sql`
    insert into register_file_reads (pass_id, reg_type, snapshot_date, sha256, kept_path, entries, added, removed,
                                     changed)
    values (${read.passId}, ${read.regType}, ${read.snapshotDate}, ${read.sha256}, ${read.keptPath}, ${read.entries},
            ${read.diff.added}, ${read.diff.removed}, ${read.diff.changed})
    on conflict (pass_id, reg_type) do nothing`;
  return (await findFileRead(sql, read.passId, read.regType)) as FileRead;
}

export interface RenewalDue {
  userId: number;
  regCheckId: number;
  renewalDate: string;
  thresholdDays: number;
}

/**
 * Records renewal reminders not given before (nor a more urgent one for the same date); returns those recorded now
 * with the user's email and latest decision, which the messages hang off.
 */
export async function recordRenewalReminders(
  sql: Sql,
  passId: string,
  due: RenewalDue[],
): Promise<Array<RenewalDue & { reminderId: number; email: string; decisionId: number | null }>> {
  if (due.length === 0) return [];
  return await sql<Array<RenewalDue & { reminderId: number; email: string; decisionId: number | null }>>`
    with fresh as (
      select * from unnest(${due.map((d) => d.userId)}::bigint[], ${due.map((d) => d.regCheckId)}::bigint[],
                           ${due.map((d) => d.renewalDate)}::date[], ${due.map((d) => d.thresholdDays)}::smallint[])
        as f(user_id, reg_check_id, renewal_date, threshold_days)
      where not exists (select 1 from register_renewal_reminders r
                        where r.user_id = f.user_id and r.renewal_date = f.renewal_date
                          and r.threshold_days <= f.threshold_days)
    ), recorded as (
      insert into register_renewal_reminders (user_id, renewal_date, threshold_days, reg_check_id, pass_id)
      select user_id, renewal_date, threshold_days, reg_check_id, ${passId} from fresh
      on conflict do nothing
      returning id, user_id, reg_check_id, renewal_date, threshold_days
    )
    select r.id as "reminderId", r.user_id as "userId", r.reg_check_id as "regCheckId",
           to_char(r.renewal_date, 'YYYY-MM-DD') as "renewalDate", r.threshold_days as "thresholdDays", u.email,
           (select k.id from kyc_decisions k where k.user_id = r.user_id order by decided_at desc, id desc limit 1)
             as "decisionId"
    from recorded r join users u on u.id = r.user_id`;
}

// ─── The daily digest ──────────────────────────────────────────────────────────────────────────────────────────

/** Claims the day's digest for this pass; false when it was already sent. */
export async function claimDigest(sql: Sql, digestDate: string, passId: string): Promise<boolean> {
  const [row] = await sql<{ sentAt: Date | null }[]>`
    insert into monitor_digests (digest_date, pass_id) values (${digestDate}, ${passId})
    on conflict (digest_date) do update set pass_id = monitor_digests.pass_id
    returning sent_at as "sentAt"`;
  return !row?.sentAt;
}

export async function markDigestSent(sql: Sql, digestDate: string): Promise<void> {
  await sql`update monitor_digests set sent_at = now() where digest_date = ${digestDate}`;
}

export interface DigestLine {
  userId: number;
  regType: RegType;
  /** YYYY-MM-DD */
  date: string;
  detail: string;
}

const DIGEST_LIMIT = 500;

/** The digest's three lists, each capped, ordered by date: IDs and registrations expiring, registrations changed. */
export async function digestContents(
  sql: Sql,
  asOf: string,
  withinDays: number,
): Promise<{ idsExpiring: DigestLine[]; registrationsExpiring: DigestLine[]; changed: DigestLine[] }> {
  const idsExpiring = await sql<DigestLine[]>`
    select u.id as "userId", u.reg_type as "regType", to_char(d.expiry_date, 'YYYY-MM-DD') as date,
           d.doc_type as detail
    from id_documents d join users u on u.id = d.user_id
    where d.status <> 'SUPERSEDED' and u.status = any(${MONITORED})
      and d.expiry_date between ${asOf}::date and ${asOf}::date + ${withinDays}::int
    order by d.expiry_date, u.id limit ${DIGEST_LIMIT}`;
  const registrationsExpiring = await sql<DigestLine[]>`
    select u.id as "userId", u.reg_type as "regType", latest.renewal as date, 'renewal' as detail
    from users u
    cross join lateral (
      select r.raw_response_json -> 'record' ->> 'renewalDate' as renewal from reg_checks r
      where r.user_id = u.id order by r.checked_at desc, r.id desc limit 1
    ) latest
    where u.status = any(${MONITORED}) and latest.renewal is not null
      and latest.renewal::date between ${asOf}::date and ${asOf}::date + ${withinDays}::int
    order by latest.renewal, u.id limit ${DIGEST_LIMIT}`;
  const changed = await sql<DigestLine[]>`
    select u.id as "userId", u.reg_type as "regType", to_char(r.snapshot_date, 'YYYY-MM-DD') as date,
           array_to_string(r.register_changes, ', ') as detail
    from reg_checks r join users u on u.id = r.user_id
    where r.cycle_id is null and r.snapshot_date = ${asOf}::date and cardinality(r.register_changes) > 0
    order by u.id limit ${DIGEST_LIMIT}`;
  return { idsExpiring, registrationsExpiring, changed };
}

/** The actor run recorded for a batch; a retried batch reads it instead of starting another. */
export async function findBatchRun(
  sql: Sql,
  batch: { passId: string; regType: RegType; afterUserId: number },
): Promise<string | null> {
  const [row] = await sql<{ runId: string }[]>`
    select run_id as "runId" from monitor_batch_runs
    where pass_id = ${batch.passId} and reg_type = ${batch.regType} and after_user_id = ${batch.afterUserId}`;
  return row?.runId ?? null;
}

/** Records (or, after a failed run, replaces) the batch's run. */
export async function recordBatchRun(
  sql: Sql,
  batch: { passId: string; regType: RegType; afterUserId: number; runId: string },
): Promise<void> {
  await sql`
    insert into monitor_batch_runs (pass_id, reg_type, after_user_id, run_id)
    values (${batch.passId}, ${batch.regType}, ${batch.afterUserId}, ${batch.runId})
    on conflict (pass_id, reg_type, after_user_id) do update set run_id = excluded.run_id, started_at = now()`;
}
