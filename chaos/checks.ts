/**
 * What a chaos run proves, checked against the service's database, the stand-ins' records, the receivers, the
 * queues and the workflows' histories once everything has settled:
 *
 * - decided: every verification ends with the decision its scenario calls for (CS's, for a case sent to review);
 * - duplicate rows: none per cycle in doc_scans, face_checks, reg_checks, kyc_decisions, and one cycle per user;
 * - duplicate notifications: one webhook per PASS/FAIL decision and one CS email per MANUAL_REVIEW; resends that the
 *   receivers dropped by Idempotency-Key or Message-ID are counted apart;
 * - messages lost: every upload the API acknowledged was scanned, every object in S3 is in a workflow, every Apify
 *   webhook the receiver acknowledged reached a workflow as a signal, the queues are empty, and the DLQs hold only
 *   the poison messages the run sent, with the reason their consumer gave;
 * - wall time, the longest stall (no progress of any verification) and the slowest verification.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { connectKycClient } from '../src/starters/temporal-client.ts';
import type { WebhookDelivery } from '../test/stand-ins/apify.ts';
import { type LocalQueue, QUEUE_NAMES } from '../test/support/aws-local.ts';
import { BUCKET } from '../test/support/scenarios.ts';
import type { RetryTally } from './doors.ts';
import type { ChaosEnvironment } from './environment.ts';
import { type FaultEvent, POISON_MESSAGES, type StandInFaultTally } from './faults.ts';
import { type ChaosPlan, expectedFinalDecision, SCENARIOS } from './plan.ts';
import type { ServiceProcess } from './processes.ts';
import { waitFor } from './timing.ts';
import type { VerificationProgress } from './verifications.ts';

export interface ChaosFigures {
  verifications: number;
  decidedAsExpected: number;
  duplicateRows: Record<'doc_scans' | 'face_checks' | 'reg_checks' | 'kyc_decisions' | 'extra_cycles', number>;
  webhooks: {
    expected: number;
    delivered: number;
    missing: number;
    beyondOnePerDecision: number;
    resendsDropped: number;
  };
  emails: {
    expected: number;
    delivered: number;
    missing: number;
    beyondOnePerDecision: number;
    resendsDropped: number;
  };
  unsentOutboxRows: number;
  lost: { uploads: number; s3Objects: number; webhooks: number; queuedMessages: number; unexpectedDeadLetters: number };
  deadLetters: Array<{ queue: LocalQueue; code: string; reason: string; poison: boolean }>;
  /** Signals that reached a workflow and were set aside by it, by signal and reason. */
  signalsSetAside: Record<string, number>;
  wallTimeMs: number;
  longestStall: { ms: number; startsAtMs: number; after: string | null };
  /** The longest stall less the time PostgreSQL or Temporal itself was down during it: what recovery costs us. */
  longestStallBeyondOutages: { ms: number; startsAtMs: number };
  /** The process faults as they happened, so a stall can be read against them. */
  faultTimeline: FaultEvent[];
  slowestVerificationMs: number;
  kills: {
    worker: number;
    api: number;
    workerCrashes: number;
    apiCrashes: number;
    postgresRestarts: number;
    temporalRestarts: number;
  };
  faults: {
    awsCalls: number;
    awsThrottled: number;
    awsServerErrors: number;
    apifyRuns: number;
    apifyRunsNotRecorded: number;
    webhooksDropped: number;
    webhooksDuplicated: number;
    staleReplays: number;
    staleReplaysAcknowledged: number;
    webhooksHandedOnTwice: number;
    productWebhook503: number;
    smtp451: number;
  };
  clientRetries: RetryTally;
  failures: string[];
}

