/**
 * What the CS review console reads: the queue of pending reviews (filtered, counted, paged on the server), the
 * evidence of one case across its cycles, and the review_claims mirror of who holds each review.
 */
import type { RegType } from '../domain/registers.ts';
import type { Sql } from './pool.ts';

export interface QueueFilter {
  register?: RegType | undefined;
  reason?: string | undefined;
  /** Waiting at least this many hours. */
  minAgeHours?: number | undefined;
  slaBreached?: boolean | undefined;
  /** A reviewer's subject, or `unassigned`. */
  assignee?: string | undefined;
}

export interface QueueRow {
  userId: number;
  regType: RegType;
  decisionId: number;
  reasons: string[];
  /** When the automatic decision sent the case to review. */
  waitingSince: Date;
  assignee: string | null;
}

export interface QueueCounts {
  total: number;
  slaBreached: number;
  registers: Record<string, number>;
  reasons: Record<string, number>;
  /** By reviewer; unclaimed cases under `unassigned`. */
  assignees: Record<string, number>;
}

/** Pending reviews: users in MANUAL_REVIEW, each with its latest automatic decision and its claim. */
function pendingReviews(sql: Sql) {
  return sql`
    select u.id as user_id, u.reg_type, d.id as decision_id, d.reasons, d.decided_at as waiting_since,
           c.reviewer as assignee
    from users u
    join lateral (
      select id, reasons, decided_at from kyc_decisions
      where user_id = u.id and source = 'AUTOMATIC' order by decided_at desc, id desc limit 1
    ) d on true
    left join review_claims c on c.user_id = u.id
    where u.status = 'MANUAL_REVIEW'`;
}

function conditions(sql: Sql, filter: QueueFilter, slaMs: number) {
  const parts = [sql`true`];
  if (filter.register) parts.push(sql`reg_type = ${filter.register}`);
  if (filter.reason) parts.push(sql`${filter.reason} = any(reasons)`);
  if (filter.minAgeHours !== undefined) {
    parts.push(sql`waiting_since <= now() - make_interval(hours => ${filter.minAgeHours})`);
  }
  if (filter.slaBreached) parts.push(sql`waiting_since <= now() - make_interval(secs => ${slaMs / 1000})`);
  if (filter.assignee === 'unassigned') parts.push(sql`assignee is null`);
  else if (filter.assignee) parts.push(sql`assignee = ${filter.assignee}`);
  return parts.reduce((all, part) => sql`${all} and ${part}`);
}

/** One page of the queue, oldest first, and how many match the filter. */
export async function queuePage(
  sql: Sql,
  filter: QueueFilter,
  page: { limit: number; offset: number; slaMs: number },
): Promise<{ rows: QueueRow[]; matching: number }> {
  const rows = await sql<(QueueRow & { matching: number })[]>`
    with pending as (${pendingReviews(sql)})
    select user_id as "userId", reg_type as "regType", decision_id as "decisionId", reasons,
           waiting_since as "waitingSince", assignee, count(*) over ()::int as matching
    from pending
    where ${conditions(sql, filter, page.slaMs)}
    order by waiting_since, user_id
    limit ${page.limit} offset ${page.offset}`;
  if (rows.length === 0 && page.offset > 0) {
    const [counted] = await sql<{ matching: number }[]>`
      with pending as (${pendingReviews(sql)})
      select count(*)::int as matching from pending where ${conditions(sql, filter, page.slaMs)}`;
    return { rows: [], matching: counted?.matching ?? 0 };
  }
  return { rows: rows.map(({ matching: _, ...row }) => row), matching: rows[0]?.matching ?? 0 };
}

/** How many pending reviews each filter value holds, over the whole queue. */
export async function queueCounts(sql: Sql, slaMs: number): Promise<QueueCounts> {
  const [counts] = await sql<QueueCounts[]>`
    with pending as materialized (${pendingReviews(sql)})
    select
      (select count(*)::int from pending) as total,
      (select count(*)::int from pending where waiting_since <= now() - make_interval(secs => ${slaMs / 1000}))
        as "slaBreached",
      (select coalesce(json_object_agg(reg_type, n), '{}') from
        (select reg_type, count(*)::int as n from pending group by 1) r) as registers,
      (select coalesce(json_object_agg(reason, n), '{}') from
        (select unnest(reasons) as reason, count(*)::int as n from pending group by 1) r) as reasons,
      (select coalesce(json_object_agg(coalesce(assignee, 'unassigned'), n), '{}') from
        (select assignee, count(*)::int as n from pending group by 1) a) as assignees`;
  return counts as QueueCounts;
}

export async function recordReviewClaim(sql: Sql, userId: number, reviewer: string): Promise<void> {
  await sql`
    insert into review_claims (user_id, reviewer) values (${userId}, ${reviewer})
    on conflict (user_id) do update set reviewer = excluded.reviewer, claimed_at = now()`;
}

/** A review that asked for new documents: the user waits for them (PENDING), and the claim is freed. */
export async function awaitNewDocuments(
  sql: Sql,
  request: { userId: number; decisionId: number; documents: ('ID_DOCUMENT' | 'SELFIE')[] },
): Promise<void> {
  const { userId, decisionId, documents } = request;
  await sql.begin(async (tx) => {
    await tx`update users set status = 'PENDING' where id = ${userId} and status = 'MANUAL_REVIEW'`;
    await tx`delete from review_claims where user_id = ${userId}`;
    await tx`update kyc_decisions set documents_requested = ${documents} where id = ${decisionId} and user_id = ${userId}`;
  });
}

/** A decided review frees its claim, so a later review of the same user starts unassigned. */
export async function releaseReviewClaim(sql: Sql, userId: number): Promise<void> {
  await sql`delete from review_claims where user_id = ${userId}`;
}

