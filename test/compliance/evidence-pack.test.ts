/**
 * The evidence pack (README, Compliance): a worker verified end to end (automatic MANUAL_REVIEW, a CS PASS through
 * the HTTP door), then a reminder and a monitoring check recorded the way the daily passes record them. The PDF is
 * read back with poppler's pdftotext and every fact it states is checked against PostgreSQL; page 1 is rendered with
 * pdftoppm (KYC_UPDATE_DOCS=1 writes it to docs/evidence-pack-page1.png for the README).
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import { recordPage } from '../../src/db/expiry.ts';
import { recordMonitorChecks } from '../../src/db/monitor.ts';
import { jpegImage } from '../support/images.ts';
import { BUCKET, type KycHarness, SEED_PERSON, startKycHarness, TOKEN } from '../support/kyc-harness.ts';
import { PEOPLE, personToken } from '../support/oidc-issuer.ts';

const execFileAsync = promisify(execFile);
const PAGE1_FOR_README = fileURLToPath(new URL('../../docs/evidence-pack-page1.png', import.meta.url));
const evidenceCli = fileURLToPath(new URL('../../src/starters/evidence-cli.ts', import.meta.url));
const LEAD = personToken(PEOPLE.csLead);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The PDF's text as poppler reads it, with runs of spaces and line breaks collapsed. */
async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evidence-'));
  await writeFile(join(dir, 'pack.pdf'), pdf);
  const { stdout } = await execFileAsync('pdftotext', ['-enc', 'UTF-8', join(dir, 'pack.pdf'), '-']);
  return stdout.replace(/\s+/g, ' ');
}