export interface ChaosReport {
  ok: boolean;
  figures: ChaosFigures;
  /** The report as printed: one line per figure. */
  lines: string[];
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export async function checkChaosRun(input: {
  env: ChaosEnvironment;
  plan: ChaosPlan;
  progress: VerificationProgress[];
  startedAt: number;
  decidedAt: number;
  timeline: FaultEvent[];
  standIns: StandInFaultTally;
  retries: RetryTally;
  processes: { worker: ServiceProcess; api: ServiceProcess };
  runDir: string;
}): Promise<ChaosReport> {
  const { env, progress, startedAt, timeline } = input;
  const { sql } = env;
  const failures = progress.flatMap((one) =>
    one.failure ? [`verification ${one.planned.index}: ${one.failure}`] : [],
  );
  const userIds = progress.flatMap((one) => (one.userId === null ? [] : [one.userId]));

  // ─── Settle: the last notifications, webhook retries, and the poison on its way to the DLQs ──────────────────
  const expectedNotifications = async () => {
    const decisions = await sql<{ id: number; decision: string }[]>`
      select id, decision from kyc_decisions where user_id = any(${userIds}::bigint[])`;
    return {
      webhookKeys: decisions
        .filter((row) => row.decision !== 'MANUAL_REVIEW')
        .map((row) => `decision-${row.id}/webhook`),
      emailIds: decisions
        .filter((row) => row.decision === 'MANUAL_REVIEW')
        .map((row) => `<decision-${row.id}.cs-email@kyc>`),
    };
  };
  await env.apify.webhooksSettled();
  await waitFor(async () => {
    const { webhookKeys, emailIds } = await expectedNotifications();
    const delivered = new Set(env.product.accepted.map((event) => event.idempotencyKey));
    const mailed = new Set(env.smtp.messages.map((message) => message.messageId));
    return webhookKeys.every((key) => delivered.has(key)) && emailIds.every((id) => mailed.has(id));
  }, 180_000);
  const queuedMessages = async (queueUrl: string) => {
    const { Attributes = {} } = await env.localAws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };
  // The poison needs maxReceiveCount failed receives, a visibility timeout apart, to reach its DLQ.
  await waitFor(async () => {
    const queued = await Promise.all(QUEUE_NAMES.map((queue) => queuedMessages(env.localAws.queueUrls[queue])));
    return sum(queued) === 0;
  }, 120_000);

  // ─── Decided, each as expected ────────────────────────────────────────────────────────────────────────────────
  const decisionRows = await sql<
    { id: number; userId: number; cycleId: string; decision: string; reasons: string[]; source: 'AUTOMATIC' | 'CS' }[]
  >`
    select id, user_id as "userId", cycle_id as "cycleId", decision, reasons, source
    from kyc_decisions where user_id = any(${userIds}::bigint[]) order by id`;
  let decidedAsExpected = 0;
  for (const one of progress) {
    const rows = decisionRows.filter((row) => row.userId === one.userId);
    const automatic = rows.filter((row) => row.source === 'AUTOMATIC');
    const cs = rows.filter((row) => row.source === 'CS');
    const spec = SCENARIOS[one.planned.scenarioName];
    const problems: string[] = [];
    if (automatic.length !== 1) problems.push(`${automatic.length} automatic decisions`);
    const [first] = automatic;
    if (first && (first.decision !== spec.automatic || first.reasons.join() !== spec.reasons.join())) {
      problems.push(`automatic ${first.decision} [${first.reasons}] instead of ${spec.automatic} [${spec.reasons}]`);
    }
    const final = cs.at(-1) ?? first;
    if (final?.decision !== expectedFinalDecision(one.planned)) {
      problems.push(`final ${final?.decision ?? 'none'} instead of ${expectedFinalDecision(one.planned)}`);
    }
    if (cs.length !== (one.planned.review ? 1 : 0)) problems.push(`${cs.length} CS decisions`);
    if (problems.length === 0) decidedAsExpected += 1;
    else
      failures.push(
        `verification ${one.planned.index} (user ${one.userId}, ${one.planned.scenarioName}): ${problems.join('; ')}`,
      );
  }

  // ─── Duplicate rows ───────────────────────────────────────────────────────────────────────────────────────────
  const [duplicates] = await sql<ChaosFigures['duplicateRows'][]>`
    select
      (select count(*)::int from (select cycle_id from doc_scans group by cycle_id having count(*) > 1) d) as doc_scans,
      (select count(*)::int from (select cycle_id from face_checks group by cycle_id having count(*) > 1) d) as face_checks,
      (select count(*)::int from (select cycle_id from reg_checks group by cycle_id having count(*) > 1) d) as reg_checks,
      (select count(*)::int from (select 1 from kyc_decisions group by cycle_id, source having count(*) > 1) d)
        as kyc_decisions,
      (select coalesce(sum(cycles - 1), 0)::int from
        (select count(distinct cycle_id) as cycles from kyc_decisions group by user_id) d) as extra_cycles`;
  const duplicateRows = duplicates as ChaosFigures['duplicateRows'];

  // ─── Notifications ────────────────────────────────────────────────────────────────────────────────────────────
  const { webhookKeys, emailIds } = await expectedNotifications();
  const acceptedKeys = new Set(env.product.accepted.map((event) => event.idempotencyKey));
  const webhookRequests204 = env.product.requests.filter((request) => request.status === 204).length;
  const webhooks = {
    expected: webhookKeys.length,
    delivered: webhookKeys.filter((key) => acceptedKeys.has(key)).length,
    missing: webhookKeys.filter((key) => !acceptedKeys.has(key)).length,
    beyondOnePerDecision: [...acceptedKeys].filter((key) => !webhookKeys.includes(key)).length,
    resendsDropped: webhookRequests204 - acceptedKeys.size,
  };
  const mailedIds = new Set(env.smtp.messages.map((message) => message.messageId ?? ''));
  const emails = {
    expected: emailIds.length,
    delivered: emailIds.filter((id) => mailedIds.has(id)).length,
    missing: emailIds.filter((id) => !mailedIds.has(id)).length,
    beyondOnePerDecision: [...mailedIds].filter((id) => !emailIds.includes(id)).length,
    resendsDropped: env.smtp.messages.length - mailedIds.size,
  };
  const [{ unsent } = { unsent: 0 }] = await sql<{ unsent: number }[]>`
    select count(*)::int as unsent from notifications where sent_at is null`;

  // ─── Lost: uploads, S3 objects, webhooks, queues, DLQs ────────────────────────────────────────────────────────
  const scanned = await sql<{ userId: number; idKey: string; selfieKey: string }[]>`
    select f.user_id as "userId", d.s3_key_original as "idKey", s.s3_key as "selfieKey"
    from face_checks f join id_documents d on d.id = f.id_document_id join selfies s on s.id = f.selfie_id
    where f.user_id = any(${userIds}::bigint[])`;
  const inWorkflow = new Set(scanned.flatMap((row) => [row.idKey, row.selfieKey]));
  const lostUploads = progress.flatMap((one) => one.acceptedUploads.filter((upload) => !inWorkflow.has(upload.key)));
  const objects: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await env.localAws.s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kyc-raw/', ContinuationToken: continuationToken }),
    );
    objects.push(...(page.Contents ?? []).map((object) => object.Key as string));
    continuationToken = page.NextContinuationToken;
  } while (continuationToken);
  const lostObjects = objects.filter((key) => !inWorkflow.has(key));

  const signalsByUser = await signalCounts(env, userIds);
  const replayed = new Set<WebhookDelivery>(input.standIns.staleWebhookReplays);
  const handedOff = new Map<number, Set<string>>();
  /** Webhooks the receiver handed on more than once (it must not: copies arriving together are claimed once). */
  const handedOnRuns = new Set<string>();
  let handedOnTwice = 0;
  for (const delivery of env.apify.deliveries) {
    // 202: handed on now; 200: a replay of one handed on before. Either way the workflow must have had it.
    if (delivery.status !== 202 && delivery.status !== 200) continue;
    const userId = (delivery.body as { kyc?: { userId?: number } }).kyc?.userId as number;
    const runs = handedOff.get(userId) ?? new Set();
    if (delivery.status === 202 && handedOnRuns.has(delivery.runId)) handedOnTwice += 1;
    if (delivery.status === 202) handedOnRuns.add(delivery.runId);
    handedOff.set(userId, runs.add(delivery.runId));
  }
  const lostWebhooks = sum(
    [...handedOff].map(([userId, runs]) => Math.max(0, runs.size - (signalsByUser.get(userId)?.registerResult ?? 0))),
  );
  const lostUploadSignals = sum(
    userIds.map((userId) => {
      const keys = objects.filter((key) => key.startsWith(`kyc-raw/${userId}/`)).length;
      return Math.max(0, keys - (signalsByUser.get(userId)?.documentUploaded ?? 0));
    }),
  );
  const queued = sum(await Promise.all(QUEUE_NAMES.map((queue) => queuedMessages(env.localAws.queueUrls[queue]))));
  const refusals = await consumerRefusals(input.runDir);
  const deadLetters: ChaosFigures['deadLetters'] = [];
  for (const queue of QUEUE_NAMES) {
    for (const { messageId, body } of await env.localAws.deadLetters(queue)) {
      const refusal = refusals.get(messageId);
      deadLetters.push({
        queue,
        code: refusal?.code ?? 'UNKNOWN',
        reason: refusal?.reason ?? 'no refusal logged for this message',
        poison: body === POISON_MESSAGES[queue].body && refusal?.code === POISON_MESSAGES[queue].expectedCode,
      });
    }
  }
  const missingPoison = QUEUE_NAMES.filter(
    (queue) => !deadLetters.some((letter) => letter.queue === queue && letter.poison),
  );
  if (missingPoison.length > 0) failures.push(`poison not dead-lettered as expected in: ${missingPoison.join(', ')}`);

  // ─── Time ─────────────────────────────────────────────────────────────────────────────────────────────────────
  // Progress is what the workflows get done; between the first upload and the last decision some verification is
  // always waiting for it, since sign-ups are spread over the load window and CS answers within seconds.
  const progressTimes = (
    await sql<{ at: Date }[]>`
      select at from (
        select min(created_at) as at from id_documents union all select completed_at from doc_scans
        union all select completed_at from face_checks union all select checked_at from reg_checks
        union all select decided_at from kyc_decisions) events
      order by at`
  ).map((row) => row.at.getTime());
  let longestStall = { ms: 0, startsAtMs: 0, after: null as string | null };
  let longestStallBeyondOutages = { ms: 0, startsAtMs: 0 };
  const outages = outageWindows(timeline);
  for (let index = 1; index < progressTimes.length; index += 1) {
    const gap = (progressTimes[index] as number) - (progressTimes[index - 1] as number);
    const startsAtMs = (progressTimes[index - 1] as number) - startedAt;
    if (gap > longestStall.ms) {
      const cause = timeline.filter((event) => event.at <= startsAtMs + gap).at(-1);
      longestStall = { ms: gap, startsAtMs, after: cause ? `${cause.what} at ${seconds(cause.at)}` : null };
    }
    const down = outages.reduce(
      (sum, [from, to]) => sum + Math.max(0, Math.min(to, startsAtMs + gap) - Math.max(from, startsAtMs)),
      0,
    );
    if (gap - down > longestStallBeyondOutages.ms) longestStallBeyondOutages = { ms: gap - down, startsAtMs };
  }
  const [slowest] = await sql<{ ms: number }[]>`
    select coalesce(max(extract(epoch from decided - uploaded) * 1000), 0)::float8 as ms from (
      select d.user_id, min(d.decided_at) as decided,
        (select max(created_at) from (select created_at from id_documents where user_id = d.user_id
          union all select created_at from selfies where user_id = d.user_id) u) as uploaded
      from kyc_decisions d where d.source = 'AUTOMATIC' group by d.user_id) per_user`;

  // ─── Faults the stand-ins and processes saw ───────────────────────────────────────────────────────────────────
  const runsRecorded = new Set(
    (await sql<{ runId: string }[]>`select run_id as "runId" from register_runs`).map((row) => row.runId),
  );
  const terminalDispatches = new Map<string, number>();
  for (const delivery of env.apify.deliveries) {
    if (delivery.attempt !== 1 || delivery.eventType === 'ACTOR.RUN.CREATED' || replayed.has(delivery)) continue;
    terminalDispatches.set(delivery.runId, (terminalDispatches.get(delivery.runId) ?? 0) + 1);
  }
  const finishedRuns = env.apify.runs.filter((run) => run.finishedAt !== null && run.webhooks.length > 0);
  const { worker, api } = input.processes;

  const figures: ChaosFigures = {
    verifications: progress.length,
    decidedAsExpected,
    duplicateRows,
    webhooks,
    emails,
    unsentOutboxRows: unsent,
    lost: {
      uploads: lostUploads.length,
      s3Objects: lostObjects.length + lostUploadSignals,
      webhooks: lostWebhooks,
      queuedMessages: queued,
      unexpectedDeadLetters: deadLetters.filter((letter) => !letter.poison).length,
    },
    deadLetters,
    signalsSetAside: await signalsSetAside(input.runDir),
    wallTimeMs: input.decidedAt - startedAt,
    longestStall,
    longestStallBeyondOutages,
    faultTimeline: timeline,
    slowestVerificationMs: Math.round(slowest?.ms ?? 0),
    kills: {
      worker: worker.kills,
      api: api.kills,
      workerCrashes: worker.unplannedExits.length,
      apiCrashes: api.unplannedExits.length,
      postgresRestarts: timeline.filter((event) => event.what.startsWith('PostgreSQL serving')).length,
      temporalRestarts: timeline.filter((event) => event.what.startsWith('Temporal dev server serving')).length,
    },
    faults: {
      awsCalls: env.aws.calls.length,
      awsThrottled: env.aws.calls.filter((call) => call.status === 400).length,
      awsServerErrors: env.aws.calls.filter((call) => call.status === 500).length,
      apifyRuns: env.apify.runs.length,
      apifyRunsNotRecorded: env.apify.runs.filter((run) => !runsRecorded.has(run.id)).length,
      webhooksDropped: finishedRuns.filter((run) => (terminalDispatches.get(run.id) ?? 0) === 0).length,
      webhooksDuplicated: finishedRuns.filter((run) => (terminalDispatches.get(run.id) ?? 0) > 1).length,
      staleReplays: input.standIns.staleWebhookReplays.length,
      staleReplaysAcknowledged: input.standIns.staleWebhookReplays.filter(
        (delivery) => delivery.status !== null && delivery.status < 300,
      ).length,
      webhooksHandedOnTwice: handedOnTwice,
      productWebhook503: env.product.requests.filter((request) => request.status === 503).length,
      smtp451: env.smtp.refused,
    },
    clientRetries: input.retries,
    failures,
  };
  const problems = [
    figures.decidedAsExpected !== figures.verifications,
    Object.values(duplicateRows).some((count) => count > 0),
    figures.faults.webhooksHandedOnTwice > 0,
    webhooks.missing + webhooks.beyondOnePerDecision + emails.missing + emails.beyondOnePerDecision > 0,
    figures.unsentOutboxRows > 0,
    Object.values(figures.lost).some((count) => count > 0),
    failures.length > 0,
  ];
  return { ok: !problems.some(Boolean), figures, lines: formatReport(input.plan, figures) };
}