export interface CaseDecision {
  id: number;
  cycleId: string | null;
  decision: 'PASS' | 'FAIL' | 'MANUAL_REVIEW';
  reasons: string[];
  source: 'AUTOMATIC' | 'CS';
  reviewer: string | null;
  note: string | null;
  overridesDecisionId: number | null;
  decidedAt: Date;
}

export interface CaseScan {
  cycleId: string | null;
  idDocumentId: number;
  docType: string;
  documentStatus: string;
  parsedName: string | null;
  parsedDob: string | null;
  parsedExpiry: string | null;
  /** What the parser found (source and problem codes), where the scan recorded it. */
  parsed: { source: string; problems: string[]; checkDigitsValid: boolean | null } | null;
  completedAt: Date;
}

export interface CaseFaceCheck {
  cycleId: string | null;
  selfieId: number;
  idDocumentId: number;
  similarity: number | null;
  livenessPass: boolean | null;
  livenessConfidence: number | null;
  livenessSessionId: string | null;
  selfieQuality: string | null;
  outcome: Record<string, unknown> | null;
  completedAt: Date;
}

export interface CaseRegisterCheck {
  cycleId: string | null;
  snapshotDate: string;
  standing: string | null;
  record: { statusText?: string; restrictions?: string[]; fullName?: string | null; regNo?: string } | null;
  outcome: Record<string, unknown> | null;
  checkedAt: Date;
}

export interface CaseUpload {
  kind: 'ID_DOCUMENT' | 'SELFIE';
  id: number;
  key: string;
  uploadedAt: Date;
}

export interface CaseEvidence {
  userId: number;
  regType: RegType;
  regNo: string;
  status: string;
  createdAt: Date;
  decisions: CaseDecision[];
  scans: CaseScan[];
  faceChecks: CaseFaceCheck[];
  registerChecks: CaseRegisterCheck[];
  uploads: CaseUpload[];
  claim: { reviewer: string; claimedAt: Date } | null;
}

/** Everything recorded about a case, oldest first, across its cycles; null for an unknown user. */
export async function caseEvidence(sql: Sql, userId: number): Promise<CaseEvidence | null> {
  const [user] = await sql<Pick<CaseEvidence, 'userId' | 'regType' | 'regNo' | 'status' | 'createdAt'>[]>`
    select id as "userId", reg_type as "regType", reg_no as "regNo", status, created_at as "createdAt"
    from users where id = ${userId}`;
  if (!user) return null;
  const [decisions, scans, faceChecks, registerChecks, uploads, claims] = await Promise.all([
    sql<CaseDecision[]>`
      select id, cycle_id as "cycleId", decision, reasons, source, reviewer, note,
             overrides_decision_id as "overridesDecisionId", decided_at as "decidedAt"
      from kyc_decisions where user_id = ${userId} order by decided_at, id`,
    sql<CaseScan[]>`
      select s.cycle_id as "cycleId", d.id as "idDocumentId", d.doc_type as "docType", d.status as "documentStatus",
             s.parsed_name as "parsedName", to_char(s.parsed_dob, 'YYYY-MM-DD') as "parsedDob",
             to_char(s.parsed_expiry, 'YYYY-MM-DD') as "parsedExpiry", s.textract_json -> 'parsed' as parsed,
             s.completed_at as "completedAt"
      from doc_scans s join id_documents d on d.id = s.id_document_id
      where d.user_id = ${userId} order by s.completed_at, s.id`,
    sql<CaseFaceCheck[]>`
      select f.cycle_id as "cycleId", f.selfie_id as "selfieId", f.id_document_id as "idDocumentId",
             f.match_score::float8 as similarity, f.liveness_pass as "livenessPass",
             f.liveness_confidence::float8 as "livenessConfidence", s.liveness_session_id as "livenessSessionId",
             f.selfie_quality as "selfieQuality", f.outcome, f.completed_at as "completedAt"
      from face_checks f join selfies s on s.id = f.selfie_id
      where f.user_id = ${userId} order by f.completed_at, f.id`,
    sql<CaseRegisterCheck[]>`
      select cycle_id as "cycleId", to_char(snapshot_date, 'YYYY-MM-DD') as "snapshotDate", standing,
             raw_response_json -> 'record' as record, outcome, checked_at as "checkedAt"
      from reg_checks where user_id = ${userId} order by checked_at, id`,
    sql<CaseUpload[]>`
      select 'ID_DOCUMENT' as kind, id, s3_key_original as key, created_at as "uploadedAt"
      from id_documents where user_id = ${userId}
      union all
      select 'SELFIE', id, s3_key, created_at from selfies where user_id = ${userId}
      order by "uploadedAt", id`,
    sql<{ reviewer: string; claimedAt: Date }[]>`
      select reviewer, claimed_at as "claimedAt" from review_claims where user_id = ${userId}`,
  ]);
  return { ...user, decisions, scans, faceChecks, registerChecks, uploads, claim: claims[0] ?? null };
}

/** The object key of one of the user's own uploads; null when the id is not theirs. */
export async function uploadKey(
  sql: Sql,
  userId: number,
  upload: { kind: 'ID_DOCUMENT' | 'SELFIE'; id: number },
): Promise<string | null> {
  const [row] =
    upload.kind === 'ID_DOCUMENT'
      ? await sql<{ key: string }[]>`
          select s3_key_original as key from id_documents where id = ${upload.id} and user_id = ${userId}`
      : await sql<{ key: string }[]>`select s3_key as key from selfies where id = ${upload.id} and user_id = ${userId}`;
  return row?.key ?? null;
}
