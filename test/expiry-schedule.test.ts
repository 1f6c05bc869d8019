/**
 * The `kyc-expiry-reminders` and `kyc-register-monitor` Schedules on the shared dev server (the time-skipping server has no Schedules): its spec as
 * `npm run schedules` applies it, and a pass started by `trigger()` with the real activities, PostgreSQL and a real
 * SMTP server. The product channel is a recording double.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitySettingsFromConfig } from '../src/activities/deps.ts';
import { createExpiryActivities } from '../src/activities/expiry.ts';
import { createSmtpEmailTransport } from '../src/adapters/email/smtp.ts';
import type { ProductChannel } from '../src/adapters/product-channel.ts';
import { type Config, ConfigError, loadConfig } from '../src/config.ts';
import {
  EXPIRY_PASS_WORKFLOW_ID_PREFIX,
  EXPIRY_REMINDER_WORKFLOW_TYPE,
  EXPIRY_SCHEDULE_ID,
  type ExpiryPassProgress,
  LEGACY_EXPIRY_SCHEDULE_ID,
} from '../src/contract/expiry-workflow.ts';
import {
  REGISTER_MONITOR_SCHEDULE_ID,
  REGISTER_MONITOR_WORKFLOW_ID_PREFIX,
  REGISTER_MONITOR_WORKFLOW_TYPE,
} from '../src/contract/monitor-workflow.ts';
import { createLogger } from '../src/logger.ts';
import {
  applyExpirySchedule,
  applyMonitorSchedule,
  expiryScheduleSettings,
  monitorScheduleSettings,
} from '../src/starters/schedules.ts';
import { createTestDatabase, spreadUserIds, type TestDatabase } from './support/database.ts';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.ts';
import { connectDevServer, createTestWorker } from './support/temporal.ts';

const SIX_DAYS_MS = 6 * 86_400_000;
const TWENTY_THREE_HOURS_MS = 23 * 3_600_000;

function londonDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(at);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Weekday and time of day of an instant on the London clock, e.g. `Wednesday 07:30`. */
function londonWeekdayAndTime(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(at)
    .replace(' at', '');
}

