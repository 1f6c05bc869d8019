/**
 * Part `console`: the CS review console's queue page with 10,000 pending reviews (1,000 with --quick), signed in as a
 * reviewer through the real sign-in form, over HTTP: the first page unfiltered, and filtered by register and reason.
 * The floor is the page's own two SQL statements (the page of rows and the per-filter counts) run straight against
 * PostgreSQL in the same run, so the difference is what sign-in, rendering and the audit row cost.
 */
import { queueCounts, queuePage } from '../../src/db/console.ts';
import { addLocalAccount } from '../../src/identity/local-accounts.ts';
import type { Rig } from '../rig.ts';
import { count, ms, percentile, ratio } from '../stats.ts';
import type { PartResult } from '../table.ts';

const PASSWORD = 'bench-console-password';
const REASONS = ['LIVENESS_NOT_PERFORMED', 'FACE_MATCH_BORDERLINE', 'REGISTER_RESTRICTIONS', 'REGISTER_NAME_MISMATCH'];

export async function consolePart(rig: Rig, quick: boolean): Promise<PartResult> {
  const pending = quick ? 1_000 : 10_000;
  const samples = quick ? 20 : 300;
  const sql = rig.harness.db.sql;
  const sla = rig.harness.config.KYC_CS_REMINDER_AFTER;

  process.stderr.write(`bench: console: writing ${count(pending)} pending reviews…\n`);
  // Spread over 30 days, four registers and four reasons; one in ten claimed.
  await sql`
    with seeded as (
      insert into users (email, reg_no, reg_type, status)
      select 'console-bench-' || i || '@example.com', lpad(i::text, 7, '0'),
             (array['GMC', 'NMC', 'GDC', 'GPC'])[1 + i % 4]::reg_type_enum, 'MANUAL_REVIEW'
      from generate_series(1, ${pending}) as i
      returning id
    ), numbered as (select id, row_number() over (order by id) as i from seeded)
    insert into kyc_decisions (user_id, cycle_id, decision, reasons, source, decided_at, policy_version)
    select id, gen_random_uuid(), 'MANUAL_REVIEW', array[(${REASONS}::text[])[1 + i % 4]], 'AUTOMATIC',
           now() - make_interval(mins => (i * 4320 / ${pending})::int), 'v1'
    from numbered`;
  await sql`
    insert into review_claims (user_id, reviewer)
    select u.id, 'bench-reviewer-' || (u.id % 5) from users u
    where u.email like 'console-bench-%' and u.id % 10 = 0`;
  await sql`analyze users; analyze kyc_decisions; analyze review_claims`.simple();
  await addLocalAccount(sql, {
    username: 'bench-cs',
    displayName: 'Bench reviewer',
    password: PASSWORD,
    roles: ['cs'],
  });
  const cookie = await signIn(rig.harness.url);

  const pages = {
    unfiltered: { query: '', filter: {} },
    'register + reason': {
      query: '?register=NMC&reason=FACE_MATCH_BORDERLINE',
      filter: { register: 'NMC' as const, reason: 'FACE_MATCH_BORDERLINE' },
    },
  };
  const figures: Record<string, unknown> = { pending, samples };
  const rows: PartResult['rows'] = [];
  for (const [name, { query, filter }] of Object.entries(pages)) {
    const http: number[] = [];
    const floor: number[] = [];
    for (let index = 0; index < samples; index++) {
      let started = performance.now();
      const response = await fetch(`${rig.harness.url}/console${query}`, { headers: { cookie } });
      const body = await response.text();
      http.push(performance.now() - started);
      if (response.status !== 200 || !body.includes('Pending reviews')) {
        throw new Error(`queue page answered ${response.status}`);
      }
      started = performance.now();
      await Promise.all([queuePage(sql, filter, { limit: 50, offset: 0, slaMs: sla }), queueCounts(sql, sla)]);
      floor.push(performance.now() - started);
    }
    const [p50, p99, floor50, floor99] = [
      percentile(http, 50),
      percentile(http, 99),
      percentile(floor, 50),
      percentile(floor, 99),
    ];
    figures[name] = { p50, p99, floorP50: floor50, floorP99: floor99 };
    rows.push(
      {
        figure: `queue page p50, ${name} (${count(pending)} pending)`,
        value: ms(p50),
        floor: ms(floor50),
        ratio: ratio(p50 / floor50),
      },
      {
        figure: `queue page p99, ${name} (${count(pending)} pending)`,
        value: ms(p99),
        floor: ms(floor99),
        ratio: ratio(p99 / floor99),
      },
    );
  }
  return { part: 'console', rows, figures };
}

/** Signs in through the form as a browser does: the CSRF cookie and token first, then the session cookie. */
async function signIn(baseUrl: string): Promise<string> {
  const form = await fetch(`${baseUrl}/console/sign-in`);
  const csrfCookie = cookiesOf(form);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!token) throw new Error('the sign-in page has no CSRF token');
  const signedIn = await fetch(`${baseUrl}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, username: 'bench-cs', password: PASSWORD }),
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  return cookiesOf(signedIn);
}

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}