describe('evidence pack', () => {
  let h: KycHarness;
  let userId: number;
  let dataDir: string;
  const note = 'Liveness confirmed on a video call with the worker';

  beforeAll(async () => {
    // Uploads in a folder standing in for S3, which the evidence route reads the images back from.
    dataDir = await mkdtemp(join(tmpdir(), 'evidence-objects-'));
    h = await startKycHarness({ settings: { KYC_OBJECT_STORE: 'folder', KYC_DATA_DIR: dataDir } });
    const user = await h.enrol({ ...SEED_PERSON, regNo: '6143301', passportNumber: '701234567' }, { liveness: null });
    userId = user.userId;
    const store = createFolderObjectStore(join(dataDir, 'objects'));
    await store.put({ bucket: BUCKET, key: user.passportKey }, jpegImage(640, 420), 'image/jpeg');
    await store.put({ bucket: BUCKET, key: user.selfieKey }, jpegImage(480, 640), 'image/jpeg');
    await user.uploadBoth();
    await h.waitForStatus(userId, (s) => s.stage === 'AWAITING_REVIEW', 'manual review');
    const review = await fetch(`${h.url}/cs/cases/${userId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN.cs}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'PASS', note }),
    });
    expect(review.status).toBe(200);
    await h.waitForStatus(userId, (s) => s.stage === 'DECIDED', 'the CS decision');
    const [document] = await h.db.sql<{ id: number }[]>`select id from id_documents where user_id = ${userId}`;
    const reminder = {
      idDocumentId: (document as { id: number }).id,
      userId,
      expiryDate: SEED_PERSON.expiryDate,
      thresholdDays: 90,
      decisionId: null,
      reminderId: null,
      canEmail: false,
    };
    await recordPage(h.db.sql, randomUUID(), [reminder], []);
    await recordMonitorChecks(h.db.sql, randomUUID(), '2026-11-30', [
      {
        userId,
        record: {
          regType: 'GMC',
          regNo: '6143301',
          fullName: 'Jane Ann Doe',
          statusText: 'Registered with a licence to practise',
          standing: 'REGISTERED',
          restrictions: [],
        },
        changes: [],
        source: { file: 'gmc-lrmp-2026-11-30.csv', sha256: 'ab12' },
        items: [],
      },
    ]);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('is refused to CS agents and to service tokens: it is for CS leads and ops', async () => {
    for (const token of [TOKEN.cs, TOKEN.intake]) {
      const refused = await fetch(`${h.url}/compliance/users/${userId}/evidence`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(refused.status).toBe(403);
    }
    const badQuery = await fetch(`${h.url}/compliance/users/${userId}/evidence?images=maybe`, {
      headers: { authorization: `Bearer ${LEAD}` },
    });
    expect(badQuery.status).toBe(400);
    const nobody = await fetch(`${h.url}/compliance/users/999999/evidence`, {
      headers: { authorization: `Bearer ${TOKEN.ops}` },
    });
    expect(nobody.status).toBe(404);
  });

  it('states the checks, register entry, policy, decisions with reviewer and note, reminders and monitoring, as the database holds them', async () => {
    const response = await fetch(`${h.url}/compliance/users/${userId}/evidence`, {
      headers: { authorization: `Bearer ${LEAD}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    const text = await pdfText(pdf);
    const stamp = (date: Date) => `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

    const [scan] = await h.db.sql`
      select s.completed_at, s.provider, d.doc_type, s.parsed_expiry::text as expiry
      from doc_scans s join id_documents d on d.id = s.id_document_id where d.user_id = ${userId}`;
    expect(scan?.provider).toBe('Textract');
    expect(text).toContain(`${stamp(scan?.completed_at)}: ${scan?.doc_type} read by Textract`);
    expect(text).toContain(`expiry ${scan?.expiry}`);

    const [face] = await h.db
      .sql`select completed_at, provider, match_score::float8 as score from face_checks where user_id = ${userId}`;
    expect(text).toContain(`${stamp(face?.completed_at)}: compared by ${face?.provider}: similarity ${face?.score}`);
    expect(text).toContain('liveness not performed');

    const registerChecks = await h.db.sql`
      select r.id, r.checked_at, r.snapshot_date::text as snapshot, r.provider, r.standing, runs.actor_id,
             r.raw_response_json -> 'record' ->> 'statusText' as status_text, r.monitor_pass_id is not null as monitoring
      from reg_checks r left join register_runs runs on runs.cycle_id = r.cycle_id
      where r.user_id = ${userId} order by r.id`;
    expect(registerChecks).toHaveLength(2);
    const [cycleCheck, monitorCheck] = registerChecks;
    expect(text).toContain(
      `check #${cycleCheck?.id}: GMC register snapshot of ${cycleCheck?.snapshot}, via Apify (actor ${cycleCheck?.actor_id}`,
    );
    expect(text).toContain(`"statusText": "${cycleCheck?.status_text}"`);
    expect(text).toMatch(
      /Monitoring checks .*check #\d+: GMC register snapshot of 2026-11-30, via the register monitor \(file gmc-lrmp-2026-11-30.csv, sha256 ab12\): REGISTERED/,
    );
    expect(monitorCheck?.monitoring).toBe(true);

    const decisions = await h.db.sql`
      select id, decided_at, decision, source, reviewer, note, policy_version, reasons from kyc_decisions
      where user_id = ${userId} order by id`;
    expect(decisions.map((row) => [row.decision, row.source, row.reviewer, row.policy_version])).toEqual([
      ['MANUAL_REVIEW', 'AUTOMATIC', null, 'v1'],
      ['PASS', 'CS', PEOPLE.csErin.subject, 'v1'],
    ]);
    const [automatic, review] = decisions;
    expect(text).toContain(
      `${stamp(automatic?.decided_at)} #${automatic?.id}: MANUAL_REVIEW (automatic) under policy v1`,
    );
    expect(text).toContain('LIVENESS_NOT_PERFORMED: There is no usable liveness result for this selfie.');
    expect(text).toContain(
      `${stamp(review?.decided_at)} #${review?.id}: PASS (CS review by ${PEOPLE.csErin.subject}) under policy v1, overriding #${automatic?.id}`,
    );
    expect(text).toContain(`Reviewer's note: ${note}`);
    expect(text).toMatch(/Policy v1: The policy as it stood in code before policies were versioned/);
    expect(text).toContain(
      `${PEOPLE.csErin.name} (${PEOPLE.csErin.subject}, oidc): POST /cs/cases/:userId/decision → 200`,
    );

    const [reminder] = await h.db.sql`select recorded_at from expiry_reminders where user_id = ${userId}`;
    expect(text).toContain(
      `${stamp(reminder?.recorded_at)}: ID document expiry: document expires ${SEED_PERSON.expiryDate}, 90 days before`,
    );
    expect(text).toMatch(/Decision notice \(webhook\): decision \d+/);

    // The hash it carries is the one the audit recorded for this generation, with the file's own.
    const contentSha256 = response.headers.get('x-content-sha256');
    expect(text).toContain(`Content SHA-256: ${contentSha256}`);
    const [audited] = await h.db.sql`
      select actor_subject, detail from audit_events
      where user_id = ${userId} and action = 'GET /compliance/users/:userId/evidence' and status = 200
      order by id desc limit 1`;
    expect(audited).toEqual({
      actor_subject: PEOPLE.csLead.subject,
      detail: { evidencePack: { contentSha256, fileSha256: sha256(pdf), images: false } },
    });
    expect(text).not.toMatch(/Images \(redacted thumbnails\)/);

    const dir = await mkdtemp(join(tmpdir(), 'evidence-page-'));
    await writeFile(join(dir, 'pack.pdf'), pdf);
    await execFileAsync('pdftoppm', [
      '-png',
      '-r',
      '100',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(dir, 'pack.pdf'),
      join(dir, 'page1'),
    ]);
    const png = await readFile(join(dir, 'page1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(827); // A4 at 100 dpi: 8.27 in × 100
    if (process.env.KYC_UPDATE_DOCS) await copyFile(join(dir, 'page1.png'), PAGE1_FOR_README);
  });

  it('adds redacted thumbnails only when asked, and never the originals', async () => {
    const response = await fetch(`${h.url}/compliance/users/${userId}/evidence?images=true`, {
      headers: { authorization: `Bearer ${TOKEN.ops}` },
    });
    expect(response.status).toBe(200);
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(await pdfText(pdf)).toContain('Images (redacted thumbnails) ID document (latest scanned)');
    const dir = await mkdtemp(join(tmpdir(), 'evidence-images-'));
    await writeFile(join(dir, 'pack.pdf'), pdf);
    const { stdout } = await execFileAsync('pdfimages', ['-list', join(dir, 'pack.pdf')]);
    const images = stdout
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((line) => line.trim().split(/\s+/));
    // Two images, each 120 pixels across: 20 pixels of the original blown up six times.
    expect(images.filter((columns) => columns[2] === 'image').map((columns) => columns[3])).toEqual(['120', '120']);
  });

  it('npm run evidence writes the same pack and audits it under the terminal user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evidence-cli-'));
    const out = join(dir, 'pack.pdf');
    const { stdout } = await execFileAsync(process.execPath, [evidenceCli, String(userId), '--out', out], {
      env: {
        ...process.env,
        DATABASE_URL: h.db.url,
        KYC_OBJECT_STORE: 'folder',
        KYC_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      },
    });
    const pdf = await readFile(out);
    expect(stdout).toContain(`file SHA-256    ${sha256(pdf)}`);
    expect(await pdfText(pdf)).toContain(`Worker: user ${userId}, GMC 6143301`);
    const [audited] = await h.db.sql`
      select actor_via, action, detail -> 'evidencePack' ->> 'fileSha256' as file from audit_events
      where user_id = ${userId} order by id desc limit 1`;
    expect(audited).toEqual({ actor_via: 'terminal', action: 'npm run evidence', file: sha256(pdf) });
  });
});
