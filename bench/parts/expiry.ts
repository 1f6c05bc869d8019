/**
 * Part `expiry` (standalone; also `npm run bench:expiry`): the cost of one expiry pass. Seeds N id_documents
 * (BENCH_EXPIRY_N; 1,000,000 by default, 20,000 with --quick) with expiry dates spread over the ten years ahead and a
 * few weeks behind, in a throwaway database, then rotates three measurements: one reminder pass (the batch activity
 * the workflow runs, page by page, handing every message to a no-op transport through the outbox), the set-based SQL
 * floor (one statement writing the same reminder and outbox rows), and a plain indexed SELECT of the due rows.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activitySettingsFromConfig } from '../../src/activities/deps.ts';
import { createExpiryActivities } from '../../src/activities/expiry.ts';
import { loadConfig } from '../../src/config.ts';
import { EXPIRY_THRESHOLDS } from '../../src/contract/expiry-workflow.ts';
import { createSql, type Sql } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { migrate } from '../../src/runtime/migrate.ts';
import { createDatabase, dropDatabases, providePostgres } from '../../src/runtime/postgres-server.ts';
import { count, ms, percentile, ratio } from '../stats.ts';
import type { PartResult } from '../table.ts';

const SETTINGS = { full: { documents: 1_000_000, repetitions: 3 }, quick: { documents: 20_000, repetitions: 1 } };

export async function expiryPart(quick: boolean): Promise<PartResult> {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const documentCount = Number(process.env.BENCH_EXPIRY_N ?? settings.documents);
  if (!Number.isSafeInteger(documentCount) || documentCount < 1) {
    throw new Error('BENCH_EXPIRY_N must be a positive integer');
  }
  const { repetitions } = settings;
  const databaseName = `kyc_bench_expiry_${Date.now().toString(36)}`;
  const server = await providePostgres({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    dataDir: join(tmpdir(), 'kyc-bench-pgdata'),
  });
  const databaseUrl = await createDatabase(server.adminUrl, databaseName);
  const sql = createSql(databaseUrl, { max: 10 });
  try {
    await migrate(databaseUrl);
    const asOf = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    process.stderr.write(`bench: expiry: seeding ${count(documentCount)} documents…\n`);
    const seededMs = await timed(() => seed(sql, documentCount, asOf));

    const config = loadConfig({ DATABASE_URL: databaseUrl });
    const expiry = createExpiryActivities({
      sql,
      logger: createLogger({ level: 'silent' }),
      email: { async send() {} },
      productChannels: [],
      settings: activitySettingsFromConfig(config),
    });

    async function reminderPass() {
      const passId = randomUUID();
      await expiry.countDocumentsWithoutExpiry();
      const totals = { documentsDue: 0, batches: 0 };
      let afterIdDocumentId: number | null = null;
      for (;;) {
        const batch = await expiry.remindExpiringBatch({ passId, asOf, afterIdDocumentId });
        totals.batches += 1;
        totals.documentsDue += batch.documentsDue;
        afterIdDocumentId = batch.lastIdDocumentId ?? afterIdDocumentId;
        if (batch.done) return totals;
      }
    }

    /** The due set the pass works through, read in one indexed query and nothing else. */
    async function plainSelect() {
      return await sql`
        select d.id, d.user_id, d.expiry_date, u.email
        from id_documents d join users u on u.id = d.user_id
        where d.status <> 'SUPERSEDED' and d.expiry_date is not null and d.expiry_date <= ${asOf}::date + 90
          and u.status = 'VERIFIED'
        order by d.expiry_date, d.id`;
    }

    /**
     * The least a pass could cost: one statement that records every due reminder, expires what has expired, and writes
     * each user's email to the outbox as sent (the no-op transport sends nothing). No pages, no checks of an earlier
     * attempt, no product channels (the bench has none). Returns the rows it wrote, to compare with the pass's.
     */
    async function setBasedFloor(passId: string) {
      const [written] = await sql<{ reminders: number; outbox: number }[]>`
        with due as (
          select d.id, d.user_id, d.expiry_date, u.email, threshold.days, verified.id as decision_id
          from id_documents d
          join users u on u.id = d.user_id
          cross join lateral (
            select min(t) as days from unnest(${EXPIRY_THRESHOLDS as number[]}::int[]) t
            where d.expiry_date - ${asOf}::date <= t
          ) threshold
          left join lateral (
            select id from kyc_decisions k where k.user_id = d.user_id and k.decision = 'PASS'
            order by decided_at desc, id desc limit 1
          ) verified on true
          where d.status <> 'SUPERSEDED' and d.expiry_date is not null and d.expiry_date <= ${asOf}::date + 90
            and u.status = 'VERIFIED'
            and not exists (
              select 1 from expiry_reminders r
              where r.id_document_id = d.id and r.expiry_date = d.expiry_date and r.threshold_days <= threshold.days)
        ),
        reminders as (
          insert into expiry_reminders (id_document_id, expiry_date, threshold_days, user_id, pass_id)
          select id, expiry_date, days, user_id, ${passId} from due
          on conflict do nothing
          returning id, id_document_id, user_id, threshold_days
        ),
        expired_documents as (
          update id_documents set status = 'EXPIRED'
          where id in (select id_document_id from reminders where threshold_days = 0) and status <> 'SUPERSEDED'
        ),
        expired_users as (
          update users set status = 'EXPIRED'
          where id in (select user_id from reminders where threshold_days = 0) and status = 'VERIFIED'
        ),
        outbox as (
          insert into notifications (idempotency_key, decision_id, channel, sent_at)
          select 'expiry-reminder-' || r.id || '/user-email', due.decision_id, 'user-email', now()
          from reminders r join due on due.id = r.id_document_id
          where due.decision_id is not null and due.email like '%_@_%'
          on conflict do nothing
          returning 1
        )
        select (select count(*)::int from reminders) as reminders, (select count(*)::int from outbox) as outbox`;
      return written;
    }

    /** What a pass left behind: reminders recorded and outbox rows sent. */
    async function rowsWritten() {
      const [rows] = await sql<{ reminders: number; outbox: number }[]>`
        select (select count(*)::int from expiry_reminders) as reminders,
               (select count(*)::int from notifications where sent_at is not null) as outbox`;
      return rows;
    }

    const passMs: number[] = [];
    const floorMs: number[] = [];
    const selectMs: number[] = [];
    const rerunMs: number[] = [];
    let pass = { documentsDue: 0, batches: 0 };
    let passRows = { reminders: 0, outbox: 0 };
    let floorRows = { reminders: 0, outbox: 0 };
    let selectedRows = 0;
    for (let repetition = 0; repetition < repetitions; repetition += 1) {
      const measurements = [
        async () => {
          await resetPasses(sql);
          passMs.push(await timed(async () => (pass = await reminderPass())));
          passRows = (await rowsWritten()) ?? passRows;
          // The same week again: the walk over the due window with nothing left to send.
          rerunMs.push(await timed(reminderPass));
        },
        async () => {
          await resetPasses(sql);
          selectMs.push(await timed(async () => (selectedRows = (await plainSelect()).length)));
        },
        async () => {
          await resetPasses(sql);
          floorMs.push(await timed(async () => (floorRows = (await setBasedFloor(randomUUID())) ?? floorRows)));
        },
      ];
      // Rotate which goes first, so none always runs on the caches another warmed.
      for (const [index] of measurements.entries()) {
        await (measurements[(index + repetition) % measurements.length] as () => Promise<void>)();
      }
    }
    const median = (samples: number[]) => percentile(samples, 50);
    const repeated = (samples: number[]) => `median of ${repetitions}: ${samples.map(ms).join(', ')}`;
    return {
      part: 'expiry',
      rows: [
        {
          figure:
            `expiry pass over ${count(documentCount)} documents, ${count(pass.documentsDue)} due, in ` +
            `${pass.batches} pages (${repeated(passMs)}); floor: one set-based statement writing the same rows ` +
            `(${repeated(floorMs)})`,
          value: ms(median(passMs)),
          floor: ms(median(floorMs)),
          ratio: ratio(median(passMs) / median(floorMs)),
        },
        {
          figure: 'the same pass against a plain indexed SELECT of the due rows (reading them and nothing else)',
          value: ms(median(passMs)),
          floor: ms(median(selectMs)),
          ratio: ratio(median(passMs) / median(selectMs)),
        },
        {
          figure: 'rows written, reminders and outbox messages sent: the pass (floor beside it)',
          value: `${count(passRows.reminders)}, ${count(passRows.outbox)}`,
          floor: `${count(floorRows.reminders)}, ${count(floorRows.outbox)}`,
        },
        { figure: 'the same week again, nothing left to send', value: ms(median(rerunMs)) },
      ],
      figures: {
        documentCount,
        asOf,
        seededMs,
        selectedRows,
        pass,
        passMs,
        floorMs,
        selectMs,
        rerunMs,
        passRows,
        floorRows,
      },
    };
  } finally {
    await sql.end({ timeout: 5 });
    await dropDatabases(server.adminUrl, databaseName);
    await server.stop();
  }
}