/** How many signals of each name every user's workflow received, from its history. */
async function signalCounts(
  env: ChaosEnvironment,
  userIds: number[],
): Promise<Map<number, { documentUploaded: number; registerResult: number }>> {
  const kyc = await connectKycClient(env.serviceConfig);
  try {
    const counts = new Map<number, { documentUploaded: number; registerResult: number }>();
    for (const userId of userIds) {
      const history = await kyc.client.workflow.getHandle(kycWorkflowId(userId)).fetchHistory();
      const names = (history.events ?? []).flatMap(
        (event) => event.workflowExecutionSignaledEventAttributes?.signalName ?? [],
      );
      counts.set(userId, {
        documentUploaded: names.filter((name) => name === 'documentUploaded').length,
        registerResult: names.filter((name) => name === 'registerResult').length,
      });
    }
    return counts;
  } finally {
    await kyc.close();
  }
}

/** The signals the workflows set aside (duplicates, stale or foreign runs), by signal and reason, from the worker's log. */
async function signalsSetAside(runDir: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const log = await readFile(join(runDir, 'worker.log'), 'utf8');
  for (const line of log.split('\n')) {
    if (!line.includes('"msg":"signal ignored"')) continue;
    const entry = JSON.parse(line) as { signal: string; why: string };
    const key = `${entry.signal}: ${entry.why}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Why the API process's consumers left each message for redelivery, by SQS message id: the last reason logged. */
async function consumerRefusals(runDir: string): Promise<Map<string, { code: string; reason: string }>> {
  const refusals = new Map<string, { code: string; reason: string }>();
  const log = await readFile(join(runDir, 'api.log'), 'utf8');
  for (const line of log.split('\n')) {
    if (!line.includes('"msg":"message left for redelivery or the DLQ"')) continue;
    const entry = JSON.parse(line) as { messageId: string; code: string; reason: string };
    refusals.set(entry.messageId, { code: entry.code, reason: entry.reason });
  }
  return refusals;
}

function seconds(ms: number): string {
  const total = Math.round(ms / 1000);
  return total >= 60 ? `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

function formatReport(plan: ChaosPlan, figures: ChaosFigures): string[] {
  const byScenario = new Map<string, number>();
  for (const verification of plan.verifications) {
    byScenario.set(verification.scenarioName, (byScenario.get(verification.scenarioName) ?? 0) + 1);
  }
  const reviews = plan.verifications.filter((verification) => verification.review);
  const { duplicateRows: rows, webhooks, emails, lost, kills, faults, clientRetries } = figures;
  const deadLetterSummary = QUEUE_NAMES.map((queue) => {
    const letters = figures.deadLetters.filter((letter) => letter.queue === queue);
    const described = letters.map(
      (letter) => `${letter.code}${letter.poison ? ' (poison sent by the run)' : ''}: ${letter.reason}`,
    );
    return `${queue}-dlq ${letters.length}${described.length > 0 ? ` — ${described.join('; ')}` : ''}`;
  });
  return [
    `chaos run: ${figures.verifications} verifications, seed ${plan.seed}`,
    `  mix: ${[...byScenario].map(([name, count]) => `${name} ${count}`).join(', ')}; CS decided ${reviews.length} reviews (${reviews.filter((review) => review.review?.door === 'cli').length} with the CS command)`,
    `decided: ${figures.decidedAsExpected}/${figures.verifications} with the expected decision`,
    `duplicate rows: ${rows.doc_scans + rows.face_checks + rows.reg_checks + rows.kyc_decisions} (doc_scans ${rows.doc_scans}, face_checks ${rows.face_checks}, reg_checks ${rows.reg_checks}, kyc_decisions ${rows.kyc_decisions} per cycle); extra cycles ${rows.extra_cycles}`,
    `duplicate notifications: ${webhooks.beyondOnePerDecision + emails.beyondOnePerDecision} beyond one per decision`,
    `  webhooks: ${webhooks.delivered}/${webhooks.expected} decisions delivered, ${webhooks.missing} missing; receiver dropped ${webhooks.resendsDropped} resends by Idempotency-Key`,
    `  emails: ${emails.delivered}/${emails.expected} reviews mailed to CS, ${emails.missing} missing; ${emails.resendsDropped} resends with a Message-ID already delivered`,
    `  outbox rows never marked sent: ${figures.unsentOutboxRows}`,
    `messages lost: ${lost.uploads + lost.s3Objects + lost.webhooks + lost.queuedMessages + lost.unexpectedDeadLetters} (acknowledged uploads not scanned ${lost.uploads}, S3 objects not signalled or not in a workflow ${lost.s3Objects}, acknowledged webhooks not signalled ${lost.webhooks}, left on queues ${lost.queuedMessages}, unexpected DLQ entries ${lost.unexpectedDeadLetters})`,
    ...deadLetterSummary.map((line) => `  ${line}`),
    `  signals the workflows set aside: ${
      Object.entries(figures.signalsSetAside)
        .map(([what, count]) => `${what} ${count}`)
        .join(', ') || 'none'
    }`,
    `wall time: ${seconds(figures.wallTimeMs)}; longest stall ${seconds(figures.longestStall.ms)} from ${seconds(figures.longestStall.startsAtMs)}${figures.longestStall.after ? ` (after ${figures.longestStall.after})` : ''}, ${seconds(figures.longestStallBeyondOutages.ms)} beyond the time PostgreSQL or Temporal was down; slowest verification ${seconds(figures.slowestVerificationMs)} from upload to decision`,
    `process faults: ${figures.faultTimeline.map((event) => `${seconds(event.at)} ${event.what}`).join('; ')}`,
    `kills: worker ${kills.worker} (and ${kills.workerCrashes} exits on its own), API/bridge ${kills.api} (and ${kills.apiCrashes} on its own), PostgreSQL restarts ${kills.postgresRestarts}, Temporal restarts ${kills.temporalRestarts}`,
    `stand-in faults: AWS ${faults.awsThrottled} throttled + ${faults.awsServerErrors} 5xx of ${faults.awsCalls} calls (and up to 1.5 s slow); Apify webhooks dropped for ${faults.webhooksDropped} runs, sent twice for ${faults.webhooksDuplicated}, ${faults.staleReplays} late replays (${faults.staleReplaysAcknowledged} acknowledged), ${faults.webhooksHandedOnTwice} handed on twice; ${faults.apifyRuns} runs, ${faults.apifyRunsNotRecorded} started but not recorded; product webhook 503 × ${faults.productWebhook503}; SMTP 451 × ${faults.smtp451}`,
    `client retries: ${clientRetries.connection} after no connection, ${clientRetries.timeout} after a timeout, ${clientRetries.serverError} after a 5xx, ${clientRetries.command} CS command re-runs`,
    ...figures.failures.map((failure) => `FAILED ${failure}`),
  ];
}

/** When PostgreSQL or the Temporal server was down: from "stopping" to "serving again", in ms since the start. */
function outageWindows(timeline: FaultEvent[]): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (const system of ['PostgreSQL', 'Temporal dev server']) {
    let from: number | null = null;
    for (const event of timeline) {
      if (event.what.startsWith(`${system} stopping`)) from = event.at;
      if (event.what.startsWith(`${system} serving again`) && from !== null) {
        windows.push([from, event.at]);
        from = null;
      }
    }
  }
  return windows;
}
