/**
 * The rows a user's KYC status is read from, in one statement: what `GET /users/:id/kyc` answers without asking the
 * workflow (src/domain/kyc-status-record.ts turns them into the status). Every list is the user's own, through the
 * per-user indexes; times travel as milliseconds since the epoch.
 */

import type { KycStatusRecord } from '../contract/kyc-status.ts';
import { kycStatusRecord, type StatusFacts } from '../domain/kyc-status-record.ts';
import type { Sql } from './pool.ts';

/** The user's status as the database records it; null for an unknown user. */
export async function recordedKycStatus(sql: Sql, userId: number): Promise<KycStatusRecord | null> {
  const facts = await statusFacts(sql, userId);
  return facts ? kycStatusRecord(facts) : null;
}

/** The terminal webhook events the door hands on (its receipts are keyed `apify:<runId>:<eventType>`). */
const TERMINAL_EVENTS = ['ACTOR.RUN.SUCCEEDED', 'ACTOR.RUN.FAILED', 'ACTOR.RUN.ABORTED', 'ACTOR.RUN.TIMED_OUT'];

export async function statusFacts(sql: Sql, userId: number): Promise<StatusFacts | null> {
  const ms = (column: string) => sql.unsafe(`(extract(epoch from ${column}) * 1000)::float8`);
  const [row] = await sql<StatusFacts[]>`
    select u.id as "userId", u.status as "userStatus",
      (select coalesce(json_agg(json_build_object('cycleId', cycle_id, 'at', ${ms('started_at')})), '[]')
       from kyc_cycles where user_id = u.id) as "cycleStarts",
      (select coalesce(json_agg(x order by x.at, x.id), '[]') from (
         select 'ID_DOCUMENT' as kind, id, s3_key_original as key, ${ms('created_at')} as at
         from id_documents where user_id = u.id
         union all
         select 'SELFIE', id, s3_key, ${ms('created_at')} from selfies where user_id = u.id) x) as uploads,
      (select coalesce(json_agg(json_build_object(
          'cycleId', s.cycle_id, 'idDocumentId', d.id, 'key', d.s3_key_original, 'at', ${ms('s.completed_at')},
          'parsed', case when s.textract_json ? 'parsed' then json_build_object(
            'fullName', s.parsed_name, 'birthDate', to_char(s.parsed_dob, 'YYYY-MM-DD'),
            'expiryDate', to_char(s.parsed_expiry, 'YYYY-MM-DD'),
            'checkDigitsValid', s.textract_json -> 'parsed' -> 'checkDigitsValid',
            'problems', coalesce(s.textract_json -> 'parsed' -> 'problems', '[]')) end,
          'error', s.textract_json ->> 'error') order by s.completed_at), '[]')
       from doc_scans s join id_documents d on d.id = s.id_document_id
       where d.user_id = u.id and s.cycle_id is not null) as scans,
      (select coalesce(json_agg(json_build_object(
          'cycleId', f.cycle_id, 'outcome', f.outcome, 'selfieKey', s.s3_key, 'at', ${ms('f.completed_at')})), '[]')
       from face_checks f join selfies s on s.id = f.selfie_id
       where f.user_id = u.id and f.cycle_id is not null) as "faceChecks",
      (select coalesce(json_agg(json_build_object('cycleId', cycle_id, 'at', ${ms('requested_at')})), '[]')
       from register_run_intents where user_id = u.id) as "registerIntents",
      (select coalesce(json_agg(json_build_object(
          'cycleId', r.cycle_id, 'runId', r.run_id, 'at', ${ms('r.started_at')},
          'callbackHandedOn', exists (
            select 1 from webhook_receipts w
            where w.delivery_key in (select 'apify:' || r.run_id || ':' || e from unnest(${TERMINAL_EVENTS}::text[]) e)
              and w.handed_off_at is not null))), '[]')
       from register_runs r where r.user_id = u.id) as "registerRuns",
      (select coalesce(json_agg(json_build_object('cycleId', cycle_id, 'outcome', outcome, 'at', ${ms('checked_at')})), '[]')
       from reg_checks where user_id = u.id and cycle_id is not null) as "registerChecks",
      (select coalesce(json_agg(json_build_object(
          'id', k.id, 'cycleId', k.cycle_id, 'decision', k.decision, 'reasons', k.reasons, 'source', k.source,
          'reviewer', k.reviewer, 'at', ${ms('k.decided_at')}, 'regCheckId', k.reg_check_id,
          'documentsRequested', k.documents_requested,
          'policyInput', case when k.policy_input is not null then jsonb_build_object(
            'document', k.policy_input -> 'document', 'face', k.policy_input -> 'face',
            'register', k.policy_input -> 'register') end,
          'notifiedAt', (select ${ms('max(greatest(n.created_at, n.sent_at))')} from notifications n
                         where n.decision_id = k.id)) order by k.decided_at, k.id), '[]')
       from kyc_decisions k where k.user_id = u.id) as decisions,
      (select coalesce(json_agg(json_build_object(
          'cycleId', cycle_id, 'step', step, 'reason', reason, 'at', ${ms('raised_at')}) order by raised_at, id), '[]')
       from ops_alerts where user_id = u.id) as alerts,
      (select coalesce(json_agg(json_build_object(
          'cycleId', cycle_id, 'otherUserId', other_user_id, 'on', detail ->> 'on') order by other_user_id), '[]')
       from account_links where user_id = u.id and reason = 'DUPLICATE_IDENTITY' and cycle_id is not null)
        as "duplicateLinks",
      (select reviewer from review_claims where user_id = u.id) as "claimedBy"
    from users u where u.id = ${userId}`;
  return row ?? null;
}
