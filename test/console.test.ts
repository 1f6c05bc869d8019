/**
 * The CS review console in a real browser (Debian's Chromium, driven by playwright-core) against the real HTTP
 * service, Temporal, PostgreSQL and worker of the KYC harness: sign-in, queue filters, the case page's evidence and
 * images, claim, approve, refusal of a second reviewer, a cs-lead's override of an automatic FAIL, and keyboard-only
 * use. Screenshots of the queue and the case page go to docs/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { renderPassport, renderSelfie, sampleFaces } from '../src/demo/synthetic-documents.ts';
import { addLocalAccount } from '../src/identity/local-accounts.ts';
import { createObjectStore } from '../src/providers.ts';
import { keepHistory } from './support/history-fixtures.ts';
import { type KycHarness, SEED_PERSON, startKycHarness } from './support/kyc-harness.ts';

const PASSWORD = 'console-test-password-1';
/** The README's pictures are retaken on request (KYC_CONSOLE_SCREENSHOTS=docs); otherwise they go to a scratch folder. */
const screenshotDir =
  process.env.KYC_CONSOLE_SCREENSHOTS === 'docs' ? 'docs' : mkdtempSync(join(tmpdir(), 'kyc-console-'));
const ACCOUNTS = [
  { username: 'cs-ann', displayName: 'Ann Reviewer', roles: ['cs' as const] },
  { username: 'cs-ben', displayName: 'Ben Reviewer', roles: ['cs' as const] },
  { username: 'lead-lee', displayName: 'Lee Lead', roles: ['cs-lead' as const] },
];

function chromiumPath(): string {
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

let h: KycHarness;
let browser: Browser;
let personCount = 0;

function person(overrides: Partial<typeof SEED_PERSON> = {}) {
  personCount += 1;
  return {
    ...SEED_PERSON,
    regNo: String(7143219 + personCount),
    email: `console${personCount}@example.com`,
    passportNumber: String(710000000 + personCount),
    birthDate: `1986-04-${String(personCount).padStart(2, '0')}`,
    ...overrides,
  };
}

/** A user whose workflow waits at `stage`, with a rendered passport and selfie in the object store. */
async function caseAt(
  stage: 'AWAITING_REVIEW' | 'DECIDED',
  scenario: Parameters<KycHarness['enrol']>[1],
  overrides: Partial<typeof SEED_PERSON> = {},
) {
  const someone = person(overrides);
  const user = await h.enrol(someone, scenario);
  const faces = await sampleFaces();
  const face = (faces[user.userId % faces.length] as { image: Uint8Array }).image;
  const store = createObjectStore(h.config);
  await store.put(
    { bucket: h.config.KYC_S3_BUCKET, key: user.passportKey },
    await renderPassport(
      {
        surname: someone.surname,
        givenNames: someone.givenNames,
        sex: 'F',
        birthDate: someone.birthDate,
        placeOfBirth: 'LONDON',
        passportNumber: someone.passportNumber,
        issueDate: '2022-05-01',
        expiryDate: someone.expiryDate,
      },
      face,
    ),
    'image/jpeg',
  );
  await store.put({ bucket: h.config.KYC_S3_BUCKET, key: user.selfieKey }, await renderSelfie(face), 'image/jpeg');
  await user.uploadBoth();
  await h.waitForStatus(user.userId, (s) => s.stage === stage, stage);
  return user;
}

/** Signs in from `from` (the sign-in page comes first), and lands on `lands`. */
async function signIn(username: string, from = '/console', lands = '/console'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${h.url}${from}`);
  expect(page.url()).toMatch(new RegExp(`^${h.url}/console/sign-in`));
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${h.url}${lands}`);
  return page;
}

const caseRow = (page: Page, userId: number) => page.locator(`a[href="/console/cases/${userId}"]`);

function productEventsFor(userId: number) {
  return h.product.accepted.filter((delivery) => delivery.body.userId === userId).map((delivery) => delivery.body);
}

/** The project compiles without the DOM library, so what runs in the page is written as source text. */
async function imagesLoaded(page: Page): Promise<number[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll('img#id-document, img#selfie')].map((image) => image.naturalWidth)`,
  )) as number[];
}

const FOCUSED = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return '';
  const name = element.getAttribute('name');
  const label =
    element.tagName === 'BUTTON' ? element.value + '|' + element.textContent.trim()
    : element.type === 'checkbox' ? element.value
    : '';
  const link = element.tagName === 'A' ? element.textContent.trim() : '';
  return element.tagName.toLowerCase() + ':' + (name ?? link) + ':' + label;
})()`;

