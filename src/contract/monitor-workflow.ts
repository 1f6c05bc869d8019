/**
 * The public contract of register monitoring: `RegisterMonitorWorkflow`, one daily pass started by the Schedule
 * `kyc-register-monitor`, which runs one `RegisterSweepWorkflow` child per register; their input, summary query and
 * result; and the activities both call. Inputs, results and queries carry ids, counts and register types only:
 * names, numbers and register entries stay in PostgreSQL.
 */
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import type { RegisterChange } from '../domain/register-change.ts';
import { REG_TYPES, type RegisterSourceHealth, type RegisterSourceKind, type RegType } from '../domain/registers.ts';

export const REGISTER_MONITOR_WORKFLOW_TYPE = 'RegisterMonitorWorkflow';
export const REGISTER_SWEEP_WORKFLOW_TYPE = 'RegisterSweepWorkflow';
export const REGISTER_MONITOR_SCHEDULE_ID = 'kyc-register-monitor';
/** Scheduled passes run as `kyc-register-monitor-pass-<scheduled time>`; each register's sweep as `<pass id>-<REG>`. */
export const REGISTER_MONITOR_WORKFLOW_ID_PREFIX = 'kyc-register-monitor-pass';

/** What one register's sweep found; the pass's summary has one per register. */
export interface RegisterSweepSummary {
  regType: RegType;
  source: { kind: RegisterSourceKind; health: RegisterSourceHealth; error: string | null };
  /** Users due a re-check: VERIFIED or in review, on this register. */
  due: number;
  /** Users whose fresh record was stored with today's snapshot date. */
  checked: number;
  /** Of those, users with a change that matters (each signalled `registerChanged`). */
  changed: number;
  /** Users left unchecked because the source failed or is missing. */
  failed: number;
  /** Changed users without a running KycWorkflow to tell. */
  changedWithoutWorkflow: number;
  /** Registration renewal reminders sent. */
  renewalReminders: number;
  /** Actor runs started, and register files read. */
  apifyRuns: number;
  fileReads: number;
  /** Versus the file the last pass read: entries added, removed, changed; null for an actor source. */
  fileDiff: { added: number; removed: number; changed: number } | null;
  /** When this register last answered a whole pass, ISO; null if never. */
  lastCheckedAt: string | null;
  /** Users whose latest stored check is older than 48 hours at the end of the sweep. */
  notRecheckedIn48h: number;
  batches: number;
  done: boolean;
}

export interface RegisterMonitorSummary {
  passId: string;
  /** The pass's date on the schedule's calendar: the snapshot date of every record it stores. */
  asOf: string;
  checked: number;
  changed: number;
  failed: number;
  registers: RegisterSweepSummary[];
  /** Registers without a working source this pass. */
  registersWithoutWorkingSource: RegType[];
  /** Whether the day's digest went to CS and compliance (false when another pass of the day had sent it). */
  digestSent: boolean;
  done: boolean;
}

export const registerMonitorSummaryQuery = defineQuery<RegisterMonitorSummary>('registerMonitorSummary');
export const registerSweepSummaryQuery = defineQuery<RegisterSweepSummary>('registerSweepSummary');

export const registerMonitorInputSchema = z.object({
  /** The IANA time zone whose calendar date is the pass's `asOf`. */
  timeZone: z.string().min(1).max(64),
  /** Batches per sweep run before continuing as new, which keeps each run's history short. */
  batchesPerRun: z.number().int().min(1).max(1000).default(25),
});
export type RegisterMonitorInput = z.input<typeof registerMonitorInputSchema>;

export const registerSweepInputSchema = z.object({
  passId: z.uuid(),
  asOf: z.iso.date(),
  regType: z.enum(REG_TYPES),
  batchesPerRun: z.number().int().min(1).max(1000),
  carryOver: z
    .object({
      /** The last user handled; the next batch starts after it. */
      afterUserId: z.number().int().nonnegative(),
      summary: z.custom<RegisterSweepSummary>(),
    })
    .optional(),
});
export type RegisterSweepInput = z.input<typeof registerSweepInputSchema>;

// ─── Activities ────────────────────────────────────────────────────────────────────────────────────────────────

export interface SweepRef {
  passId: string;
  /** YYYY-MM-DD: the snapshot date, from the workflow's clock. */
  asOf: string;
  regType: RegType;
}

export interface SourceOpened {
  kind: RegisterSourceKind;
  health: RegisterSourceHealth;
  error: string | null;
  due: number;
  fileReads: number;
  fileDiff: RegisterSweepSummary['fileDiff'];
}

export interface ChangedUser {
  userId: number;
  /** The reg_checks row holding the fresh record. */
  regCheckId: number;
  changes: RegisterChange[];
}

export interface RegisterBatchInput extends SweepRef {
  afterUserId: number;
}

export interface RegisterBatchResult {
  /** Where the next batch starts. */
  lastUserId: number;
  done: boolean;
  checked: number;
  changed: ChangedUser[];
  renewalReminders: number;
  apifyRuns: number;
}

export interface SkippedBatch {
  lastUserId: number;
  done: boolean;
  skipped: number;
}

export interface SweepClosed {
  lastCheckedAt: string | null;
  notRecheckedIn48h: number;
}

export interface RegisterMonitorActivities {
  openRegisterSource(input: SweepRef): Promise<SourceOpened>;
  checkRegisterBatch(input: RegisterBatchInput): Promise<RegisterBatchResult>;
  /** After a batch gave up: the users it covered, counted as failed, so the sweep moves on. */
  skipRegisterBatch(input: RegisterBatchInput): Promise<SkippedBatch>;
  closeRegisterSweep(input: SweepRef & { health: RegisterSourceHealth; error: string | null }): Promise<SweepClosed>;
  /** The day's digest to CS and compliance, once per date. */
  sendMonitorDigest(input: { passId: string; asOf: string; summary: RegisterMonitorSummary }): Promise<boolean>;
}
