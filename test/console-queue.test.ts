/** The console's queue against real PostgreSQL: each filter, the counts per filter value, paging, oldest first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitNewDocuments, type QueueFilter, queueCounts, queuePage, recordReviewClaim } from '../src/db/console.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const HOUR = 3_600_000;
const SLA = 24 * HOUR;
let db: TestDatabase;
const ids: Record<string, number> = {};

/** A user waiting for review since `hoursAgo`, with its automatic decision's reasons. */
async function pending(name: string, regType: string, reasons: string[], hoursAgo: number) {
  const [user] = await db.sql<{ id: number }[]>`
    insert into users (email, reg_no, reg_type, status)
    values (${`${name}@example.com`}, ${String(1000000 + Object.keys(ids).length)}, ${regType}, 'MANUAL_REVIEW')
    returning id`;
  const userId = (user as { id: number }).id;
  await db.sql`
    insert into kyc_decisions (user_id, cycle_id, decision, reasons, source, decided_at, policy_version)
    values (${userId}, gen_random_uuid(), 'MANUAL_REVIEW', ${reasons}, 'AUTOMATIC',
            now() - make_interval(hours => ${hoursAgo}), 'v1')`;
  ids[name] = userId;
}

const names = (rows: { userId: number }[]) =>
  rows.map((row) => Object.keys(ids).find((name) => ids[name] === row.userId));

describe('console queue', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    await pending('newest', 'GMC', ['LIVENESS_NOT_PERFORMED'], 1);
    await pending('day-old', 'NMC', ['REGISTER_RESTRICTIONS'], 30);
    await pending('week-old', 'NMC', ['FACE_MATCH_BORDERLINE', 'REGISTER_RESTRICTIONS'], 200);
    await pending('three-days', 'GDC', ['FACE_MATCH_BORDERLINE'], 80);
    await recordReviewClaim(db.sql, ids['day-old'] as number, 'erin');
    // Decided and waiting-for-documents users are not in the queue.
    await pending('asked', 'GMC', ['SELFIE_POOR_QUALITY'], 5);
    const [asked] = await db.sql<{ id: number }[]>`select id from kyc_decisions where user_id = ${ids.asked as number}`;
    await awaitNewDocuments(db.sql, {
      userId: ids.asked as number,
      decisionId: (asked as { id: number }).id,
      documents: ['SELFIE'],
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each<[string, QueueFilter, (string | undefined)[]]>([
    ['everything, oldest first', {}, ['week-old', 'three-days', 'day-old', 'newest']],
    ['register', { register: 'NMC' }, ['week-old', 'day-old']],
    ['reason (any of the decision reasons)', { reason: 'REGISTER_RESTRICTIONS' }, ['week-old', 'day-old']],
    ['waiting over 3 days', { minAgeHours: 72 }, ['week-old', 'three-days']],
    ['SLA breached (24 h)', { slaBreached: true }, ['week-old', 'three-days', 'day-old']],
    ['assignee', { assignee: 'erin' }, ['day-old']],
    ['unassigned', { assignee: 'unassigned' }, ['week-old', 'three-days', 'newest']],
    ['filters combine', { register: 'NMC', assignee: 'unassigned' }, ['week-old']],
    ['nothing matches', { register: 'GPC' }, []],
  ])('%s', async (_case, filter, expected) => {
    const page = await queuePage(db.sql, filter, { limit: 50, offset: 0, slaMs: SLA });
    expect(names(page.rows)).toEqual(expected);
    expect(page.matching).toBe(expected.length);
  });

  it('pages on the server and counts the whole match on every page', async () => {
    const first = await queuePage(db.sql, {}, { limit: 3, offset: 0, slaMs: SLA });
    const second = await queuePage(db.sql, {}, { limit: 3, offset: 3, slaMs: SLA });
    const beyond = await queuePage(db.sql, {}, { limit: 3, offset: 6, slaMs: SLA });
    expect([names(first.rows), names(second.rows), names(beyond.rows)]).toEqual([
      ['week-old', 'three-days', 'day-old'],
      ['newest'],
      [],
    ]);
    expect([first.matching, second.matching, beyond.matching]).toEqual([4, 4, 4]);
    expect(first.rows[2]).toMatchObject({ regType: 'NMC', reasons: ['REGISTER_RESTRICTIONS'], assignee: 'erin' });
  });

  it('counts each filter value over the queue', async () => {
    expect(await queueCounts(db.sql, SLA)).toEqual({
      total: 4,
      slaBreached: 3,
      registers: { GMC: 1, NMC: 2, GDC: 1 },
      reasons: { LIVENESS_NOT_PERFORMED: 1, REGISTER_RESTRICTIONS: 2, FACE_MATCH_BORDERLINE: 2 },
      assignees: { erin: 1, unassigned: 3 },
    });
  });
});
