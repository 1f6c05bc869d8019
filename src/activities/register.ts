/**
 * Seed step 3 (reg_request_lambda, reg_check_lambda): start the register's Apify actor with a webhook back to us,
 * then read the finished run's dataset, compare it with the ID document and record the check.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { CALLBACK_TOKEN_HEADER, callbackToken } from '../adapters/apify/callback-token.ts';
import { TERMINAL_RUN_STATUSES } from '../adapters/apify/index.ts';
import { PermanentAdapterError } from '../adapters/errors.ts';
import type { CycleRef, IngestRegisterResultInput, RequestRegisterCheckResult } from '../contract/activities.ts';
import { findRegisterRun, recordRegisterCheck, recordRegisterIntent, recordRegisterRun } from '../db/checks.ts';
import { scannedName } from '../db/documents.ts';
import { getUser } from '../db/users.ts';
import { matchNames } from '../domain/names.ts';
import type { NameMatch, RegisterOutcome } from '../domain/outcomes.ts';
import { registerRecordFromItems } from '../domain/register-records.ts';
import type { ActivityDeps } from './deps.ts';
import { createMirrorPublisher } from './mirror.ts';

const REGISTER_CLOCK_SKEW_MS = 60_000;

export function createRegisterActivities({ sql, registers, settings, logger, mirror }: ActivityDeps) {
  const mirrored = createMirrorPublisher(sql, mirror);
  function webhookFor(userId: number, cycleId: string) {
    if (!settings.registerWebhookUrl) return null;
    return {
      requestUrl: settings.registerWebhookUrl,
      tag: { userId, cycleId },
      headers: { [CALLBACK_TOKEN_HEADER]: callbackToken(settings.webhookSecret, userId, cycleId) },
      idempotencyKey: `kyc-register-${cycleId}`,
    };
  }

  return {
    async requestRegisterCheck({ userId, cycleId }: CycleRef): Promise<RequestRegisterCheckResult> {
      const callbackExpected = settings.registerWebhookUrl !== null;
      // A retry after the run was recorded must not start a second run.
      const recorded = await findRegisterRun(sql, cycleId);
      if (recorded) {
        const run = await registers.getRun(recorded.runId, 0);
        return {
          started: true,
          runId: run.runId,
          finished: TERMINAL_RUN_STATUSES.includes(run.status),
          callbackExpected,
        };
      }
      const user = await getUser(sql, userId);
      try {
        // The intent goes first: an attempt that crashed after starting the run but before recording it left a run
        // behind, which this attempt finds by the cycle id the run carries instead of scraping a second time.
        const intent = await recordRegisterIntent(sql, { userId, cycleId, regType: user.regType });
        // Apify's clock and ours may differ by a little; a minute's margin still excludes other cycles' runs.
        const since = new Date(intent.requestedAt.getTime() - REGISTER_CLOCK_SKEW_MS);
        const lost = intent.first ? null : await registers.findRun(user.regType, cycleId, since);
        const run = lost ?? (await registers.startRun(user.regType, user.regNo, webhookFor(userId, cycleId), cycleId));
        if (lost) logger.warn({ userId, cycleId, runId: lost.runId }, 'register run found after an interrupted start');
        const kept = await recordRegisterRun(sql, {
          userId,
          cycleId,
          regType: user.regType,
          actorId: run.actorId,
          runId: run.runId,
          datasetId: run.datasetId,
        });
        logger.info({ userId, cycleId, runId: kept.runId, regType: user.regType }, 'register check started');
        const finished = kept.runId === run.runId && TERMINAL_RUN_STATUSES.includes(run.status);
        return { started: true, runId: kept.runId, finished, callbackExpected };
      } catch (error) {
        if (error instanceof PermanentAdapterError && error.reason === 'NOT_CONFIGURED') {
          await recordRegisterCheck(sql, {
            userId,
            cycleId,
            snapshotDate: new Date().toISOString().slice(0, 10),
            matchedName: false,
            matchedStatus: false,
            rawResponse: { error: 'NO_ACTOR_CONFIGURED', regType: user.regType },
            runId: null,
            standing: null,
            outcome: { status: 'ERROR', cause: 'NO_ACTOR_CONFIGURED' },
            provider: settings.providers.register,
          });
          return { started: false, cause: 'NO_ACTOR_CONFIGURED' };
        }
        throw error;
      }
    },

    /**
     * Reads the run Apify reports — never the webhook's word for it. A run still going fails this attempt so that
     * Temporal's retries poll it, until the workflow's poll timeout says the register timed out.
     */
    async ingestRegisterResult({ userId, cycleId, runId, asOf }: IngestRegisterResultInput): Promise<RegisterOutcome> {
      const run = await registers.getRun(runId, 10);
      if (!TERMINAL_RUN_STATUSES.includes(run.status)) {
        throw ApplicationFailure.retryable(`register run ${runId} is ${run.status}`, 'RegisterRunPending');
      }
      const base = { userId, cycleId, snapshotDate: asOf, runId, provider: settings.providers.register };
      if (run.status !== 'SUCCEEDED') {
        const outcome: RegisterOutcome = { status: 'ERROR', cause: 'RUN_FAILED' };
        await recordRegisterCheck(sql, {
          ...base,
          matchedName: false,
          matchedStatus: false,
          rawResponse: { run: { id: run.runId, status: run.status } },
          standing: null,
          outcome,
        });
        await mirrored.checkRecorded(userId, cycleId, 'register');
        return outcome;
      }
      const items = await registers.listItems(run.datasetId);
      const user = await getUser(sql, userId);
      const record = registerRecordFromItems(user.regType, user.regNo, items);
      const documentName = await scannedName(sql, cycleId);
      // Without a name on both sides there is nothing to compare: no entry is found, not a mismatch.
      const nameMatch: NameMatch =
        documentName === null || !record.fullName ? 'NOT_COMPARED' : matchNames(documentName, record.fullName);
      const outcome: RegisterOutcome = { status: 'CHECKED', standing: record.standing, nameMatch };
      await recordRegisterCheck(sql, {
        ...base,
        matchedName: nameMatch === 'EXACT' || nameMatch === 'MIDDLE_NAME_MISSING',
        matchedStatus: record.standing === 'REGISTERED',
        rawResponse: { run: { id: run.runId, status: run.status }, items, record },
        standing: record.standing,
        outcome,
      });
      logger.info({ userId, cycleId, runId, outcome }, 'register checked');
      await mirrored.checkRecorded(userId, cycleId, 'register');
      return outcome;
    },
  };
}