/** Tabs through the page from the top; what each stop is, until focus comes round to the start. */
async function tabStops(page: Page, limit = 80): Promise<string[]> {
  await page.locator('body').focus();
  const stops: string[] = [];
  for (let index = 0; index < limit; index++) {
    await page.keyboard.press('Tab');
    const stop = (await page.evaluate(FOCUSED)) as string;
    if (stop === '' || stops.includes(stop)) break;
    stops.push(stop);
  }
  return stops;
}

describe('CS review console', () => {
  beforeAll(async () => {
    h = await startKycHarness({
      // The console reads the images from the object store: a folder, which the test fills with rendered images.
      settings: { KYC_OBJECT_STORE: 'folder', KYC_DATA_DIR: mkdtempSync(join(tmpdir(), 'kyc-console-')) },
    });
    for (const account of ACCOUNTS) await addLocalAccount(h.db.sql, { ...account, password: PASSWORD });
    browser = await chromium.launch({ executablePath: chromiumPath() });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('a reviewer filters the queue, sees both images, claims and approves; DB, workflow and webhook agree', async () => {
    const review = await caseAt('AWAITING_REVIEW', { liveness: null });
    const other = await caseAt('AWAITING_REVIEW', { similarity: 75, registerStatus: 'Registered' }, { regType: 'GDC' });
    const page = await signIn('cs-ann');

    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'kyc_console_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const response = await page.reload();
    expect(response?.headers()['content-security-policy']).toContain("script-src 'none'");

    await expect(caseRow(page, review.userId).count()).resolves.toBe(1);
    await expect(caseRow(page, other.userId).count()).resolves.toBe(1);
    await expect(page.locator('select[name=reason] option[value=LIVENESS_NOT_PERFORMED]').textContent()).resolves.toBe(
      'LIVENESS_NOT_PERFORMED (1)',
    );
    await page.selectOption('select[name=reason]', 'LIVENESS_NOT_PERFORMED');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/reason=LIVENESS_NOT_PERFORMED/);
    await expect(caseRow(page, review.userId).count()).resolves.toBe(1);
    await expect(caseRow(page, other.userId).count()).resolves.toBe(0);
    await page.screenshot({ path: join(screenshotDir, 'console-queue.png') });

    await caseRow(page, review.userId).click();
    await page.waitForURL(`${h.url}/console/cases/${review.userId}`);
    await page.waitForLoadState('load');
    expect(await imagesLoaded(page)).toEqual([expect.any(Number), expect.any(Number)]);
    for (const width of await imagesLoaded(page)) expect(width).toBeGreaterThan(0);
    const imageSrc = (await page.getAttribute('img#selfie', 'src')) as string;
    expect(imageSrc).toMatch(/^\/console\/cases\/\d+\/images\/selfie\/\d+\?exp=\d+&sig=[\w-]+$/);
    const image = await page.request.get(`${h.url}${imageSrc}`);
    expect(image.headers()['cache-control']).toContain('no-store');
    await expect(page.locator('dt:has-text("LIVENESS_NOT_PERFORMED")').isVisible()).resolves.toBe(true);
    await expect(page.locator('text=There is no usable liveness result').isVisible()).resolves.toBe(true);
    expect(await page.getAttribute('a:has-text("Workflow in the Temporal Web UI")', 'href')).toBe(
      `${h.config.KYC_TEMPORAL_UI_URL}/namespaces/${h.config.TEMPORAL_NAMESPACE}/workflows/${kycWorkflowId(review.userId)}`,
    );
    await page.screenshot({ path: join(screenshotDir, 'console-case.png') });

    await page.click('button:has-text("Claim this case")');
    await expect(page.locator('.flash.accepted').textContent()).resolves.toContain('Claimed');
    await page.selectOption('form[action$="/review"] select[name=reasonCode]', 'LIVENESS_NOT_PERFORMED');
    await page.fill('form[action$="/review"] textarea[name=note]', 'liveness confirmed on a video call');
    await page.click('button[name=decision][value=PASS]');
    // The decided case leaves the queue, where the reviewer lands with the answer.
    await page.waitForURL(/\/console\?decided=/);
    await expect(page.locator('.flash.accepted').textContent()).resolves.toMatch(
      new RegExp(`Case ${review.userId}: PASS recorded as decision #\\d+`),
    );
    await expect(caseRow(page, review.userId).count()).resolves.toBe(0);

    const [row] = await h.db.sql`
      select decision, source, reviewer, note, reasons from kyc_decisions
      where user_id = ${review.userId} and source = 'CS'`;
    expect(row).toEqual({
      decision: 'PASS',
      source: 'CS',
      reviewer: 'cs-ann',
      note: 'liveness confirmed on a video call',
      reasons: ['CS_APPROVED', 'LIVENESS_NOT_PERFORMED'],
    });
    const [user] = await h.db.sql`select status from users where id = ${review.userId}`;
    expect(user).toEqual({ status: 'VERIFIED' });
    const status = await h.waitForStatus(review.userId, (s) => s.stage === 'DECIDED', 'the CS decision');
    expect(status.decision).toMatchObject({ decision: 'PASS', source: 'CS', reviewer: 'cs-ann' });
    // The case page links to the workflow in the Web UI, and the workflow's details link back.
    const metadata = await h.env.client.workflow
      .getHandle(kycWorkflowId(review.userId))
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(`(http://127.0.0.1:3000/console/cases/${review.userId})`);
    await expect
      .poll(() => productEventsFor(review.userId))
      .toEqual([expect.objectContaining({ decision: 'PASS', source: 'CS', reviewer: 'cs-ann' })]);

    const audited = await h.db.sql<{ action: string; actorSubject: string }[]>`
      select action, actor_subject as "actorSubject" from audit_events where user_id = ${review.userId} order by id`;
    const imageViews = audited.filter((event) => event.action.includes('/images/'));
    expect(imageViews.length).toBeGreaterThanOrEqual(2);
    expect(audited.map((event) => event.action)).toEqual(
      expect.arrayContaining(['POST /console/cases/:userId/claim', 'POST /console/cases/:userId/review']),
    );
    expect(new Set(audited.map((event) => event.actorSubject))).toEqual(new Set(['cs-ann']));
    await keepHistory(h.env.client, {
      name: 'kyc-console-claim-approve',
      path: 'MANUAL_REVIEW, claimed and approved in the CS console (claimReview update, submitCsReview with a reason code)',
      workflowId: kycWorkflowId(review.userId),
      runId: await h.runId(review.userId),
    });
    await page.context().close();
  });

  it('refuses a second reviewer on a claimed case; the holder asks for a new selfie and the cycle waits for it', async () => {
    const review = await caseAt('AWAITING_REVIEW', { liveness: null });
    const ann = await signIn('cs-ann');
    await ann.goto(`${h.url}/console/cases/${review.userId}`);
    await ann.click('button:has-text("Claim this case")');
    await expect(ann.locator('.flash.accepted').textContent()).resolves.toContain('Claimed');

    const ben = await signIn('cs-ben');
    await ben.selectOption('select[name=assignee]', 'cs-ann');
    await ben.click('form.filters button[type=submit]');
    await expect(caseRow(ben, review.userId).count()).resolves.toBe(1);
    await ben.goto(`${h.url}/console/cases/${review.userId}`);
    await expect(ben.locator('button:has-text("Claim this case")').count()).resolves.toBe(0);
    await ben.selectOption('form[action$="/review"] select[name=reasonCode]', 'LIVENESS_NOT_PERFORMED');
    await ben.fill('form[action$="/review"] textarea[name=note]', 'trying to decide a case that is not mine');
    const [refusal] = await Promise.all([
      ben.waitForResponse((response) => response.url().endsWith('/review')),
      ben.click('button[name=decision][value=FAIL]'),
    ]);
    expect(refusal.status()).toBe(409);
    await expect(ben.locator('.flash.refused').textContent()).resolves.toBe('Refused: claimed by cs-ann');
    const rows = await h.db.sql`select 1 from kyc_decisions where user_id = ${review.userId} and source = 'CS'`;
    expect(rows).toHaveLength(0);
    expect((await h.status(review.userId)).stage).toBe('AWAITING_REVIEW');

    // An image URL is the signed-in reviewer's own: another reviewer's copy of it is refused, and audited.
    const annImage = (await ann.getAttribute('img#id-document', 'src')) as string;
    const borrowed = await ben.request.get(`${h.url}${annImage}`);
    expect(borrowed.status()).toBe(403);
    const [refusedView] = await h.db.sql`
      select status, actor_subject as "actorSubject" from audit_events
      where user_id = ${review.userId} and action like '%/images/%' and status = 403`;
    expect(refusedView).toEqual({ status: 403, actorSubject: 'cs-ben' });

    // A form posted without the page's CSRF token is refused before it reaches the workflow.
    const forged = await ben.request.post(`${h.url}/console/cases/${review.userId}/claim`, { form: { _csrf: 'x' } });
    expect(forged.status()).toBe(403);

    // The reviewer who holds it asks for a new selfie instead of deciding: the case leaves the queue and waits.
    await ann.goto(`${h.url}/console/cases/${review.userId}`);
    await ann.check('input[name=documents][value=SELFIE]');
    await ann.fill('textarea[name=message]', 'Please take a new selfie in good light, facing the camera.');
    await ann.click('button:has-text("Ask for new documents")');
    await ann.waitForURL(/\/console\?asked=/);
    await expect(ann.locator('.flash.accepted').textContent()).resolves.toContain('asked for a new selfie');
    await expect(caseRow(ann, review.userId).count()).resolves.toBe(0);
    const waiting = await h.waitForStatus(review.userId, (s) => s.stage === 'AWAITING_DOCUMENTS', 'the upload');
    expect(waiting.waitingFor).toEqual(['SELFIE']);
    const [pendingUser] = await h.db.sql`select status from users where id = ${review.userId}`;
    expect(pendingUser).toEqual({ status: 'PENDING' });
    await expect
      .poll(() => productEventsFor(review.userId))
      .toEqual([
        expect.objectContaining({
          type: 'kyc.documents_requested',
          documents: ['SELFIE'],
          message: 'Please take a new selfie in good light, facing the camera.',
          requestedBy: 'cs-ann',
        }),
      ]);
    // The new selfie starts the next cycle, which reuses the ID document and checks again.
    const askingRun = await h.runId(review.userId);
    await h.upload(review.userId, { kind: 'SELFIE', key: `kyc-raw/${review.userId}/new-selfie.jpg` });
    await h.waitForNextRun(review.userId, askingRun);
    await h.waitForStatus(review.userId, (s) => s.cycle === 2 && s.stage === 'AWAITING_DOCUMENTS', 'the next cycle');
    // The settle window for a fresh ID document passes; the last one is reused.
    await h.env.sleep('3 minutes');
    const next = await h.waitForStatus(review.userId, (s) => s.stage === 'AWAITING_REVIEW', 'the second cycle');
    expect(next.cycle).toBe(2);
    expect(next.documents.selfie?.key).toBe(`kyc-raw/${review.userId}/new-selfie.jpg`);
    await keepHistory(h.env.client, {
      name: 'kyc-console-request-selfie',
      path: 'MANUAL_REVIEW, claimed, a new selfie requested through the requestDocuments update, then uploaded',
      workflowId: kycWorkflowId(review.userId),
      runId: askingRun,
    });
    await ann.context().close();
    await ben.context().close();
  });

  it('a cs-lead overrides an automatic FAIL; a reviewer cannot; keyboard alone reaches every action', async () => {
    const failed = await caseAt('DECIDED', { similarity: 30 });
    const automatic = (await h.status(failed.userId)).decision;
    expect(automatic).toMatchObject({ decision: 'FAIL', source: 'AUTOMATIC', reasons: ['FACE_MISMATCH'] });

    const ann = await signIn('cs-ann');
    const notInQueue = await ann.goto(`${h.url}/console/cases/${failed.userId}`);
    expect(notInQueue?.status()).toBe(403);
    await ann.context().close();

    // The CS email's link (/cs/cases/<id>) leads through sign-in to the case page.
    const lee = await signIn('lead-lee', `/cs/cases/${failed.userId}`, `/console/cases/${failed.userId}`);
    const stops = await tabStops(lee);
    expect(stops).toEqual(
      expect.arrayContaining(['select:reasonCode:', 'textarea:note:', expect.stringMatching(/^button::\|Override/)]),
    );
    // Keyboard only: Tab to the reason (the FAIL's own comes first), Tab to the note and type it, Tab, Enter.
    await lee.locator('body').focus();
    while ((await lee.evaluate(FOCUSED)) !== 'select:reasonCode:') {
      await lee.keyboard.press('Tab');
    }
    await lee.keyboard.press('Tab');
    await lee.keyboard.type('the selfie and the passport show the same person; CompareFaces misread a shadow');
    await lee.keyboard.press('Tab');
    await lee.keyboard.press('Enter');
    await lee.waitForSelector('.flash');
    await expect(lee.locator('.flash.accepted').textContent()).resolves.toMatch(
      new RegExp(`Overridden: decision #\\d+ \\(PASS\\) replaces #${automatic?.decisionId}`),
    );

    const [row] = await h.db.sql`
      select decision, source, reviewer, overrides_decision_id as "overrides", reasons from kyc_decisions
      where user_id = ${failed.userId} and source = 'CS'`;
    expect(row).toEqual({
      decision: 'PASS',
      source: 'CS',
      reviewer: 'lead-lee',
      overrides: automatic?.decisionId,
      reasons: ['CS_APPROVED', 'FACE_MISMATCH'],
    });
    const [user] = await h.db.sql`select status from users where id = ${failed.userId}`;
    expect(user).toEqual({ status: 'VERIFIED' });
    expect((await h.status(failed.userId)).decision).toMatchObject({ decision: 'PASS', reviewer: 'lead-lee' });
    await expect.poll(() => productEventsFor(failed.userId).map((event) => event.decision)).toEqual(['FAIL', 'PASS']);
    await keepHistory(h.env.client, {
      name: 'kyc-console-override-fail',
      path: 'automatic FAIL overturned by a cs-lead through the overrideDecision update',
      workflowId: kycWorkflowId(failed.userId),
      runId: await h.runId(failed.userId),
    });

    // The appeal path runs the other way too: the lead revokes the PASS just given.
    await lee.fill('form[action$="/override"] textarea[name=note]', 'the passport was reported stolen');
    await lee.click('button:has-text("revoke the PASS")');
    await expect(lee.locator('.flash.accepted').textContent()).resolves.toMatch(/\(FAIL\) replaces #\d+/);
    const overrides = await h.db.sql<{ id: number; decision: string; overrides: number }[]>`
      select id, decision, overrides_decision_id as overrides from kyc_decisions
      where user_id = ${failed.userId} and source = 'CS' order by id`;
    expect(overrides.map((override) => override.decision)).toEqual(['PASS', 'FAIL']);
    expect(overrides[1]?.overrides).toBe(overrides[0]?.id);
    const [revoked] = await h.db.sql`select status from users where id = ${failed.userId}`;
    expect(revoked).toEqual({ status: 'REJECTED' });
    await expect
      .poll(() => productEventsFor(failed.userId).map((event) => event.decision))
      .toEqual(['FAIL', 'PASS', 'FAIL']);

    // Every action on a pending case is reachable by keyboard too, the lead's reassignment of a claimed one included.
    const pending = await caseAt('AWAITING_REVIEW', { liveness: null });
    const casePath = `/console/cases/${pending.userId}`;
    const holder = await signIn('cs-ann', casePath, casePath);
    await holder.click('button:has-text("Claim this case")');
    await expect(holder.locator('.flash.accepted').textContent()).resolves.toBe('Claimed.');
    await holder.context().close();
    await lee.goto(`${h.url}${casePath}`);
    const reassign = 'button::|Reassign to me (from cs-ann)';
    expect(await tabStops(lee)).toEqual(
      expect.arrayContaining([
        reassign,
        'select:reasonCode:',
        'textarea:note:',
        'button:decision:PASS|Approve',
        'button:decision:FAIL|Reject',
        'input:documents:ID_DOCUMENT',
        'input:documents:SELFIE',
        'textarea:message:',
        'button::|Ask for new documents',
      ]),
    );
    await lee.locator('body').focus();
    while ((await lee.evaluate(FOCUSED)) !== reassign) await lee.keyboard.press('Tab');
    await lee.keyboard.press('Enter');
    await expect(lee.locator('.flash.accepted').textContent()).resolves.toBe('Reassigned to you from cs-ann.');
    expect((await h.status(pending.userId)).claimedBy).toBe('lead-lee');
    await lee.goto(`${h.url}/console`);
    expect(await tabStops(lee)).toEqual(
      expect.arrayContaining(['select:register:', 'select:reason:', 'select:age:', 'select:sla:', 'select:assignee:']),
    );
    await lee.context().close();
  });
});
