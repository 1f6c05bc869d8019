/** What the service holds about one worker's verification, as the evidence pack states it (README, Compliance). */
import type { Sql } from './pool.ts';

export interface EvidenceFacts {
  user: { id: number; regType: string; regNo: string; status: string; createdAt: Date };
  documentScans: {
    cycleId: string | null;
    completedAt: Date;
    provider: string | null;
    parserVersion: string;
    docType: string;
    nameRead: string | null;
    expiryRead: string | null;
    uploadedAt: Date;
    objectKey: string;
    /** When the image was deleted (erasure or retention); null while it is held. */
    imageDeletedAt: Date | null;
  }[];
  faceChecks: {
    cycleId: string | null;
    completedAt: Date;
    provider: string | null;
    matchScore: number | null;
    livenessPass: boolean | null;
    livenessConfidence: number | null;
    selfieQuality: string | null;
    selfieKey: string;
    selfieDeletedAt: Date | null;
  }[];
  /** Register checks of a verification cycle (cycleId set) and of the daily monitor (monitorPassId set). */
  registerChecks: {
    id: number;
    cycleId: string | null;
    monitorPassId: string | null;
    checkedAt: Date;
    snapshotDate: string;
    provider: string | null;
    /** The actor a cycle's check ran (Apify), or the monitor's source, as recorded. */
    source: string | null;
    standing: string | null;
    changes: string[] | null;
    /** The register entry as scraped. */
    entry: unknown;
  }[];
  decisions: {
    id: number;
    cycleId: string | null;
    decidedAt: Date;
    source: 'AUTOMATIC' | 'CS';
    decision: string;
    reasons: string[];
    policyVersion: string | null;
    /** The signed-in subject who reviewed (the HTTP door takes it from the sign-in, never from the body). */
    reviewer: string | null;
    note: string | null;
    overridesDecisionId: number | null;
    regCheckId: number | null;
  }[];
  reminders: { kind: string; sentAt: Date | null; detail: string }[];
  /** Authenticated actions on this case: who, how signed in, what, and when. */
  auditTrail: {
    occurredAt: Date;
    actorSubject: string;
    actorName: string;
    actorVia: string;
    action: string;
    status: number | null;
  }[];
}

export async function gatherEvidence(sql: Sql, userId: number): Promise<EvidenceFacts | null> {
  const [user] = await sql<EvidenceFacts['user'][]>`
    select id, reg_type as "regType", reg_no as "regNo", status, created_at as "createdAt" from users where id = ${userId}`;
  if (!user) return null;
  const documentScans = await sql<EvidenceFacts['documentScans']>`
    select s.cycle_id as "cycleId", s.completed_at as "completedAt", s.provider, s.parser_version as "parserVersion",
           d.doc_type as "docType", s.parsed_name as "nameRead", s.parsed_expiry::text as "expiryRead",
           d.created_at as "uploadedAt", d.s3_key_original as "objectKey", d.image_deleted_at as "imageDeletedAt"
    from doc_scans s join id_documents d on d.id = s.id_document_id
    where d.user_id = ${userId} order by s.completed_at, s.id`;
  const faceChecks = await sql<EvidenceFacts['faceChecks']>`
    select f.cycle_id as "cycleId", f.completed_at as "completedAt", f.provider, f.match_score::float8 as "matchScore",
           f.liveness_pass as "livenessPass", f.liveness_confidence::float8 as "livenessConfidence",
           f.selfie_quality as "selfieQuality", s.s3_key as "selfieKey", s.image_deleted_at as "selfieDeletedAt"
    from face_checks f join selfies s on s.id = f.selfie_id
    where f.user_id = ${userId} order by f.completed_at, f.id`;
  const registerChecks = await sql<EvidenceFacts['registerChecks']>`
    select r.id, r.cycle_id as "cycleId", r.monitor_pass_id as "monitorPassId", r.checked_at as "checkedAt",
           r.snapshot_date::text as "snapshotDate", r.provider,
           coalesce(case when runs.actor_id is not null then 'actor ' || runs.actor_id || ', run ' || runs.run_id end,
                    (select string_agg(key || ' ' || value, ', ' order by key)
                     from jsonb_each_text(r.raw_response_json -> 'source'))) as source,
           r.standing, r.register_changes as changes,
           coalesce(r.raw_response_json -> 'record', r.raw_response_json -> 'items', r.raw_response_json) as entry
    from reg_checks r left join register_runs runs on runs.cycle_id = r.cycle_id
    where r.user_id = ${userId} order by r.checked_at, r.id`;
  const decisions = await sql<EvidenceFacts['decisions']>`
    select k.id, k.cycle_id as "cycleId", k.decided_at as "decidedAt", k.source, k.decision, k.reasons,
           k.policy_version as "policyVersion", k.reviewer, k.note, k.overrides_decision_id as "overridesDecisionId", k.reg_check_id as "regCheckId"
    from kyc_decisions k where k.user_id = ${userId} order by k.decided_at, k.id`;
  const reminders = await sql<EvidenceFacts['reminders']>`
    select 'ID document expiry' as kind, recorded_at as "sentAt",
           'document expires ' || expiry_date || ', ' || threshold_days || ' days before' as detail
    from expiry_reminders where user_id = ${userId}
    union all
    select 'Register renewal' as kind, recorded_at as "sentAt",
           'renewal due ' || renewal_date || ', ' || threshold_days || ' days before' as detail
    from register_renewal_reminders where user_id = ${userId}
    union all
    select 'Decision notice (' || n.channel || ')' as kind, n.sent_at as "sentAt",
           'decision ' || n.decision_id as detail
    from notifications n join kyc_decisions k on k.id = n.decision_id where k.user_id = ${userId}
    order by 2 nulls last, 1`;
  const auditTrail = await sql<EvidenceFacts['auditTrail']>`
    select occurred_at as "occurredAt", actor_subject as "actorSubject", actor_name as "actorName",
           actor_via as "actorVia", action, status
    from audit_events where user_id = ${userId} order by id`;
  return { user, documentScans, faceChecks, registerChecks, decisions, reminders, auditTrail };
}