describe('the kyc-expiry-reminders Schedule', () => {
  let env: TestWorkflowEnvironment;
  let db: TestDatabase;
  let smtp: SmtpSink;
  let worker: Worker;
  let running: Promise<void>;
  let config: Config;
  const published: Array<{ event: Record<string, unknown>; idempotencyKey: string }> = [];
  const snsDouble: ProductChannel = {
    name: 'sns',
    async publish(event, idempotencyKey) {
      published.push({ event: event as Record<string, unknown>, idempotencyKey });
    },
  };

  beforeAll(async () => {
    [env, db, smtp] = await Promise.all([connectDevServer(), createTestDatabase(), startSmtpSink()]);
    // This pass's documentExpired signals must not reach other files' workflows on the shared server.
    await spreadUserIds(db.sql);
    config = loadConfig({
      DATABASE_URL: db.url,
      KYC_TASK_QUEUE: `kyc-expiry-${randomUUID()}`,
      KYC_EXPIRY_SCHEDULE_FREQUENCY: 'weekly',
      KYC_EXPIRY_SCHEDULE_DAY: 'wednesday',
      KYC_EXPIRY_SCHEDULE_TIME: '07:30',
      KYC_EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
    });
    worker = await createTestWorker(env, {
      taskQueue: config.KYC_TASK_QUEUE,
      activities: createExpiryActivities({
        sql: db.sql,
        logger: createLogger({ level: 'silent' }),
        email: createSmtpEmailTransport(smtp.url),
        productChannels: [snsDouble],
        settings: activitySettingsFromConfig(config),
      }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    for (const scheduleId of [EXPIRY_SCHEDULE_ID, LEGACY_EXPIRY_SCHEDULE_ID, REGISTER_MONITOR_SCHEDULE_ID]) {
      await env?.client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => {});
    }
    worker?.shutdown();
    await running;
    await Promise.all([smtp?.close(), db?.close()]);
    await env?.teardown();
  });

  it('reads its day, time and time zone from the environment, and refuses nonsense', () => {
    expect(expiryScheduleSettings(config)).toEqual({
      taskQueue: config.KYC_TASK_QUEUE,
      frequency: 'weekly',
      dayOfWeek: 'WEDNESDAY',
      hour: 7,
      minute: 30,
      timeZone: 'Europe/London',
    });
    for (const [name, value] of [
      ['KYC_EXPIRY_SCHEDULE_DAY', 'someday'],
      ['KYC_EXPIRY_SCHEDULE_TIME', '25:00'],
      ['KYC_EXPIRY_SCHEDULE_TIME_ZONE', 'Mars/Olympus_Mons'],
      ['KYC_EXPIRY_BATCH_SIZE', '0'],
      ['KYC_EXPIRY_SCHEDULE_FREQUENCY', 'hourly'],
      ['KYC_MONITOR_SCHEDULE_TIME', '5am'],
      ['KYC_MONITOR_BATCH_SIZE', '0'],
      ['KYC_REGISTER_DATA_FILES', 'HCPC:/data/hcpc.csv'],
    ] as const) {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    }
  });

  it("runs daily unless the seed's weekly pass is asked for", () => {
    expect(loadConfig({}).KYC_EXPIRY_SCHEDULE_FREQUENCY).toBe('daily');
  });

  it('is created weekly on London time with overlap SKIP and a six-day catch-up, and re-applying updates it in place', async () => {
    expect(await applyExpirySchedule(env.client, expiryScheduleSettings(config))).toBe('created');
    const handle = env.client.schedule.getHandle(EXPIRY_SCHEDULE_ID);
    const created = await handle.describe();
    expect(created.spec.timezone).toBe('Europe/London');
    expect(created.spec.calendars).toEqual([
      expect.objectContaining({
        dayOfWeek: [{ start: 'WEDNESDAY', end: 'WEDNESDAY', step: 1 }],
        hour: [{ start: 7, end: 7, step: 1 }],
        minute: [{ start: 30, end: 30, step: 1 }],
      }),
    ]);
    expect(created.policies).toEqual({ overlap: 'SKIP', catchupWindow: SIX_DAYS_MS, pauseOnFailure: false });
    expect(created.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: EXPIRY_REMINDER_WORKFLOW_TYPE,
      workflowId: EXPIRY_PASS_WORKFLOW_ID_PREFIX,
      taskQueue: config.KYC_TASK_QUEUE,
      args: [{ timeZone: 'Europe/London' }],
    });
    const [first, second] = created.info.nextActionTimes;
    expect(first && londonWeekdayAndTime(first)).toBe('Wednesday 07:30');
    expect(second && londonWeekdayAndTime(second)).toBe('Wednesday 07:30');
    expect(londonDate(second as Date)).toBe(addDays(londonDate(first as Date), 7));

    // An operator's pause survives a re-apply; a new day and time replace the old ones.
    await handle.pause('paused by ops');
    const moved = { ...expiryScheduleSettings(config), dayOfWeek: 'FRIDAY' as const, hour: 18, minute: 5 };
    expect(await applyExpirySchedule(env.client, moved)).toBe('updated');
    const updated = await handle.describe();
    expect(updated.state).toMatchObject({ paused: true, note: 'paused by ops' });
    expect(updated.spec.calendars).toHaveLength(1);
    expect(londonWeekdayAndTime(updated.info.nextActionTimes[0] as Date)).toBe('Friday 18:05');

    await handle.unpause();
    expect(await applyExpirySchedule(env.client, expiryScheduleSettings(config))).toBe('updated');
    const reapplied = await handle.describe();
    expect(reapplied.spec).toEqual(created.spec);
    expect(reapplied.policies).toEqual(created.policies);
    expect(reapplied.state.paused).toBe(false);
  });

  it('runs a pass on trigger() that sends the expected reminders and expires what has expired', async () => {
    const today = londonDate(new Date());
    const seed = async (label: string, expiresInDays: number, status = 'VERIFIED') => {
      const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
      const [user] = await db.sql<{ id: number }[]>`
        insert into users (email, reg_no, reg_type, status)
        values (${email}, ${randomUUID().slice(0, 12)}, 'GDC', ${status}) returning id`;
      const userId = (user as { id: number }).id;
      const [document] = await db.sql<{ id: number }[]>`
        insert into id_documents (user_id, s3_key_original, doc_type, status, expiry_date)
        values (${userId}, ${`kyc-raw/${userId}/passport.jpg`}, 'passport', 'OCR_DONE', ${addDays(today, expiresInDays)})
        returning id`;
      await db.sql`insert into kyc_decisions (user_id, decision, policy_version) values (${userId}, 'PASS', 'v1')`;
      return { userId, idDocumentId: (document as { id: number }).id, email };
    };
    const in20Days = await seed('twenty', 20);
    const in5Days = await seed('five', 5);
    const expired = await seed('expired', -1);
    const in200Days = await seed('far', 200);
    const pending = await seed('pending', 5, 'PENDING');

    const handle = env.client.schedule.getHandle(EXPIRY_SCHEDULE_ID);
    const actionsBefore = (await handle.describe()).info.recentActions.length;
    await handle.trigger();
    const workflowId = await expectEventually(async () => {
      const actions = (await handle.describe()).info.recentActions;
      return actions.length > actionsBefore ? actions.at(-1)?.action.workflow.workflowId : undefined;
    });
    expect(workflowId.startsWith(`${EXPIRY_PASS_WORKFLOW_ID_PREFIX}-`)).toBe(true);
    const result: ExpiryPassProgress = await env.client.workflow.getHandle(workflowId).result();

    expect(result).toMatchObject({
      asOf: today,
      done: true,
      documentsDue: 3,
      reminders: { 90: 0, 30: 1, 7: 1 },
      expired: 1,
      expiredWithoutWorkflow: 1,
    });
    const subjects = (email: string) =>
      smtp.messages.filter((message) => message.to.includes(email)).map((message) => message.subject);
    expect(subjects(in20Days.email)).toEqual([`Action needed: your ID document expires on ${addDays(today, 20)}`]);
    expect(subjects(in5Days.email)).toEqual([`Action needed: your ID document expires on ${addDays(today, 5)}`]);
    expect(subjects(expired.email)).toEqual(['Action needed: your ID document has expired']);
    expect(subjects(in200Days.email)).toEqual([]);
    expect(subjects(pending.email)).toEqual([]);
    expect(published.map(({ event }) => event).sort((a, b) => Number(a.userId) - Number(b.userId))).toEqual([
      expect.objectContaining({ type: 'kyc.document-expiring', userId: in20Days.userId, daysBefore: 30 }),
      expect.objectContaining({ type: 'kyc.document-expiring', userId: in5Days.userId, daysBefore: 7 }),
      expect.objectContaining({ type: 'kyc.document-expired', userId: expired.userId }),
    ]);
    const [expiry] = await db.sql<{ id: number }[]>`
      select id from expiry_reminders where id_document_id = ${expired.idDocumentId} and threshold_days = 0`;
    expect(published.map(({ idempotencyKey }) => idempotencyKey)).toContain(`expiry-reminder-${expiry?.id}/sns`);
    const [statuses] = await db.sql`
      select d.status as document, u.status as user from id_documents d join users u on u.id = d.user_id
      where d.id = ${expired.idDocumentId}`;
    expect(statuses).toEqual({ document: 'EXPIRED', user: 'EXPIRED' });
  });

  it('runs daily: one pass a calendar day at the set time, with a catch-up shorter than a day', async () => {
    const handle = env.client.schedule.getHandle(EXPIRY_SCHEDULE_ID);
    const daily = { ...expiryScheduleSettings(config), frequency: 'daily' as const };
    expect(await applyExpirySchedule(env.client, daily)).toBe('updated');
    const described = await handle.describe();
    expect(described.spec.calendars).toEqual([
      expect.objectContaining({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] }),
    ]);
    expect(described.policies).toEqual({
      overlap: 'SKIP',
      catchupWindow: TWENTY_THREE_HOURS_MS,
      pauseOnFailure: false,
    });
    const [first, second] = described.info.nextActionTimes;
    expect(londonDate(second as Date)).toBe(addDays(londonDate(first as Date), 1));
    expect(londonWeekdayAndTime(first as Date).endsWith('07:30')).toBe(true);
  });

  it('replaces the weekly-only kyc-expiry-weekly of an existing deployment, keeping its pause, so two passes never run', async () => {
    await env.client.schedule.getHandle(EXPIRY_SCHEDULE_ID).delete();
    await env.client.schedule.create({
      scheduleId: LEGACY_EXPIRY_SCHEDULE_ID,
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 8 }], timezone: 'Europe/London' },
      action: {
        type: 'startWorkflow',
        workflowType: EXPIRY_REMINDER_WORKFLOW_TYPE,
        workflowId: EXPIRY_PASS_WORKFLOW_ID_PREFIX,
        taskQueue: config.KYC_TASK_QUEUE,
        args: [{ timeZone: 'Europe/London' }],
      },
      state: { paused: true, note: 'held by ops during the mail outage' },
    });
    expect(await applyExpirySchedule(env.client, expiryScheduleSettings(config))).toBe('created');
    const replaced = await env.client.schedule.getHandle(EXPIRY_SCHEDULE_ID).describe();
    expect(replaced.state).toMatchObject({ paused: true, note: 'held by ops during the mail outage' });
    await expect(env.client.schedule.getHandle(LEGACY_EXPIRY_SCHEDULE_ID).describe()).rejects.toThrow();
    // Applying again finds nothing to replace.
    expect(await applyExpirySchedule(env.client, expiryScheduleSettings(config))).toBe('updated');
  });

  it('creates the kyc-register-monitor Schedule daily on London time, overlap SKIP, with a catch-up after downtime', async () => {
    const settings = monitorScheduleSettings(
      loadConfig({ KYC_TASK_QUEUE: config.KYC_TASK_QUEUE, KYC_MONITOR_SCHEDULE_TIME: '04:15' }),
    );
    expect(settings).toEqual({ taskQueue: config.KYC_TASK_QUEUE, hour: 4, minute: 15, timeZone: 'Europe/London' });
    expect(await applyMonitorSchedule(env.client, settings)).toBe('created');
    const described = await env.client.schedule.getHandle(REGISTER_MONITOR_SCHEDULE_ID).describe();
    expect(described.spec.timezone).toBe('Europe/London');
    expect(described.policies).toEqual({
      overlap: 'SKIP',
      catchupWindow: TWENTY_THREE_HOURS_MS,
      pauseOnFailure: false,
    });
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: REGISTER_MONITOR_WORKFLOW_TYPE,
      workflowId: REGISTER_MONITOR_WORKFLOW_ID_PREFIX,
      args: [{ timeZone: 'Europe/London' }],
    });
    const [first, second] = described.info.nextActionTimes;
    expect(londonWeekdayAndTime(first as Date).endsWith('04:15')).toBe(true);
    expect(londonDate(second as Date)).toBe(addDays(londonDate(first as Date), 1));
    expect(await applyMonitorSchedule(env.client, settings)).toBe('updated');
  });
});

async function expectEventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing within ${timeoutMs} ms`);
}
