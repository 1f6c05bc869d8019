/**
 * The public contract of ExpiryReminderWorkflow (seed step 6, `expiry_reminder_lambda`): one pass over the current ID
 * documents of verified users, started every day (or, as the seed had it, every week) by the Temporal Schedule
 * `kyc-expiry-reminders`. A pass reminds each
 * user 90, 30 and 7 days before their document expires, and at expiry marks document and user EXPIRED and tells the
 * user's KycWorkflow, which then waits for a re-upload.
 *
 * Input, progress and result carry ids and counts only; emails and document dates stay in PostgreSQL.
 */
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';

export const EXPIRY_REMINDER_WORKFLOW_TYPE = 'ExpiryReminderWorkflow';
export const EXPIRY_SCHEDULE_ID = 'kyc-expiry-reminders';
/**
 * The Schedule's id while the pass was weekly only. `npm run schedules` removes it once the new one exists (taking
 * over an operator's pause), so a deployment that had it never runs two passes.
 */
export const LEGACY_EXPIRY_SCHEDULE_ID = 'kyc-expiry-weekly';
/** Scheduled passes run as `kyc-expiry-pass-<scheduled time>` (the Schedule appends the time). */
export const EXPIRY_PASS_WORKFLOW_ID_PREFIX = 'kyc-expiry-pass';

/** Days before expiry at which a reminder goes out, least urgent first. */
export const REMINDER_DAYS = [90, 30, 7] as const;
export type ReminderDays = (typeof REMINDER_DAYS)[number];

/** A threshold the pass acts on: a reminder, or 0 for the expiry itself. */
export type ExpiryThreshold = ReminderDays | 0;
export const EXPIRY_THRESHOLDS: readonly ExpiryThreshold[] = [...REMINDER_DAYS, 0];

/** How many of a kind of bad record the pass met, and the first few document ids for ops to look at. */
export interface BadDataTally {
  count: number;
  idDocumentIds: number[];
}

export const BAD_DATA_SAMPLE_SIZE = 20;

export interface ExpiryBadData {
  /** A current, scanned document with no expiry date: nothing to remind about. */
  missingExpiryDate: BadDataTally;
  /** A blank or malformed users.email: the reminder went to the product channels only. */
  missingEmail: BadDataTally;
  /** A VERIFIED user with no PASS decision on record, which every notification hangs off: nothing was sent. */
  missingDecision: BadDataTally;
}

export interface ExpiryPassProgress {
  /** Ties the pass's runs (continue-as-new) and its rows in expiry_reminders together. */
  passId: string;
  /** The pass's date in the schedule's time zone; days left are counted from it. */
  asOf: string;
  /** 1 for the first run of the pass, +1 for every continue-as-new. */
  run: number;
  batches: number;
  /** Documents that needed a reminder or their expiry this pass. */
  documentsDue: number;
  reminders: Record<ReminderDays, number>;
  expired: number;
  /** Expired documents whose user has no KycWorkflow to tell. */
  expiredWithoutWorkflow: number;
  badData: ExpiryBadData;
  done: boolean;
  /** Set when a batch gave up after its retry budget: the pass ended there, and the next scheduled pass starts over. */
  gaveUp?: string;
}

/** The pass's progress while it runs; its result is the same view with `done: true`. */
export const expiryProgressQuery = defineQuery<ExpiryPassProgress>('expiryProgress');

/**
 * The Schedule passes `{ timeZone }`. `carryOver` is the pass's own state handed to its next run by continue-as-new.
 */
export const expiryReminderInputSchema = z.object({
  /** The IANA time zone whose calendar date is the pass's `asOf`. */
  timeZone: z.string().min(1).max(64),
  /** Batches per run before continuing as new, which keeps each run's history short. */
  batchesPerRun: z.number().int().min(1).max(1000).default(100),
  carryOver: z
    .object({
      /** The last document handled; the next batch starts after it. */
      afterIdDocumentId: z.number().int().positive().nullable(),
      progress: z.custom<ExpiryPassProgress>(),
    })
    .optional(),
});
export type ExpiryReminderInput = z.input<typeof expiryReminderInputSchema>;
