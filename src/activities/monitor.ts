/**
 * Register monitoring's activities. A sweep opens its register's source once (reading and keeping a register file,
 * diffed against the last one kept), then re-checks the monitored users batch by batch: one actor run over the
 * batch's numbers, or look-ups in the pass's file. Every fresh record is stored with the day's snapshot date,
 * compared with the record behind the user's current decision, and the users with a change that matters go back to
 * the workflow, which signals their KycWorkflow. The KycWorkflow's side decides again and notifies.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { type RegisterRun, TERMINAL_RUN_STATUSES } from '../adapters/apify/index.ts';
import {
  diffRegisterFiles,
  indexByNumber,
  type RegisterFile,
  readRegisterFile,
  searchKey,
} from '../adapters/apify/register-file.ts';
import { kindOf } from '../adapters/apify/sources.ts';
import type { Redecided, RedecideInput } from '../contract/activities.ts';
import { REMINDER_DAYS } from '../contract/expiry-workflow.ts';
import { kycWorkflowId } from '../contract/kyc-workflow.ts';
import type {
  RegisterBatchInput,
  RegisterBatchResult,
  RegisterMonitorSummary,
  SkippedBatch,
  SourceOpened,
  SweepClosed,
  SweepRef,
} from '../contract/monitor-workflow.ts';
import { getDecision, recordDecision, sendOnce } from '../db/decisions.ts';
import {
  claimDigest,
  countMonitoredUsers,
  countNotRecheckedIn48h,
  type DigestLine,
  digestContents,
  findBatchRun,
  findFileRead,
  type MonitorEvidence,
  markDigestSent,
  previousFileRead,
  type RenewalDue,
  recordBatchRun,
  recordFileRead,
  recordMonitorChecks,
  recordRenewalReminders,
  recordSourceHealth,
  selectMonitoredUsers,
} from '../db/monitor.ts';
import { matchNames } from '../domain/names.ts';
import type { NameMatch, RegisterOutcome } from '../domain/outcomes.ts';
import {
  decideOnRegisterChange,
  implausibleBatch,
  type RegisterChange,
  registerChanges,
} from '../domain/register-change.ts';
import { registerRecordFromItems } from '../domain/register-records.ts';
import type { RegisterRecord, RegisterSourceHealth } from '../domain/registers.ts';
import type { ActivityDeps } from './deps.ts';

/** Within this many days the digest lists expiring IDs and registrations. */
const DIGEST_WINDOW_DAYS = 30;
/** How long one wait on an actor run lasts before the activity heartbeats again. */
const RUN_WAIT_SECS = 20;

