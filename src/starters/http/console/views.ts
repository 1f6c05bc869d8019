/** The console's pages. No scripts: forms and links only, so every action works by keyboard and under a strict CSP. */
import type { KycStatusView } from '../../../contract/kyc-workflow.ts';
import type { CaseEvidence, CaseScan, QueueCounts, QueueFilter, QueueRow } from '../../../db/console.ts';
import type { PolicyThresholds } from '../../../domain/decision.ts';
import { FAIL_REASONS, REASON_EXPLANATIONS, REVIEW_REASONS, type ReasonCode } from '../../../domain/reasons.ts';
import { REG_TYPES } from '../../../domain/registers.ts';
import type { AuditRow, Identity } from '../../../identity/index.ts';
import { type Html, html } from './html.ts';

export const QUEUE_AGES: Record<string, number | undefined> = {
  any: undefined,
  '1h': 1,
  '1d': 24,
  '3d': 72,
  '7d': 168,
};
const DECIDABLE_REASONS: readonly ReasonCode[] = [...REVIEW_REASONS, ...FAIL_REASONS];

function layout(title: string, body: Html, session?: { identity: Identity; csrf: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · KYC review console</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <strong>KYC review console</strong>
  ${session ? html`<a href="/console">Queue</a>` : ''}
  ${
    session
      ? html`<form method="post" action="/console/sign-out">
      <input type="hidden" name="_csrf" value="${session.csrf}">
      <span>${session.identity.displayName} (${session.identity.roles.join(', ')})</span>
      <button type="submit">Sign out</button>
    </form>`
      : ''
  }
</header>
<main id="main">
${body}
</main>
</body>
</html>
`.value;
}

/** The ways in this start offers: the organisation's OIDC provider, and local accounts under `npm start`. */
export interface SignInOptions {
  organisation: boolean;
  localAccounts: boolean;
}

export function signInPage(csrf: string, next: string, ways: SignInOptions, error?: string): string {
  // A link, not a form: the CSP's form-action 'self' would stop a form's redirect on to the provider.
  const organisation = html`<p class="card"><a href="/console/oidc/start?${new URLSearchParams({ next })}">Sign in with your organisation</a></p>`;
  const local = html`<form method="post" action="/console/sign-in" class="card">
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="next" value="${next}">
  <p><label>User name <input name="username" autocomplete="username" required autofocus></label></p>
  <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
  <button type="submit">Sign in</button>
</form>`;
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
${error ? html`<p class="flash refused" role="alert">${error}</p>` : ''}
${ways.organisation ? organisation : ''}
${ways.localAccounts ? local : ''}
${ways.organisation || ways.localAccounts ? '' : html`<p>No way to sign in is configured here (README, "CS review console").</p>`}`,
  );
}

/**
 * The answer to the provider's redirect back. The session cookie is SameSite=Strict, and a browser does not send it
 * on a redirect chain that began on the provider's site; this page's refresh is a navigation of our own, which does.
 */
export function signedInPage(next: string): string {
  return layout(
    'Signed in',
    html`<meta http-equiv="refresh" content="0;url=${next}">
<h1>Signed in</h1>
<p><a href="${next}">Continue to the console</a></p>`,
  );
}

export function errorPage(status: number, message: string, session?: { identity: Identity; csrf: string }): string {
  return layout(`Error ${status}`, html`<h1>${status}</h1><p role="alert">${message}</p>`, session);
}

