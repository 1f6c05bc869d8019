/**
 * `npm run demo [-- --seed <n>] [--api-url <url>] [--timeout <seconds>]`: four synthetic cases through a running
 * service (`npm start`). It registers four new people (a seed whose people this service has seen before is replaced
 * by a fresh one, and the demo says so), adds them to the register snapshots the local register reads, submits each
 * case through the intake API and follows it to its decision, with a link to its workflow in the Web UI. The
 * MANUAL_REVIEW case is left waiting for a person, and the demo says where to decide it. It reports this run's cases
 * only, and exits 0 only when every one of them ended as expected.
 */
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
async function publishRegisterSnapshots(cases: readonly DemoCase[], casesSeed: number): Promise<void> {
  const rng = seededRng(casesSeed + 1);
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

/** Registers the case's person; `existing` when this service already had them (the seed was used before). */
async function register(demoCase: DemoCase): Promise<{ userId: number; existing: boolean }> {
  const response = await fetch(`${apiUrl}/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${intakeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: demoCase.email, reg_type: demoCase.regType, reg_no: demoCase.regNo }),
  });
  const text = await response.text();
  // Another account holding one of this seed's registration numbers: the seed's people are not new either.
  if (response.status === 409) return { userId: 0, existing: true };
  if (!response.ok) throw new Error(`POST /users answered ${response.status}: ${text}`);
  return { userId: (JSON.parse(text) as { id: number }).id, existing: response.status === 200 };
}

/**
 * The cases of a seed whose people are all new to the service. A re-run with the same seed would otherwise upload
 * again for the same users and start their next verification cycle, mixing this run's results with the last one's.
 */
async function newPeople(firstSeed: number): Promise<{ seed: number; cases: DemoCase[]; userIds: number[] }> {
  // Earlier runs' doctors passed and their nurses may have been approved: a selfie showing one of those faces again
  // would be flagged DUPLICATE_FACE, as it should be, so a new run's doctor and nurse show other sample faces.
  const acceptedFaces = new Set<string>();
  const showsAcceptedFace = (cases: DemoCase[]) =>
    cases.slice(0, 2).some((demoCase) => acceptedFaces.has(demoCase.selfieFaceId));
  let candidate = firstSeed;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const cases = await buildDemoCases(seededRng(candidate));
    const next = (candidate + 7_919) % 2 ** 31;
    if (showsAcceptedFace(cases)) {
      candidate = next;
      continue;
    }
    const registered = [];
    for (const demoCase of cases) registered.push(await register(demoCase));
    const reused = registered.filter((one) => one.existing);
    if (reused.length === 0) return { seed: candidate, cases, userIds: registered.map((one) => one.userId) };
    for (const demoCase of cases.slice(0, 2)) acceptedFaces.add(demoCase.selfieFaceId);
    const ids = reused.map((one) => one.userId).filter((id) => id > 0);
    console.log(
      `seed ${candidate}'s people are already registered here${ids.length > 0 ? ` (users ${ids.join(', ')})` : ''}: ` +
        'not reusing them; new people, whose doctor and nurse show faces no earlier run accepted',
    );
    candidate = next;
  }
  throw new Error('could not find a seed whose people are new to this service and whose faces none of theirs share');
}

async function upload(demoCase: DemoCase, userId: number): Promise<void> {
  const form = new FormData();
  form.append('doc_type', 'passport');
  form.append('id_document', new Blob([demoCase.passport], { type: 'image/jpeg' }), 'passport.jpg');
  form.append('selfie', new Blob([demoCase.selfie], { type: 'image/jpeg' }), 'selfie.jpg');
  await api(`/users/${userId}/documents`, { method: 'POST', body: form });
}