type MonitorDeps = Pick<ActivityDeps, 'sql' | 'logger' | 'registerSources' | 'email' | 'productChannels' | 'settings'>;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function createMonitorActivities({
  sql,
  logger,
  registerSources,
  email,
  productChannels,
  settings,
}: MonitorDeps) {
  /** Register files by hash: each worker reads a pass's file once, however many batches it serves. */
  const files = new Map<string, RegisterFile>();

  async function loadKept(keptPath: string, sha256: string): Promise<RegisterFile> {
    const cached = files.get(sha256);
    if (cached) return cached;
    const file = await readRegisterFile(keptPath);
    files.clear();
    files.set(sha256, file);
    return file;
  }

  async function sourceFailed(ref: SweepRef, reference: string, error: string): Promise<SourceOpened> {
    const source = registerSources[ref.regType];
    await recordSourceHealth(sql, { regType: ref.regType, kind: kindOf(source), reference, health: 'FAILING', error });
    logger.warn({ regType: ref.regType, error }, 'register source failing');
    return {
      kind: kindOf(source),
      health: 'FAILING',
      error,
      due: await countMonitoredUsers(sql, ref.regType),
      fileReads: 0,
      fileDiff: null,
    };
  }

  /**
   * The batch's items, from one actor run: a retried batch reads the run its first attempt recorded, unless that
   * run ended badly. (A crash between starting a run and recording it costs one run more, never a wrong answer.)
   */
  async function itemsFromActor(
    input: RegisterBatchInput,
    regNos: string[],
  ): Promise<{ items: unknown[]; runs: number }> {
    const source = registerSources[input.regType];
    if (source?.kind !== 'APIFY_ACTOR') throw new Error(`${input.regType} has no actor source`);
    const recorded = await findBatchRun(sql, input);
    let run: RegisterRun | null = recorded ? await source.batch.getRun(recorded, 0) : null;
    let runs = 0;
    if (!run || (TERMINAL_RUN_STATUSES.includes(run.status) && run.status !== 'SUCCEEDED')) {
      run = await source.batch.start(regNos);
      runs = 1;
      await recordBatchRun(sql, { ...input, runId: run.runId });
    }
    while (!TERMINAL_RUN_STATUSES.includes(run.status)) run = await source.batch.getRun(run.runId, RUN_WAIT_SECS);
    if (run.status !== 'SUCCEEDED') {
      throw ApplicationFailure.retryable(`register batch run ${run.runId} ended ${run.status}`, 'RegisterRunFailed');
    }
    return { items: await source.batch.listItems(run.datasetId), runs };
  }

  async function remindRenewals(passId: string, due: RenewalDue[]): Promise<number> {
    const recorded = await recordRenewalReminders(sql, passId, due);
    for (const reminder of recorded) {
      if (reminder.decisionId === null) continue;
      const key = `register-renewal-${reminder.reminderId}`;
      const subject = `Your professional registration is due for renewal on ${reminder.renewalDate}`;
      await sendOnce(
        sql,
        { idempotencyKey: `${key}/user-email`, decisionId: reminder.decisionId, channel: 'user-email' },
        () =>
          email.send({
            from: settings.email.from,
            to: reminder.email,
            subject,
            text: [
              `Your register shows that your registration must be renewed or revalidated by ${reminder.renewalDate}.`,
              'If it lapses, your verification here ends with it.',
            ].join('\n'),
            messageId: `${key}.user-email@kyc`,
          }),
      );
      await sendOnce(
        sql,
        { idempotencyKey: `${key}/cs-email`, decisionId: reminder.decisionId, channel: 'cs-email' },
        () =>
          email.send({
            from: settings.email.from,
            to: settings.email.csAddress,
            subject: `User ${reminder.userId}'s registration is due for renewal on ${reminder.renewalDate}`,
            text: `User ${reminder.userId}'s registration is due for renewal on ${reminder.renewalDate}.`,
            messageId: `${key}.cs-email@kyc`,
          }),
      );
    }
    return recorded.length;
  }

  return {
    async openRegisterSource(ref: SweepRef): Promise<SourceOpened> {
      const source = registerSources[ref.regType];
      const due = await countMonitoredUsers(sql, ref.regType);
      if (!source) {
        const error = `no register source is configured for ${ref.regType}`;
        await recordSourceHealth(sql, {
          regType: ref.regType,
          kind: 'NONE',
          reference: null,
          health: 'NOT_CONFIGURED',
          error,
        });
        return { kind: 'NONE', health: 'NOT_CONFIGURED', error, due, fileReads: 0, fileDiff: null };
      }
      if (source.kind === 'APIFY_ACTOR') {
        return { kind: source.kind, health: 'OK', error: null, due, fileReads: 0, fileDiff: null };
      }
      const already = await findFileRead(sql, ref.passId, ref.regType);
      if (already) {
        return { kind: source.kind, health: 'OK', error: null, due, fileReads: 1, fileDiff: already.diff };
      }
      const path = await source.fileFor(ref.asOf);
      if (!path) return await sourceFailed(ref, source.reference, `no ${ref.regType} register file for ${ref.asOf}`);
      let file: RegisterFile;
      try {
        file = await readRegisterFile(path);
      } catch (error) {
        return await sourceFailed(
          ref,
          source.reference,
          `${ref.regType} register file unreadable: ${(error as Error).message}`,
        );
      }
      // Kept by content, so every batch of the pass reads this very file even if a newer download lands meanwhile.
      await mkdir(settings.monitor.keptFilesDir, { recursive: true });
      const keptPath = join(
        settings.monitor.keptFilesDir,
        `${ref.regType.toLowerCase()}-${file.sha256}${extname(path)}`,
      );
      if (!(await stat(keptPath).catch(() => undefined))) await copyFile(path, keptPath);
      const previous = await previousFileRead(sql, ref.passId, ref.regType);
      const previousFile = previous ? await loadKept(previous.keptPath, previous.sha256).catch(() => null) : null;
      files.set(file.sha256, file);
      const read = await recordFileRead(sql, {
        passId: ref.passId,
        regType: ref.regType,
        snapshotDate: ref.asOf,
        sha256: file.sha256,
        keptPath,
        entries: file.entries,
        diff: diffRegisterFiles(previousFile, file),
      });
      logger.info({ regType: ref.regType, entries: read.entries, diff: read.diff }, 'register file read');
      return { kind: source.kind, health: 'OK', error: null, due, fileReads: 1, fileDiff: read.diff };
    },

    async checkRegisterBatch(input: RegisterBatchInput): Promise<RegisterBatchResult> {
      const { passId, asOf, regType, afterUserId } = input;
      const limit = settings.monitor.batchSize;
      const users = await selectMonitoredUsers(sql, { regType, afterUserId, limit });
      const empty = { checked: 0, changed: [], renewalReminders: 0, apifyRuns: 0 };
      if (users.length === 0) return { lastUserId: afterUserId, done: true, ...empty };

      const source = registerSources[regType];
      let itemsOf: (regNo: string) => unknown[];
      let sourceTag: Record<string, string>;
      let apifyRuns = 0;
      let itemsReturned: number | null = null;
      if (source?.kind === 'APIFY_ACTOR') {
        const { items, runs } = await itemsFromActor(
          input,
          users.map((user) => user.regNo),
        );
        apifyRuns = runs;
        itemsReturned = items.length;
        const byNumber = indexByNumber(
          items.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null),
        );
        itemsOf = (regNo) => byNumber.get(searchKey(regNo)) ?? [];
        sourceTag = { kind: source.kind, actor: source.reference };
      } else {
        const read = await findFileRead(sql, passId, regType);
        if (!read)
          throw ApplicationFailure.nonRetryable(`the ${regType} sweep has no register file open`, 'NoRegisterFile');
        const file = await loadKept(read.keptPath, read.sha256);
        itemsOf = (regNo) => file.rowsByNumber.get(searchKey(regNo)) ?? [];
        sourceTag = { kind: kindOf(source), sha256: read.sha256 };
      }

      const evidence: MonitorEvidence[] = users.map((user) => {
        const items = itemsOf(user.regNo);
        const record = registerRecordFromItems(regType, user.regNo, items);
        return {
          userId: user.userId,
          record,
          changes: registerChanges(user.baseline, record),
          source: sourceTag,
          items,
        };
      });
      const notFound = evidence.filter((row) => row.record.standing === 'NOT_FOUND').length;
      if (implausibleBatch({ numbers: users.length, notFound, itemsReturned })) {
        throw ApplicationFailure.nonRetryable(
          `the ${regType} source found ${users.length - notFound} of ${users.length} numbers in a batch` +
            (itemsReturned === 0 ? ' and returned no items: does the actor take registrationNumbers?' : ''),
          'ImplausibleRegisterAnswer',
        );
      }
      const regCheckIds = await recordMonitorChecks(sql, passId, asOf, evidence);
      const changed = evidence
        .filter((row) => row.changes.length > 0)
        .map((row) => ({
          userId: row.userId,
          regCheckId: regCheckIds.get(row.userId) as number,
          changes: row.changes,
        }));
      const renewalDue = evidence.flatMap((row): RenewalDue[] => {
        if (!row.record.renewalDate) return [];
        const daysLeft = daysBetween(asOf, row.record.renewalDate);
        const threshold = [...REMINDER_DAYS].reverse().find((days) => daysLeft >= 0 && daysLeft <= days);
        const regCheckId = regCheckIds.get(row.userId);
        return threshold === undefined || regCheckId === undefined
          ? []
          : [{ userId: row.userId, regCheckId, renewalDate: row.record.renewalDate, thresholdDays: threshold }];
      });
      const renewalReminders = await remindRenewals(passId, renewalDue);
      const lastUserId = users.at(-1)?.userId ?? afterUserId;
      logger.info({ passId, regType, checked: users.length, changed: changed.length }, 'register batch checked');
      return { lastUserId, done: users.length < limit, checked: users.length, changed, renewalReminders, apifyRuns };
    },

    async skipRegisterBatch({ regType, afterUserId }: RegisterBatchInput): Promise<SkippedBatch> {
      const limit = settings.monitor.batchSize;
      const users = await selectMonitoredUsers(sql, { regType, afterUserId, limit });
      return { lastUserId: users.at(-1)?.userId ?? afterUserId, done: users.length < limit, skipped: users.length };
    },

    async closeRegisterSweep(
      input: SweepRef & { health: RegisterSourceHealth; error: string | null },
    ): Promise<SweepClosed> {
      const source = registerSources[input.regType];
      const lastOkAt = await recordSourceHealth(sql, {
        regType: input.regType,
        kind: kindOf(source),
        reference: source?.reference ?? null,
        health: input.health,
        error: input.error,
      });
      return {
        lastCheckedAt: lastOkAt?.toISOString() ?? null,
        notRecheckedIn48h: await countNotRecheckedIn48h(sql, input.regType),
      };
    },

    async sendMonitorDigest(input: {
      passId: string;
      asOf: string;
      summary: RegisterMonitorSummary;
    }): Promise<boolean> {
      if (!(await claimDigest(sql, input.asOf, input.passId))) return false;
      const contents = await digestContents(sql, input.asOf, DIGEST_WINDOW_DAYS);
      const lines = (title: string, rows: DigestLine[]) => [
        `${title} (${rows.length}${rows.length === 500 ? '+' : ''}):`,
        ...(rows.length === 0
          ? ['  none']
          : rows.map((row) => `  ${row.date}  user ${row.userId} (${row.regType})  ${row.detail}`)),
        '',
      ];
      const registers = input.summary.registers.map(
        (sweep) =>
          `  ${sweep.regType}: ${sweep.source.kind} ${sweep.source.health}, checked ${sweep.checked} of ${sweep.due}, ` +
          `changed ${sweep.changed}, failed ${sweep.failed}`,
      );
      const recipients = [settings.email.csAddress, settings.email.complianceAddress].filter((to) => to !== null);
      await email.send({
        from: settings.email.from,
        to: recipients.join(', '),
        subject: `KYC daily digest ${input.asOf}: ${contents.changed.length} registrations changed`,
        text: [
          `Register monitor pass of ${input.asOf}:`,
          ...registers,
          '',
          ...lines('Registrations changed today', contents.changed),
          ...lines(`ID documents expiring within ${DIGEST_WINDOW_DAYS} days`, contents.idsExpiring),
          ...lines(`Registrations due for renewal within ${DIGEST_WINDOW_DAYS} days`, contents.registrationsExpiring),
        ].join('\n'),
        messageId: `monitor-digest-${input.asOf}@kyc`,
      });
      await markDigestSent(sql, input.asOf);
      return true;
    },

    async redecideOnRegisterChange(input: RedecideInput): Promise<Redecided> {
      const [check] = await sql<{ userId: number; record: RegisterRecord; changes: RegisterChange[] }[]>`
        select user_id as "userId", raw_response_json -> 'record' as record, register_changes as changes
        from reg_checks where id = ${input.regCheckId}`;
      if (!check || Number(check.userId) !== input.userId) {
        throw ApplicationFailure.nonRetryable(
          `register check ${input.regCheckId} is not user ${input.userId}'s`,
          'BadInput',
        );
      }
      const [scan] =
        input.idDocumentId === null
          ? []
          : await sql<{ name: string | null }[]>`
              select parsed_name as name from doc_scans where id_document_id = ${input.idDocumentId}
              order by completed_at desc limit 1`;
      const nameMatch: NameMatch = !scan?.name
        ? 'NOT_COMPARED'
        : check.record.fullName
          ? matchNames(scan.name, check.record.fullName)
          : 'MISMATCH';
      const register: RegisterOutcome = { status: 'CHECKED', standing: check.record.standing, nameMatch };
      const verdict = decideOnRegisterChange(input.outcomes, register, check.changes, input.current, settings.policy);
      const row = await recordDecision(sql, {
        userId: input.userId,
        cycleId: input.cycleId,
        ...verdict,
        source: 'AUTOMATIC',
        regCheckId: input.regCheckId,
        policyVersion: settings.policy.version,
        // The status read model shows the fresh register outcome from it; the dry-run leaves these rows out.
        policyInput: { document: input.outcomes.document, face: input.outcomes.face, register },
      });
      logger.info(
        { userId: input.userId, decisionId: row.id, decision: row.decision, changes: check.changes },
        'decided again after a register change',
      );
      return {
        decisionId: row.id,
        decision: row.decision,
        reasons: row.reasons,
        register,
        settings: settings.cycle,
      };
    },

    async notifyRegisterChange({ decisionId }: { decisionId: number }): Promise<void> {
      const decision = await getDecision(sql, decisionId);
      const [check] = await sql<{ changes: RegisterChange[]; snapshotDate: string }[]>`
        select r.register_changes as changes, to_char(r.snapshot_date, 'YYYY-MM-DD') as "snapshotDate"
        from kyc_decisions k join reg_checks r on r.id = k.reg_check_id where k.id = ${decisionId}`;
      if (!check)
        throw ApplicationFailure.nonRetryable(`decision ${decisionId} rests on no register change`, 'BadInput');
      const event = {
        type: 'registration.changed',
        decisionId,
        userId: decision.userId,
        decision: decision.decision,
        reasons: decision.reasons,
        changes: check.changes,
        snapshotDate: check.snapshotDate,
        decidedAt: decision.decidedAt.toISOString(),
      };
      for (const channel of productChannels) {
        const idempotencyKey = `decision-${decisionId}/${channel.name}`;
        await sendOnce(sql, { idempotencyKey, decisionId, channel: channel.name }, () =>
          channel.publish(event, idempotencyKey),
        );
      }
      if (decision.decision !== 'MANUAL_REVIEW') return;
      const idempotencyKey = `decision-${decisionId}/cs-email`;
      const workflowUrl = `${settings.links.temporalUiUrl}/namespaces/${settings.links.namespace}/workflows/${kycWorkflowId(decision.userId)}`;
      await sendOnce(sql, { idempotencyKey, decisionId, channel: 'cs-email' }, () =>
        email.send({
          from: settings.email.from,
          to: settings.email.csAddress,
          subject: `KYC case ${decision.userId} needs review: the register changed`,
          text: [
            `The register changed on ${check.snapshotDate}: ${check.changes.join(', ')}.`,
            '',
            `Case: ${kycWorkflowId(decision.userId)} (user ${decision.userId}, decision ${decisionId})`,
            `Reasons: ${decision.reasons.join(', ')}`,
            '',
            `Review it: ${settings.links.csBaseUrl}/cs/cases/${decision.userId}`,
            `Workflow: ${workflowUrl}`,
          ].join('\n'),
          messageId: `${idempotencyKey.replaceAll('/', '.')}@kyc`,
        }),
      );
    },
  };
}