const ago = (since: Date, now: Date) => {
  const minutes = Math.max(0, Math.round((now.getTime() - since.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
};

function option(value: string, label: string, selected: string | undefined, count?: number): Html {
  return html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}${count === undefined ? '' : ` (${count})`}</option>`;
}

export interface QueueView {
  rows: QueueRow[];
  counts: QueueCounts;
  filter: QueueFilter & { age: string };
  page: number;
  pageSize: number;
  matching: number;
  slaMs: number;
  now: Date;
  /** The answer to the decision that brought the reviewer back here. */
  flash: string | null;
}

export function queuePage(view: QueueView, session: { identity: Identity; csrf: string }): string {
  const { rows, counts, filter, page, pageSize, matching, now } = view;
  const pages = Math.max(1, Math.ceil(matching / pageSize));
  const query = (target: number) => {
    const params = new URLSearchParams();
    if (filter.register) params.set('register', filter.register);
    if (filter.reason) params.set('reason', filter.reason);
    if (filter.age !== 'any') params.set('age', filter.age);
    if (filter.slaBreached) params.set('sla', 'breached');
    if (filter.assignee) params.set('assignee', filter.assignee);
    params.set('page', String(target));
    return `/console?${params}`;
  };
  const reasons = Object.keys(counts.reasons).sort();
  const assignees = Object.keys(counts.assignees).sort();
  return layout(
    'Queue',
    html`${view.flash ? html`<p class="flash accepted" role="status">${view.flash}</p>` : ''}
<h1>Pending reviews: ${matching} of ${counts.total} (oldest first)</h1>
<form method="get" action="/console" class="filters" aria-label="Filters">
  <label>Register <select name="register">${option('', 'All', filter.register ?? '', counts.total)}${REG_TYPES.map((type) => option(type, type, filter.register, counts.registers[type] ?? 0))}</select></label>
  <label>Reason <select name="reason">${option('', 'All', filter.reason ?? '', counts.total)}${reasons.map((reason) => option(reason, reason, filter.reason, counts.reasons[reason]))}</select></label>
  <label>Waiting <select name="age">${Object.keys(QUEUE_AGES).map((age) => option(age, age === 'any' ? 'Any time' : `Over ${age}`, filter.age))}</select></label>
  <label>SLA <select name="sla">${option('', 'Any', filter.slaBreached ? 'breached' : '', counts.total)}${option('breached', 'Breached', filter.slaBreached ? 'breached' : '', counts.slaBreached)}</select></label>
  <label>Assignee <select name="assignee">${option('', 'Anyone', filter.assignee ?? '', counts.total)}${assignees.map((assignee) => option(assignee, assignee, filter.assignee, counts.assignees[assignee]))}</select></label>
  <button type="submit">Filter</button>
  <a href="/console">Clear</a>
</form>
<table>
<thead><tr><th>Case</th><th>Register</th><th>Reasons</th><th>Waiting</th><th>SLA</th><th>Assignee</th></tr></thead>
<tbody>
${rows.map(
  (row) => html`<tr>
  <td><a href="/console/cases/${row.userId}">Case ${row.userId}</a></td>
  <td>${row.regType}</td>
  <td>${row.reasons.join(', ')}</td>
  <td>${ago(row.waitingSince, now)}</td>
  <td>${now.getTime() - row.waitingSince.getTime() >= view.slaMs ? html`<span class="bad">breached</span>` : 'within'}</td>
  <td>${row.assignee ?? 'unassigned'}</td>
</tr>`,
)}
</tbody>
</table>
${rows.length === 0 ? html`<p>No pending review matches.</p>` : ''}
<nav class="pager" aria-label="Pages">
  ${page > 1 ? html`<a href="${query(page - 1)}">Previous page</a>` : ''}
  <span>Page ${page} of ${pages}</span>
  ${page < pages ? html`<a href="${query(page + 1)}">Next page</a>` : ''}
</nav>`,
    session,
  );
}

export interface CaseView {
  evidence: CaseEvidence;
  status: KycStatusView | null;
  images: { idDocument: string | null; selfie: string | null };
  thresholds: PolicyThresholds;
  registerPage: string;
  temporalLink: string;
  audit: AuditRow[];
  flash: { accepted: boolean; message: string } | null;
  canOverride: boolean;
  canReassign: boolean;
}

const MRZ_CHECK_DIGITS = [
  ['CHECK_DIGIT_DOCUMENT_NUMBER', 'Number'],
  ['CHECK_DIGIT_BIRTH_DATE', 'Birth date'],
  ['CHECK_DIGIT_EXPIRY_DATE', 'Expiry'],
  ['CHECK_DIGIT_PERSONAL_NUMBER', 'Personal no.'],
  ['CHECK_DIGIT_COMPOSITE', 'Composite'],
] as const;

function checkDigits(scan: CaseScan): Html {
  const parsed = scan.parsed;
  if (!parsed) return html`<p>Check digits: not recorded by this scan.</p>`;
  if (!parsed.source.startsWith('MRZ')) {
    return html`<p>Check digits: ${parsed.checkDigitsValid === null ? 'none on this document' : parsed.checkDigitsValid ? 'valid' : 'invalid'} (${parsed.source})</p>`;
  }
  const digits = MRZ_CHECK_DIGITS.filter(
    ([code]) => parsed.source === 'MRZ_TD3' || code !== 'CHECK_DIGIT_PERSONAL_NUMBER',
  );
  return html`<p>MRZ check digits (${parsed.source}):</p><ul class="digits">${digits.map(([code, label]) =>
    parsed.problems.includes(code)
      ? html`<li class="bad">✗ ${label} (invalid)</li>`
      : html`<li class="ok">✓ ${label}</li>`,
  )}</ul>${parsed.problems.length > 0 ? html`<p>Parser notes: ${parsed.problems.join(', ')}</p>` : ''}`;
}

const when = (at: Date) => at.toISOString().replace('T', ' ').slice(0, 19);
const shortCycle = (cycleId: string | null) => (cycleId ? cycleId.slice(0, 8) : 'monitor');

function reasonOptions(selected: readonly string[]): Html[] {
  const ordered = [...selected.filter((reason) => DECIDABLE_REASONS.includes(reason as ReasonCode))];
  for (const reason of DECIDABLE_REASONS) if (!ordered.includes(reason)) ordered.push(reason);
  return ordered.map((reason) => html`<option value="${reason}">${reason}</option>`);
}

export function casePage(view: CaseView, session: { identity: Identity; csrf: string }): string {
  const { evidence, status, thresholds } = view;
  const scan = evidence.scans.at(-1);
  const face = evidence.faceChecks.at(-1);
  const register = evidence.registerChecks.at(-1);
  const automatic = evidence.decisions.filter((decision) => decision.source === 'AUTOMATIC').at(-1);
  const standing = evidence.decisions.at(-1);
  const reasons = [...new Set(evidence.decisions.flatMap((decision) => decision.reasons))] as ReasonCode[];
  const stage = status?.stage ?? 'UNKNOWN';
  const claimedBy = status?.claimedBy ?? null;
  const me = session.identity.subject;
  const csrf = html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
  const faceOutcome = face?.outcome as { liveness?: string; livenessSessionRefused?: string } | null | undefined;

  const timeline = [
    ...evidence.uploads.map((upload) => ({
      at: upload.uploadedAt,
      text: `${upload.kind === 'ID_DOCUMENT' ? 'ID document' : 'Selfie'} uploaded (#${upload.id})`,
      who: 'user',
    })),
    ...evidence.scans.map((row) => ({
      at: row.completedAt,
      text: `[${shortCycle(row.cycleId)}] document read: ${row.documentStatus}`,
      who: 'OCR',
    })),
    ...evidence.faceChecks.map((row) => ({
      at: row.completedAt,
      text: `[${shortCycle(row.cycleId)}] face compared: similarity ${row.similarity ?? 'n/a'}, liveness ${row.livenessPass === null ? 'not performed' : row.livenessPass ? 'passed' : 'failed'}`,
      who: 'face check',
    })),
    ...evidence.registerChecks.map((row) => ({
      at: row.checkedAt,
      text: `[${shortCycle(row.cycleId)}] register checked: ${row.standing ?? 'no record'} (snapshot ${row.snapshotDate})`,
      who: 'register',
    })),
    ...evidence.decisions.map((row) => ({
      at: row.decidedAt,
      text: `[${shortCycle(row.cycleId)}] decision #${row.id} ${row.decision} (${row.reasons.join(', ') || 'no reasons'})${row.overridesDecisionId ? ` overriding #${row.overridesDecisionId}` : ''}${row.note ? `: “${row.note}”` : ''}`,
      who: row.source === 'CS' ? (row.reviewer ?? 'CS') : 'automatic',
    })),
    ...view.audit
      .filter((event) => event.action.startsWith('POST /console'))
      .map((event) => ({
        at: event.occurredAt,
        text: `${event.action.replace('POST /console/cases/:userId/', '')} → ${event.status}`,
        who: event.actorSubject,
      })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());

  const actions: Html[] = [];
  if (stage === 'AWAITING_REVIEW') {
    if (claimedBy !== me && (claimedBy === null || view.canReassign)) {
      actions.push(html`<form method="post" action="/console/cases/${evidence.userId}/claim">${csrf}
        <button type="submit">${claimedBy ? `Reassign to me (from ${claimedBy})` : 'Claim this case'}</button></form>`);
    }
    actions.push(html`<form method="post" action="/console/cases/${evidence.userId}/review">${csrf}
      <label>Reason code <select name="reasonCode" required>${reasonOptions(automatic?.reasons ?? [])}</select></label>
      <label>Note <textarea name="note" rows="2" cols="40" required maxlength="2000"></textarea></label>
      <span><button type="submit" name="decision" value="PASS">Approve</button>
      <button type="submit" name="decision" value="FAIL">Reject</button></span></form>`);
    actions.push(html`<form method="post" action="/console/cases/${evidence.userId}/request-documents">${csrf}
      <fieldset><legend>Ask the user for</legend>
      <label><input type="checkbox" name="documents" value="ID_DOCUMENT"> a new ID document</label>
      <label><input type="checkbox" name="documents" value="SELFIE"> a new selfie</label></fieldset>
      <label>Message to the user <textarea name="message" rows="2" cols="40" required maxlength="1000"></textarea></label>
      <button type="submit">Ask for new documents</button></form>`);
  }
  if (
    view.canOverride &&
    stage === 'DECIDED' &&
    (status?.decision?.decision === 'PASS' || status?.decision?.decision === 'FAIL')
  ) {
    const to = status.decision.decision === 'PASS' ? 'FAIL' : 'PASS';
    actions.push(html`<form method="post" action="/console/cases/${evidence.userId}/override">${csrf}
      <input type="hidden" name="decision" value="${to}">
      <label>Reason code <select name="reasonCode" required>${reasonOptions(status.decision.reasons)}</select></label>
      <label>Reason for the override <textarea name="note" rows="2" cols="40" required maxlength="2000"></textarea></label>
      <button type="submit">${to === 'PASS' ? 'Override: overturn the FAIL (PASS)' : 'Override: revoke the PASS (FAIL)'}</button></form>`);
  }

  return layout(
    `Case ${evidence.userId}`,
    html`<div class="title"><h1>Case ${evidence.userId} · ${evidence.regType} · ${stage}${claimedBy ? ` · claimed by ${claimedBy}` : ''}</h1>
<span>Standing: ${standing ? `${standing.decision} (${standing.source === 'CS' ? standing.reviewer : 'automatic'})` : 'none'} ·
<a href="${view.temporalLink}" rel="noopener noreferrer" target="_blank">Workflow in the Temporal Web UI</a></span></div>
${view.flash ? html`<p class="flash ${view.flash.accepted ? 'accepted' : 'refused'}" role="status">${view.flash.message}</p>` : ''}
<div class="case">
<div class="images">
  <figure class="card"><figcaption>ID document</figcaption>${view.images.idDocument ? html`<img id="id-document" src="${view.images.idDocument}" alt="ID document">` : html`<p>No ID document scanned.</p>`}</figure>
  <figure class="card"><figcaption>Selfie</figcaption>${view.images.selfie ? html`<img id="selfie" src="${view.images.selfie}" alt="Selfie">` : html`<p>No selfie checked.</p>`}</figure>
</div>
<section class="actions" aria-label="Actions">${actions.length > 0 ? actions : html`<p>No action is open on this case (${stage}).</p>`}</section>
</div>
<div class="grid">
  <section class="card" aria-label="Document">
    <h2>Document (OCR)</h2>
    ${
      scan
        ? html`<dl><dt>Type</dt><dd>${scan.docType}</dd><dt>Name</dt><dd>${scan.parsedName ?? 'not read'}</dd>
      <dt>Date of birth</dt><dd>${scan.parsedDob ?? 'not read'}</dd>
      <dt>Expiry</dt><dd>${scan.parsedExpiry ?? 'not read'}${scan.documentStatus === 'EXPIRED' ? html` <span class="bad">expired</span>` : ''}</dd>
      <dt>Status</dt><dd>${scan.documentStatus}</dd></dl>${checkDigits(scan)}`
        : html`<p>Not scanned.</p>`
    }
  </section>
  <section class="card" aria-label="Face">
    <h2>Face</h2>
    ${
      face
        ? html`<p>Similarity <strong>${face.similarity ?? 'no face on the document'}</strong></p>
      <meter min="0" max="1" low="${thresholds.faceFail}" high="${thresholds.facePass}" optimum="1" value="${face.similarity ?? 0}">${face.similarity ?? 0}</meter>
      <p>Thresholds: mismatch below ${thresholds.faceFail} · borderline ${thresholds.faceFail}–${thresholds.facePass} · match at ${thresholds.facePass}</p>
      <dl><dt>Liveness</dt><dd>${faceOutcome?.liveness ?? (face.livenessPass === null ? 'NOT_PERFORMED' : face.livenessPass ? 'PASSED' : 'FAILED')}${face.livenessConfidence === null ? '' : ` (confidence ${face.livenessConfidence})`}</dd>
      <dt>Session</dt><dd>${face.livenessSessionId ?? 'none'}${faceOutcome?.livenessSessionRefused ? ` (refused: ${faceOutcome.livenessSessionRefused})` : ''}</dd>
      <dt>Selfie quality</dt><dd>${face.selfieQuality ?? 'n/a'}</dd></dl>`
        : html`<p>Not compared.</p>`
    }
  </section>
  <section class="card" aria-label="Register">
    <h2>Register (${evidence.regType} ${evidence.regNo})</h2>
    ${
      register
        ? html`<dl><dt>Status wording</dt><dd>${register.record?.statusText ?? 'no entry found'}</dd>
      <dt>Standing</dt><dd>${register.standing ?? 'n/a'}</dd>
      <dt>Conditions</dt><dd>${register.record?.restrictions?.length ? register.record.restrictions.join('; ') : 'none shown'}</dd>
      <dt>Name on register</dt><dd>${register.record?.fullName ?? 'n/a'}</dd>
      <dt>Snapshot</dt><dd>${register.snapshotDate}</dd></dl>`
        : html`<p>Not checked.</p>`
    }
    <p><a href="${view.registerPage}" rel="noopener noreferrer" target="_blank">The register's public page</a></p>
  </section>
  <section class="card reasons" aria-label="Reasons">
    <h2>Reason codes</h2>
    <dl>${reasons.map((reason) => html`<dt>${reason}</dt><dd>${REASON_EXPLANATIONS[reason] ?? ''}</dd>`)}</dl>
  </section>
</div>
<div>
  <section class="card timeline" aria-label="Timeline">
    <h2>Timeline (all cycles)</h2>
    <table><tbody>${timeline.map((entry) => html`<tr><td>${when(entry.at)}</td><td>${entry.who}</td><td>${entry.text}</td></tr>`)}</tbody></table>
  </section>
</div>`,
    session,
  );
}
