/**
 * The evidence pack (README, Compliance): one PDF per worker that an inspector can read on its own — what was
 * checked, when and by which provider; the register entry as scraped; the policy version; every decision and review
 * with who made it; reminders; monitoring. Document images appear only on request, and only as redacted thumbnails.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import type { EvidenceFacts } from '../db/evidence.ts';
import { REASON_EXPLANATIONS, type ReasonCode } from '../domain/reasons.ts';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONTS = {
  regular: join(FONT_DIR, 'DejaVuSans.ttf'),
  bold: join(FONT_DIR, 'DejaVuSans-Bold.ttf'),
  mono: join(FONT_DIR, 'DejaVuSansMono.ttf'),
};

export interface PackImage {
  label: string;
  /** A redacted thumbnail (PNG), never the original: see redactedThumbnail. */
  png: Buffer;
}

export interface EvidencePackInput {
  facts: EvidenceFacts;
  generatedAt: Date;
  /** Who asked for it, as the audit records them. */
  generatedBy: string;
  /** Each policy version the decisions name, with its summary (null for a version whose file is gone). */
  policies: Record<string, string | null>;
  images: PackImage[];
}

export interface EvidencePack {
  pdf: Buffer;
  /** SHA-256 of everything the pack states (its facts as canonical JSON, and the thumbnails), printed in it. */
  contentSha256: string;
  /** SHA-256 of the PDF file itself, for the audit row: a copy can be checked against it. */
  fileSha256: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const when = (date: Date | null) => (date ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : 'not sent');

/** The content as canonical JSON: keys sorted, so the same facts always hash the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * A thumbnail that shows what kind of image it was and no more: scaled to 20 pixels across and back up without
 * smoothing, so no face, name, number or machine-readable zone survives it.
 */
export async function redactedThumbnail(image: Uint8Array): Promise<Buffer> {
  const source = await loadImage(Buffer.from(image));
  const tinyWidth = 20;
  const tinyHeight = Math.max(1, Math.round((source.height / source.width) * tinyWidth));
  const tiny = createCanvas(tinyWidth, tinyHeight);
  tiny.getContext('2d').drawImage(source, 0, 0, tinyWidth, tinyHeight);
  const scale = 6;
  const thumbnail = createCanvas(tinyWidth * scale, tinyHeight * scale);
  const context = thumbnail.getContext('2d');
  context.imageSmoothingEnabled = false;
  context.drawImage(tiny, 0, 0, tinyWidth * scale, tinyHeight * scale);
  return thumbnail.toBuffer('image/png');
}

export async function renderEvidencePack(input: EvidencePackInput): Promise<EvidencePack> {
  const { facts } = input;
  const contentSha256 = sha256(
    canonical({
      facts,
      generatedAt: input.generatedAt,
      generatedBy: input.generatedBy,
      policies: input.policies,
      images: input.images.map((image) => ({ label: image.label, sha256: sha256(image.png) })),
    }),
  );
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    bufferPages: true,
    info: {
      Title: `KYC evidence pack, user ${facts.user.id}`,
      Author: 'kyc-temporal',
      Subject: `content SHA-256 ${contentSha256}`,
      CreationDate: input.generatedAt,
    },
  });
  doc.registerFont('regular', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  doc.registerFont('mono', FONTS.mono);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  const heading = (text: string) => {
    doc.moveDown(0.8).font('bold').fontSize(12).fillColor('#1a3a5c').text(text).fillColor('black').moveDown(0.2);
  };
  const line = (label: string, value: string) => {
    doc.font('bold').fontSize(9).text(`${label}: `, { continued: true }).font('regular').text(value);
  };
  const note = (text: string) => doc.font('regular').fontSize(9).fillColor('#555555').text(text).fillColor('black');
  const block = (text: string) => doc.font('mono').fontSize(7.5).text(text, { indent: 10 });

  doc.font('bold').fontSize(17).text('KYC evidence pack');
  doc.font('regular').fontSize(10).text(`Worker: user ${facts.user.id}, ${facts.user.regType} ${facts.user.regNo}`);
  doc.text(`Status now: ${facts.user.status}; enrolled ${when(facts.user.createdAt)}`);
  doc.text(`Generated ${when(input.generatedAt)} for ${input.generatedBy}`);
  doc.font('mono').fontSize(8).text(`Content SHA-256: ${contentSha256}`);

  heading('Policy');
  const versions = Object.keys(input.policies);
  if (versions.length === 0) note('No decision has been taken yet.');
  for (const version of versions) {
    line(`Policy ${version}`, input.policies[version] ?? 'policy file not held by this deployment');
  }
  if (facts.decisions.some((decision) => decision.policyVersion === null)) {
    note('Decisions without a version were taken before policies were versioned (thresholds were then settings).');
  }

  heading('Decisions and reviews');
  if (facts.decisions.length === 0) note('None.');
  for (const decision of facts.decisions) {
    const by = decision.source === 'CS' ? `CS review by ${decision.reviewer ?? 'unknown'}` : 'automatic';
    const context = decision.regCheckId ? `, after register check ${decision.regCheckId}` : '';
    line(
      `${when(decision.decidedAt)}  #${decision.id}`,
      `${decision.decision} (${by}${context}) under policy ${decision.policyVersion ?? 'unversioned'}` +
        (decision.overridesDecisionId ? `, overriding #${decision.overridesDecisionId}` : ''),
    );
    for (const reason of decision.reasons) {
      note(`    ${reason}: ${REASON_EXPLANATIONS[reason as ReasonCode] ?? ''}`);
    }
    if (decision.note) note(`    Reviewer's note: ${decision.note}`);
  }

  heading('Identity document');
  if (facts.documentScans.length === 0) note('No document was read.');
  for (const scan of facts.documentScans) {
    line(
      when(scan.completedAt),
      `${scan.docType} read by ${scan.provider ?? 'provider not recorded'} (parser ${scan.parserVersion}); ` +
        `name read ${scan.nameRead ?? 'none'}, expiry ${scan.expiryRead ?? 'none'}; uploaded ${when(scan.uploadedAt)}` +
        (scan.imageDeletedAt ? `; image deleted ${when(scan.imageDeletedAt)}` : ''),
    );
  }

  heading('Face and liveness');
  if (facts.faceChecks.length === 0) note('No face check was made.');
  for (const face of facts.faceChecks) {
    const liveness = face.livenessPass === null ? 'not performed' : face.livenessPass ? 'passed' : 'failed';
    line(
      when(face.completedAt),
      `compared by ${face.provider ?? 'provider not recorded'}: similarity ${face.matchScore ?? 'none'}, ` +
        `liveness ${liveness}${face.livenessConfidence === null ? '' : ` (${face.livenessConfidence})`}, ` +
        `selfie quality ${face.selfieQuality ?? 'n/a'}` +
        (face.selfieDeletedAt ? `; selfie deleted ${when(face.selfieDeletedAt)}` : ''),
    );
  }

  const registerSection = (title: string, checks: EvidenceFacts['registerChecks']) => {
    heading(title);
    if (checks.length === 0) note('None.');
    for (const check of checks) {
      line(
        `${when(check.checkedAt)}  check #${check.id}`,
        `${facts.user.regType} register snapshot of ${check.snapshotDate}, via ${check.provider ?? 'the register monitor'}` +
          `${check.source ? ` (${check.source})` : ''}: ${check.standing ?? 'no standing'}` +
          (check.changes && check.changes.length > 0 ? `; changes ${check.changes.join(', ')}` : ''),
      );
      block(JSON.stringify(check.entry, null, 2));
    }
  };
  registerSection(
    'Register checks (entry as scraped)',
    facts.registerChecks.filter((check) => check.monitorPassId === null),
  );
  registerSection(
    'Monitoring checks',
    facts.registerChecks.filter((check) => check.monitorPassId !== null),
  );

  heading('Reminders and notices sent');
  if (facts.reminders.length === 0) note('None.');
  for (const reminder of facts.reminders) line(when(reminder.sentAt), `${reminder.kind}: ${reminder.detail}`);

  heading('Authenticated actions on this case');
  if (facts.auditTrail.length === 0) note('None.');
  for (const event of facts.auditTrail) {
    line(
      when(event.occurredAt),
      `${event.actorName} (${event.actorSubject}, ${event.actorVia}): ${event.action}` +
        (event.status === null ? '' : ` → ${event.status}`),
    );
  }

  if (input.images.length > 0) {
    heading('Images (redacted thumbnails)');
    for (const image of input.images) {
      note(image.label);
      doc.image(image.png, { width: 120 });
      doc.moveDown(0.5);
    }
  }

  const pages = doc.bufferedPageRange();
  for (let page = pages.start; page < pages.start + pages.count; page += 1) {
    doc.switchToPage(page);
    const bottom = doc.page.height - 35;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(7)
      .fillColor('#555555')
      .text(
        `User ${facts.user.id} · page ${page + 1} of ${pages.count} · content SHA-256 ${contentSha256}`,
        50,
        bottom,
        { width: doc.page.width - 100, align: 'center', lineBreak: false },
      );
  }
  doc.end();
  await finished;
  const pdf = Buffer.concat(chunks);
  return { pdf, contentSha256, fileSha256: sha256(pdf) };
}
