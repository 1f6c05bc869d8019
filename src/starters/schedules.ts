/**
 * `npm run schedules`: creates the Temporal Schedules this service relies on, or brings them in line with the
 * configuration; running it again changes nothing. The worker does the same at start-up when KYC_SCHEDULES_SETUP is
 * set. There are three: `kyc-expiry-reminders`, the expiry pass (seed step 6; daily, or weekly as the seed had it),
 * `kyc-register-monitor`, the daily re-check of every monitored user's registration, and `kyc-image-retention`, the
 * daily deletion of images past KYC_IMAGE_RETENTION (README, Compliance).
 */
import {
  type Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { type Config, loadConfig } from '../config.ts';
import {
  IMAGE_RETENTION_SCHEDULE_ID,
  IMAGE_RETENTION_WORKFLOW_ID_PREFIX,
  IMAGE_RETENTION_WORKFLOW_TYPE,
} from '../contract/erasure-workflow.ts';
import {
  EXPIRY_PASS_WORKFLOW_ID_PREFIX,
  EXPIRY_REMINDER_WORKFLOW_TYPE,
  EXPIRY_SCHEDULE_ID,
  LEGACY_EXPIRY_SCHEDULE_ID,
} from '../contract/expiry-workflow.ts';
import {
  REGISTER_MONITOR_SCHEDULE_ID,
  REGISTER_MONITOR_WORKFLOW_ID_PREFIX,
  REGISTER_MONITOR_WORKFLOW_TYPE,
} from '../contract/monitor-workflow.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { ImageRetentionWorkflow } from '../workflows/erasure.ts';
import type { ExpiryReminderWorkflow } from '../workflows/expiry.ts';
import type { RegisterMonitorWorkflow } from '../workflows/monitor.ts';
import { connectKycClient } from './temporal-client.ts';

/**
 * A pass missed while Temporal was down still runs when it comes back within this window: a late reminder or re-check
 * beats one skipped. Shorter than the period, so an outage never yields two passes back to back.
 */
const CATCHUP_WINDOW = { daily: '23 hours', weekly: '6 days' } as const;

export interface ExpiryScheduleSettings {
  taskQueue: string;
  frequency: Config['KYC_EXPIRY_SCHEDULE_FREQUENCY'];
  /** Only for a weekly pass. */
  dayOfWeek: Config['KYC_EXPIRY_SCHEDULE_DAY'];
  hour: number;
  minute: number;
  timeZone: string;
}

export function expiryScheduleSettings(config: Config): ExpiryScheduleSettings {
  return {
    taskQueue: config.KYC_TASK_QUEUE,
    frequency: config.KYC_EXPIRY_SCHEDULE_FREQUENCY,
    dayOfWeek: config.KYC_EXPIRY_SCHEDULE_DAY,
    ...config.KYC_EXPIRY_SCHEDULE_TIME,
    timeZone: config.KYC_EXPIRY_SCHEDULE_TIME_ZONE,
  };
}

export interface MonitorScheduleSettings {
  taskQueue: string;
  hour: number;
  minute: number;
  timeZone: string;
}

export function monitorScheduleSettings(config: Config): MonitorScheduleSettings {
  return {
    taskQueue: config.KYC_TASK_QUEUE,
    ...config.KYC_MONITOR_SCHEDULE_TIME,
    timeZone: config.KYC_EXPIRY_SCHEDULE_TIME_ZONE,
  };
}

const clock = (hour: number, minute: number) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;

/** Once a day at the settings' time, in their time zone: the register monitor and the image retention pass. */
function dailySpec(settings: MonitorScheduleSettings): ScheduleOptions['spec'] {
  const comment = `every day at ${clock(settings.hour, settings.minute)}`;
  return {
    calendars: [{ hour: settings.hour, minute: settings.minute, comment }],
    timezone: settings.timeZone,
  };
}

/** A daily pass that is still running skips the next start, and a missed one is caught up within the day. */
const DAILY_POLICIES = {
  overlap: ScheduleOverlapPolicy.SKIP,
  catchupWindow: CATCHUP_WINDOW.daily,
  pauseOnFailure: false,
} satisfies ScheduleOptions['policies'];

type ExpiryScheduleOptions = ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof ExpiryReminderWorkflow>>;
type MonitorScheduleOptions = ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof RegisterMonitorWorkflow>>;

function expiryScheduleOptions(settings: ExpiryScheduleSettings): ExpiryScheduleOptions {
  const time = clock(settings.hour, settings.minute);
  const weekly = settings.frequency === 'weekly';
  return {
    scheduleId: EXPIRY_SCHEDULE_ID,
    spec: {
      calendars: [
        {
          ...(weekly ? { dayOfWeek: settings.dayOfWeek } : {}),
          hour: settings.hour,
          minute: settings.minute,
          comment: weekly ? `every ${settings.dayOfWeek.toLowerCase()} at ${time}` : `every day at ${time}`,
        },
      ],
      timezone: settings.timeZone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: EXPIRY_REMINDER_WORKFLOW_TYPE,
      workflowId: EXPIRY_PASS_WORKFLOW_ID_PREFIX,
      taskQueue: settings.taskQueue,
      args: [{ timeZone: settings.timeZone }],
      staticSummary: `${weekly ? 'Weekly' : 'Daily'} ID document expiry pass: 90/30/7-day reminders, expiry and forced re-upload`,
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: CATCHUP_WINDOW[settings.frequency],
      pauseOnFailure: false,
    },
  };
}

function monitorScheduleOptions(settings: MonitorScheduleSettings): MonitorScheduleOptions {
  return {
    scheduleId: REGISTER_MONITOR_SCHEDULE_ID,
    spec: dailySpec(settings),
    action: {
      type: 'startWorkflow',
      workflowType: REGISTER_MONITOR_WORKFLOW_TYPE,
      workflowId: REGISTER_MONITOR_WORKFLOW_ID_PREFIX,
      taskQueue: settings.taskQueue,
      args: [{ timeZone: settings.timeZone }],
      staticSummary: 'Daily register re-check of every verified user and every user in review',
    },
    policies: DAILY_POLICIES,
  };
}

type RetentionScheduleOptions = ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof ImageRetentionWorkflow>>;

/** Daily at the expiry pass's time of day: deleting images is not urgent, and the two passes touch other rows. */
function retentionScheduleOptions(settings: MonitorScheduleSettings): RetentionScheduleOptions {
  return {
    scheduleId: IMAGE_RETENTION_SCHEDULE_ID,
    spec: dailySpec(settings),
    action: {
      type: 'startWorkflow',
      workflowType: IMAGE_RETENTION_WORKFLOW_TYPE,
      workflowId: IMAGE_RETENTION_WORKFLOW_ID_PREFIX,
      taskQueue: settings.taskQueue,
      args: [],
      staticSummary: 'Daily image retention: deletes document images and selfies past KYC_IMAGE_RETENTION',
    },
    policies: DAILY_POLICIES,
  };
}

export function retentionScheduleSettings(config: Config): MonitorScheduleSettings {
  return {
    taskQueue: config.KYC_TASK_QUEUE,
    ...config.KYC_EXPIRY_SCHEDULE_TIME,
    timeZone: config.KYC_EXPIRY_SCHEDULE_TIME_ZONE,
  };
}

/** Creates the `kyc-image-retention` Schedule, or updates it to `settings`. */
export async function applyRetentionSchedule(
  client: Client,
  settings: MonitorScheduleSettings,
): Promise<'created' | 'updated'> {
  return await applySchedule(client, retentionScheduleOptions(settings));
}

/**
 * Creates a Schedule, or updates it to `options`; a pause set by an operator stays as it is. A new Schedule starts
 * with `initialPause` when one is given (an operator's pause taken over from the Schedule it replaces).
 */
async function applySchedule(
  client: Client,
  options: ScheduleOptions,
  initialPause?: string,
): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create({
      ...options,
      ...(initialPause ? { state: { paused: true, note: initialPause } } : {}),
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({
    spec: options.spec,
    action: options.action,
    policies: options.policies,
    state: previous.state,
  }));
  return 'updated';
}

/**
 * Creates the expiry Schedule, or updates it to `settings`. A deployment that still has the weekly-only
 * `kyc-expiry-weekly` gets the new one in its place: an operator's pause on the old one carries over, then the old
 * one is deleted, so two passes never run.
 */
export async function applyExpirySchedule(
  client: Client,
  settings: ExpiryScheduleSettings,
): Promise<'created' | 'updated'> {
  const legacy = client.schedule.getHandle(LEGACY_EXPIRY_SCHEDULE_ID);
  const legacyState = await legacy.describe().then(
    (description) => (description.action.workflowType === EXPIRY_REMINDER_WORKFLOW_TYPE ? description.state : null),
    (error: unknown) => {
      if (error instanceof ScheduleNotFoundError) return null;
      throw error;
    },
  );
  const pause = legacyState?.paused ? (legacyState.note ?? `paused on ${LEGACY_EXPIRY_SCHEDULE_ID}`) : undefined;
  const outcome = await applySchedule(client, expiryScheduleOptions(settings), pause);
  if (legacyState) {
    await legacy.delete().catch((error: unknown) => {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    });
  }
  return outcome;
}

/** Creates the `kyc-register-monitor` Schedule, or updates it to `settings`. */
export async function applyMonitorSchedule(
  client: Client,
  settings: MonitorScheduleSettings,
): Promise<'created' | 'updated'> {
  return await applySchedule(client, monitorScheduleOptions(settings));
}

/** Connects with the service's configuration and applies every Schedule, logging what it did. */
export async function setUpSchedules(config: Config, logger: Logger): Promise<void> {
  const kyc = await connectKycClient(config);
  try {
    const expiry = expiryScheduleSettings(config);
    const expiryOutcome = await applyExpirySchedule(kyc.client, expiry);
    // The day of the week means something only for a weekly pass.
    const { dayOfWeek, ...everyDay } = expiry;
    const logged = expiry.frequency === 'weekly' ? expiry : everyDay;
    logger.info({ scheduleId: EXPIRY_SCHEDULE_ID, outcome: expiryOutcome, ...logged }, `schedule ${expiryOutcome}`);
    const monitor = monitorScheduleSettings(config);
    const monitorOutcome = await applyMonitorSchedule(kyc.client, monitor);
    logger.info(
      { scheduleId: REGISTER_MONITOR_SCHEDULE_ID, outcome: monitorOutcome, ...monitor },
      `schedule ${monitorOutcome}`,
    );
    const retention = retentionScheduleSettings(config);
    const retentionOutcome = await applyRetentionSchedule(kyc.client, retention);
    logger.info(
      { scheduleId: IMAGE_RETENTION_SCHEDULE_ID, outcome: retentionOutcome, ...retention },
      `schedule ${retentionOutcome}`,
    );
  } finally {
    await kyc.close();
  }
}

/** Runs the register monitor now, as its Schedule would (`npm run schedules -- trigger-monitor`). */
async function triggerMonitor(config: Config, logger: Logger): Promise<void> {
  const kyc = await connectKycClient(config);
  try {
    await kyc.client.schedule.getHandle(REGISTER_MONITOR_SCHEDULE_ID).trigger(ScheduleOverlapPolicy.SKIP);
    logger.info({ scheduleId: REGISTER_MONITOR_SCHEDULE_ID }, 'schedule triggered');
  } finally {
    await kyc.close();
  }
}

if (import.meta.main) {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  if (process.argv[2] === 'trigger-monitor') await triggerMonitor(config, logger);
  else await setUpSchedules(config, logger);
}
