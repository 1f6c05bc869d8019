/** face_checks, reg_checks and register_runs: one row of each per verification cycle. */
import type { FaceOutcome, RegisterOutcome } from '../domain/outcomes.ts';
import type { RegType } from '../domain/registers.ts';
import type { Sql } from './pool.ts';

export async function recordFaceCheck(
  sql: Sql,
  row: {
    userId: number;
    cycleId: string;
    selfieId: number;
    idDocumentId: number;
    matchScore: number | null;
    livenessPass: boolean | null;
    livenessConfidence: number | null;
    livenessSessionId: string | null;
    selfieQuality: string | null;
    outcome: FaceOutcome;
    provider: string;
  },
): Promise<void> {
  await sql`
    insert into face_checks (user_id, cycle_id, selfie_id, id_document_id, match_score, liveness_pass,
                             liveness_confidence, rekognition_job_id, selfie_quality, outcome, provider)
    values (${row.userId}, ${row.cycleId}, ${row.selfieId}, ${row.idDocumentId}, ${row.matchScore},
            ${row.livenessPass}, ${row.livenessConfidence}, ${row.livenessSessionId}, ${row.selfieQuality},
            ${sql.json(row.outcome as never)}, ${row.provider})
    on conflict (cycle_id) do nothing`;
}

/** Liveness belongs to the capture of a selfie: a later cycle reusing that selfie reuses its result. */
export async function earlierLiveness(
  sql: Sql,
  selfieId: number,
): Promise<{ pass: boolean; confidence: number | null; sessionId: string | null } | null> {
  const [row] = await sql<{ pass: boolean; confidence: string | null; sessionId: string | null }[]>`
    select liveness_pass as pass, liveness_confidence as confidence, rekognition_job_id as "sessionId"
    from face_checks where selfie_id = ${selfieId} and liveness_pass is not null
    order by completed_at desc limit 1`;
  return row
    ? { pass: row.pass, confidence: row.confidence === null ? null : Number(row.confidence), sessionId: row.sessionId }
    : null;
}

export async function findRegisterRun(sql: Sql, cycleId: string): Promise<{ runId: string; datasetId: string } | null> {
  const [row] = await sql<{ runId: string; datasetId: string }[]>`
    select run_id as "runId", dataset_id as "datasetId" from register_runs where cycle_id = ${cycleId}`;
  return row ?? null;
}

/** Records the cycle's run; if an earlier attempt already recorded one, that one stands and is returned. */
export async function recordRegisterRun(
  sql: Sql,
  row: { userId: number; cycleId: string; regType: RegType; actorId: string; runId: string; datasetId: string },
): Promise<{ runId: string; datasetId: string }> {
  await sql`
    insert into register_runs (user_id, cycle_id, reg_type, actor_id, run_id, dataset_id)
    values (${row.userId}, ${row.cycleId}, ${row.regType}, ${row.actorId}, ${row.runId}, ${row.datasetId})
    on conflict (cycle_id) do nothing`;
  return (await findRegisterRun(sql, row.cycleId)) as { runId: string; datasetId: string };
}

export async function recordRegisterCheck(
  sql: Sql,
  row: {
    userId: number;
    cycleId: string;
    snapshotDate: string;
    matchedName: boolean;
    matchedStatus: boolean;
    rawResponse: unknown;
    runId: string | null;
    standing: string | null;
    outcome: RegisterOutcome;
    provider: string;
  },
): Promise<void> {
  // Nothing is written for an erased user; the lock orders this write and an erasure one after the other.
  await sql`
    with live as (select id from users where id = ${row.userId} and erased_at is null for share)
    insert into reg_checks (user_id, cycle_id, snapshot_date, matched_name, matched_status, raw_response_json,
                            apify_run_id, standing, outcome, provider)
    select ${row.userId}, ${row.cycleId}, ${row.snapshotDate}::date, ${row.matchedName}, ${row.matchedStatus},
           ${sql.json(row.rawResponse as never)}, ${row.runId}, ${row.standing}, ${sql.json(row.outcome as never)},
           ${row.provider}
    from live
    on conflict (cycle_id) do nothing`;
}

/**
 * Records that the cycle is about to start its register run, before it is started. Returns when the first attempt
 * recorded that intent, and whether this call was it: a later attempt must look for a run the first one started.
 */
export async function recordRegisterIntent(
  sql: Sql,
  row: { userId: number; cycleId: string; regType: RegType },
): Promise<{ requestedAt: Date; first: boolean }> {
  const [inserted] = await sql<{ requestedAt: Date }[]>`
    insert into register_run_intents (cycle_id, user_id, reg_type)
    values (${row.cycleId}, ${row.userId}, ${row.regType})
    on conflict (cycle_id) do nothing
    returning requested_at as "requestedAt"`;
  if (inserted) return { requestedAt: inserted.requestedAt, first: true };
  const [existing] = await sql<{ requestedAt: Date }[]>`
    select requested_at as "requestedAt" from register_run_intents where cycle_id = ${row.cycleId}`;
  return { requestedAt: existing?.requestedAt ?? new Date(), first: false };
}
