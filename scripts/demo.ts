/**
 * `npm run demo [-- --seed <n>] [--api-url <url>] [--timeout <seconds>]`: four synthetic cases through a running
 * service (`npm start`). It adds the cases' people to the register snapshots the local register reads, submits each
 * case through the intake API, follows it to its decision with a link to its workflow in the Web UI, approves the
 * MANUAL_REVIEW case through the CS command, and exits 0 only when every case ended as expected.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LOCAL_SERVICE_TOKENS, loadConfig } from '../src/config.ts';
import type { KycStatusView } from '../src/contract/kyc-workflow.ts';
import { buildDemoCases, type DemoCase } from '../src/demo/cases.ts';
import {
  otherRegistrants,
  type RegisterEntry,
  snapshotFile,
  writeRegisterSnapshot,
} from '../src/demo/register-snapshots.ts';
import { seededRng } from '../src/demo/synthetic-people.ts';
import type { RegType } from '../src/domain/registers.ts';

/** Entries besides the demo's that a new snapshot starts with, so it reads like a register's download. */
const OTHER_REGISTRANTS = 40;
const POLL_INTERVAL_MS = 500;

const { values } = parseArgs({
  options: { seed: { type: 'string' }, 'api-url': { type: 'string' }, timeout: { type: 'string' } },
});
const config = loadConfig();
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const timeoutMs = Number(values.timeout ?? 300) * 1000;
const host = ['0.0.0.0', '::'].includes(config.KYC_HTTP_HOST) ? '127.0.0.1' : config.KYC_HTTP_HOST;
const apiUrl = values['api-url'] ?? `http://${host}:${config.KYC_HTTP_PORT}`;
// The demo plays the product backend against npm start, whose local service token it knows; elsewhere, give it one.
const intakeToken = process.env.KYC_DEMO_INTAKE_TOKEN ?? (config.production ? undefined : LOCAL_SERVICE_TOKENS.intake);
if (!Number.isSafeInteger(seed) || !Number.isFinite(timeoutMs) || !intakeToken) {
  console.error('usage: npm run demo -- [--seed <integer>] [--api-url <url>] [--timeout <seconds>]');
  console.error('(outside npm start on loopback, KYC_DEMO_INTAKE_TOKEN must hold an intake service token)');
  process.exit(2);
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${intakeToken}`, ...init.headers },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function serviceAnswers(): Promise<boolean> {
  return fetch(`${apiUrl}/healthz`).then(
    (response) => response.ok,
    () => false,
  );
}

/** The registers' downloads with the demo's people added; a register without one yet gets other registrants too. */
async function publishRegisterSnapshots(cases: readonly DemoCase[]): Promise<void> {
  const rng = seededRng(seed + 1);
  const byRegister = new Map<RegType, RegisterEntry[]>();
  for (const { registerEntry } of cases) {
    byRegister.set(registerEntry.regType, [...(byRegister.get(registerEntry.regType) ?? []), registerEntry]);
  }
  for (const [regType, entries] of byRegister) {
    const directory = config.KYC_REGISTER_SNAPSHOT_DIR;
    const isNew = await access(snapshotFile(directory, regType)).then(
      () => false,
      () => true,
    );
    const others = isNew ? otherRegistrants(rng, regType, OTHER_REGISTRANTS) : [];
    const file = await writeRegisterSnapshot(directory, regType, [...others, ...entries]);
    console.log(`register snapshot ${file}: ${entries.length} demo entr${entries.length === 1 ? 'y' : 'ies'} added`);
  }
}

async function submit(demoCase: DemoCase): Promise<number> {
  const user = await api<{ id: number }>('/users', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demoCase.email, reg_type: demoCase.regType, reg_no: demoCase.regNo }),
  });
  const form = new FormData();
  form.append('doc_type', 'passport');
  form.append('id_document', new Blob([demoCase.passport], { type: 'image/jpeg' }), 'passport.jpg');
  form.append('selfie', new Blob([demoCase.selfie], { type: 'image/jpeg' }), 'selfie.jpg');
  await api(`/users/${user.id}/documents`, { method: 'POST', body: form });
  return user.id;
}

/** What the checks found so far, outcomes only (nothing personal). */
function checksLine({ checks }: KycStatusView): string {
  const parts: string[] = [];
  const { document, face, register } = checks;
  if (document) {
    parts.push(
      document.status === 'READ'
        ? `document read${document.expired ? ', EXPIRED' : ''}${document.checkDigitsValid === false ? ', bad check digits' : ''}`
        : `document ${document.status} (${document.cause})`,
    );
  }
  if (face) {
    parts.push(
      face.status === 'COMPARED'
        ? `face similarity ${face.similarity ?? 'none'}, liveness ${face.liveness}, selfie ${face.selfieQuality}`
        : `face ERROR (${face.cause})`,
    );
  }
  if (register) {
    parts.push(
      register.status === 'CHECKED'
        ? `register ${register.standing}, name ${register.nameMatch}`
        : `register ${register.status}`,
    );
  }
  return parts.join('; ');
}

/** `npm run cs -- review …`, as a CS agent would run it. */
function approveThroughCsCommand(userId: number, note: string, say: (line: string) => void): Promise<void> {
  const args = ['run', '--silent', 'cs', '--', 'review', String(userId), 'pass', '--reviewer', 'demo', '--note', note];
  say(`$ npm ${args.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg)).join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      for (const line of output.join('').trim().split('\n')) if (line) say(`  ${line}`);
      if (code === 0) resolve();
      else reject(new Error(`the CS command exited with ${code}`));
    });
  });
}