/** Where a person decides a review: the CS console when this service has one, and the CS command. */
async function whereToDecide(userId: number): Promise<string[]> {
  const hasConsole = await fetch(`${apiUrl}/console`, { redirect: 'manual' }).then(
    (response) => response.status !== 404,
    () => false,
  );
  return [
    ...(hasConsole ? [`  in the CS console: ${apiUrl}/console/cases/${userId}`] : []),
    `  npm run cs -- show ${userId}`,
    `  npm run cs -- review ${userId} pass --reviewer <your name> --note "<why>"     (or fail)`,
  ];
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

interface Result {
  demoCase: DemoCase;
  userId: number;
  automatic: string;
  /** Where the case stands at the end: decided, or waiting for a person. */
  outcome: 'decided' | 'waiting for review' | 'no decision';
  asExpected: boolean;
}

async function follow(demoCase: DemoCase, number: number, userId: number): Promise<Result> {
  const say = (line: string) => console.log(`[case ${number}] ${line}`);
  const deadline = Date.now() + timeoutMs;
  let lastStage = '';
  let lastChecks = '';
  while (Date.now() < deadline) {
    const status = await api<KycStatusView>(`/users/${userId}/kyc`);
    if (status.stage !== lastStage) say(`user ${userId}: ${status.stage}`);
    lastStage = status.stage;
    const checks = checksLine(status);
    if (checks && checks !== lastChecks) say(`  ${checks}`);
    lastChecks = checks;
    const decision = status.automaticDecision ?? status.decision;
    if (decision && (status.stage === 'AWAITING_REVIEW' || status.stage === 'DECIDED')) {
      const automatic = `${decision.decision}${decision.reasons.length > 0 ? ` (${decision.reasons.join(', ')})` : ''}`;
      const asExpected =
        decision.decision === demoCase.expected.decision &&
        (!demoCase.expected.reason || decision.reasons.includes(demoCase.expected.reason));
      const outcome = status.stage === 'AWAITING_REVIEW' ? 'waiting for review' : 'decided';
      say(
        `  decision: ${automatic}${outcome === 'waiting for review' ? ', waiting for a person' : ''} ${asExpected ? '✓' : '✗ unexpected'}`,
      );
      return { demoCase, userId, automatic, outcome, asExpected };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  say(`no decision within ${timeoutMs / 1000} s (stage ${lastStage})`);
  return { demoCase, userId, automatic: '-', outcome: 'no decision', asExpected: false };
}

if (!(await serviceAnswers())) {
  console.error(`No KYC service answers at ${apiUrl}. Start it first, in another terminal: npm start`);
  process.exit(1);
}
const started = performance.now();
const people = await newPeople(seed);
console.log(`demo seed ${people.seed}: four new people, users ${people.userIds.join(', ')}`);
await publishRegisterSnapshots(people.cases, people.seed);
const submitted: Array<{ demoCase: DemoCase; number: number; userId: number }> = [];
for (const [index, demoCase] of people.cases.entries()) {
  const userId = people.userIds[index] as number;
  await upload(demoCase, userId);
  const number = index + 1;
  console.log(`[case ${number}] ${demoCase.title}: expect ${demoCase.expected.decision}`);
  console.log(
    `[case ${number}] user ${userId}, workflow ${config.KYC_TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/kyc-user-${userId}`,
  );
  submitted.push({ demoCase, number, userId });
}
const results = await Promise.all(submitted.map(({ demoCase, number, userId }) => follow(demoCase, number, userId)));

console.log(`\nThis run's cases (earlier runs' users are not included):`);
// The decision column is as wide as its longest entry: a reused face adds a reason (DUPLICATE_FACE) to any case.
const decisionWidth = Math.max('automatic decision'.length, ...results.map((result) => result.automatic.length)) + 2;
console.log(`case  user  ${'automatic decision'.padEnd(decisionWidth)}now`);
for (const [index, result] of results.entries()) {
  console.log(
    `${String(index + 1).padEnd(6)}${String(result.userId).padEnd(6)}${result.automatic.padEnd(decisionWidth)}${result.outcome}${result.asExpected ? '' : '   ✗ not as expected'}`,
  );
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const failures = results.filter((result) => !result.asExpected).length;
console.log(
  failures === 0
    ? `\nall ${results.length} cases as expected in ${seconds} s`
    : `\n${failures} case(s) not as expected`,
);
for (const waiting of results.filter((result) => result.outcome === 'waiting for review')) {
  console.log(`\nUser ${waiting.userId} (${waiting.demoCase.title}) waits for a person to decide. Decide it:`);
  for (const line of await whereToDecide(waiting.userId)) console.log(line);
}
process.exitCode = failures === 0 ? 0 : 1;