/**
 * One user per document. 95 % of users are VERIFIED with the PASS decision that verified them; every 50th document is
 * SUPERSEDED, every 2,000th has no expiry date and every 1,000th user no email, so the pass meets its bad data too.
 * Expiry dates step through the 3,710 days from 60 days ago, in an order unrelated to the ids.
 */
async function seed(sql: Sql, count: number, asOf: string): Promise<void> {
  await sql`
    insert into users (id, email, reg_no, reg_type, status)
    select i, case when i % 1000 = 0 then '' else 'user' || i || '@example.org' end, 'B' || i,
           (array['GMC', 'NMC', 'GDC', 'GPC']::reg_type_enum[])[1 + i % 4],
           (case when i % 20 = 0 then 'PENDING' else 'VERIFIED' end)::user_status_enum
    from generate_series(1, ${count}::int) i`;
  await sql`
    insert into id_documents (id, user_id, s3_key_original, doc_type, status, expiry_date)
    select i, i, 'kyc-raw/' || i || '/passport.jpg', 'passport',
           (case when i % 50 = 0 then 'SUPERSEDED' else 'OCR_DONE' end)::id_doc_status_enum,
           case when i % 2000 = 0 then null else ${asOf}::date - 60 + ((i::bigint * 7919) % 3710)::int end
    from generate_series(1, ${count}::int) i`;
  await sql`
    insert into kyc_decisions (user_id, decision, policy_version)
    select i, 'PASS', 'v1' from generate_series(1, ${count}::int) i where i % 20 <> 0`;
  await sql`select setval('users_id_seq', ${count}::bigint), setval('id_documents_id_seq', ${count}::bigint)`;
  await sql.unsafe('vacuum analyze');
}

/** Undoes a pass (not timed): no reminders, no outbox rows, nobody expired. */
async function resetPasses(sql: Sql): Promise<void> {
  await sql`truncate expiry_reminders, notifications`;
  await sql`update id_documents set status = 'OCR_DONE' where status = 'EXPIRED'`;
  await sql`update users set status = 'VERIFIED' where status = 'EXPIRED'`;
  await sql.unsafe('vacuum analyze id_documents, users, expiry_reminders, notifications');
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