interface Result {
  demoCase: DemoCase;
  userId: number;
  automatic: string;
  final: string;
  asExpected: boolean;
}

async function follow(demoCase: DemoCase, number: number, userId: number): Promise<Result> {
  const say = (line: string) => console.log(`[case ${number}] ${line}`);
  const deadline = Date.now() + timeoutMs;
  let lastStage = '';
  let lastChecks = '';
  let automatic = '-';
  let reviewed = false;
  while (Date.now() < deadline) {
    const status = await api<KycStatusView>(`/users/${userId}/kyc`);
    if (status.stage !== lastStage) say(`user ${userId}: ${status.stage}`);
    lastStage = status.stage;
    const checks = checksLine(status);
    if (checks && checks !== lastChecks) say(`  ${checks}`);
    lastChecks = checks;
    const automaticDecision = status.automaticDecision ?? status.decision;
    if (automaticDecision) {
      automatic = `${automaticDecision.decision}${automaticDecision.reasons.length > 0 ? ` (${automaticDecision.reasons.join(', ')})` : ''}`;
    }
    if (status.stage === 'AWAITING_REVIEW' && !reviewed) {
      say(`  decision: ${automatic}; waiting for CS`);
      if (!demoCase.review) break;
      await approveThroughCsCommand(userId, demoCase.review.note, say);
      reviewed = true;
    } else if (status.stage === 'DECIDED' && status.decision) {
      const final = `${status.decision.decision}${status.decision.source === 'CS' ? ` by CS (${status.decision.reviewer})` : ''}`;
      const reached = automaticDecision?.decision === demoCase.expected.decision;
      const forTheReason = !demoCase.expected.reason || automaticDecision?.reasons.includes(demoCase.expected.reason);
      const finalAsExpected = status.decision.decision === (demoCase.review?.decision ?? demoCase.expected.decision);
      const asExpected = Boolean(reached && forTheReason && finalAsExpected);
      say(
        `  decision: ${automatic}${status.decision.source === 'CS' ? `, then ${final}` : ''} ${asExpected ? '✓' : '✗ unexpected'}`,
      );
      return { demoCase, userId, automatic, final, asExpected };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  say(`no decision within ${timeoutMs / 1000} s (stage ${lastStage})`);
  return { demoCase, userId, automatic, final: '-', asExpected: false };
}

if (!(await serviceAnswers())) {
  console.error(`No KYC service answers at ${apiUrl}. Start it first, in another terminal: npm start`);
  process.exit(1);
}
const started = performance.now();
console.log(`demo seed ${seed} (run again with: npm run demo -- --seed ${seed})`);
const cases = await buildDemoCases(seededRng(seed));
await publishRegisterSnapshots(cases);
const submitted: Array<{ demoCase: DemoCase; number: number; userId: number }> = [];
for (const [index, demoCase] of cases.entries()) {
  const userId = await submit(demoCase);
  const number = index + 1;
  console.log(`[case ${number}] ${demoCase.title}: expect ${demoCase.expected.decision}`);
  console.log(
    `[case ${number}] user ${userId}, workflow ${config.KYC_TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/kyc-user-${userId}`,
  );
  submitted.push({ demoCase, number, userId });
}
const results = await Promise.all(submitted.map(({ demoCase, number, userId }) => follow(demoCase, number, userId)));

console.log('\ncase  user  automatic decision                    final');
for (const [index, result] of results.entries()) {
  console.log(
    `${String(index + 1).padEnd(6)}${String(result.userId).padEnd(6)}${result.automatic.padEnd(38)}${result.final}${result.asExpected ? '' : '   ✗ not as expected'}`,
  );
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const failures = results.filter((result) => !result.asExpected).length;
console.log(
  failures === 0
    ? `\nall ${results.length} cases as expected in ${seconds} s`
    : `\n${failures} case(s) not as expected`,
);
process.exitCode = failures === 0 ? 0 : 1;
