/**
 * `npm run schedules`: creates the Temporal Schedules this service relies on, or brings them in line with the
 * configuration; running it again changes nothing. The worker does the same at start-up when KYC_SCHEDULES_SETUP is
 * set. Today there is one: `kyc-expiry-weekly`, the weekly expiry pass (seed step 6).
 */
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { type Config, loadConfig } from '../config.ts';
import {
  EXPIRY_PASS_WORKFLOW_ID_PREFIX,
  EXPIRY_REMINDER_WORKFLOW_TYPE,
  EXPIRY_SCHEDULE_ID,
} from '../contract/expiry-workflow.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { ExpiryReminderWorkflow } from '../workflows/expiry.ts';
import { connectKycClient } from './temporal-client.ts';

/**
 * A pass missed while Temporal was down still runs when it comes back within this window: a late reminder beats one
 * skipped for a week. Shorter than the week, so an outage never yields two passes back to back.
 */
const EXPIRY_CATCHUP_WINDOW = '6 days';

export interface ExpiryScheduleSettings {
  taskQueue: string;
  dayOfWeek: Config['KYC_EXPIRY_SCHEDULE_DAY'];
  hour: number;
  minute: number;
  timeZone: string;
}

export function expiryScheduleSettings(config: Config): ExpiryScheduleSettings {
  return {
    taskQueue: config.KYC_TASK_QUEUE,
    dayOfWeek: config.KYC_EXPIRY_SCHEDULE_DAY,
    ...config.KYC_EXPIRY_SCHEDULE_TIME,
    timeZone: config.KYC_EXPIRY_SCHEDULE_TIME_ZONE,
  };
}

type ExpiryScheduleOptions = ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof ExpiryReminderWorkflow>>;

function expiryScheduleOptions(settings: ExpiryScheduleSettings): ExpiryScheduleOptions {
  const time = `${String(settings.hour).padStart(2, '0')}:${String(settings.minute).padStart(2, '0')}`;
  return {
    scheduleId: EXPIRY_SCHEDULE_ID,
    spec: {
      calendars: [
        {
          dayOfWeek: settings.dayOfWeek,
          hour: settings.hour,
          minute: settings.minute,
          comment: `every ${settings.dayOfWeek.toLowerCase()} at ${time}`,
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
      staticSummary: 'Weekly ID document expiry pass: 90/30/7-day reminders, expiry and forced re-upload',
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: EXPIRY_CATCHUP_WINDOW,
      pauseOnFailure: false,
    },
  };
}

/** Creates the expiry Schedule, or updates it to `settings`; a pause set by an operator stays as it is. */
export async function applyExpirySchedule(
  client: Client,
  settings: ExpiryScheduleSettings,
): Promise<'created' | 'updated'> {
  const options = expiryScheduleOptions(settings);
  try {
    await client.schedule.create(options);
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

/** Connects with the service's configuration and applies every Schedule, logging what it did. */
export async function setUpSchedules(config: Config, logger: Logger): Promise<void> {
  const kyc = await connectKycClient(config);
  try {
    const settings = expiryScheduleSettings(config);
    const outcome = await applyExpirySchedule(kyc.client, settings);
    logger.info({ scheduleId: EXPIRY_SCHEDULE_ID, outcome, ...settings }, `schedule ${outcome}`);
  } finally {
    await kyc.close();
  }
}

if (import.meta.main) {
  const config = loadConfig();
  await setUpSchedules(config, createLogger({ level: config.LOG_LEVEL }));
}
