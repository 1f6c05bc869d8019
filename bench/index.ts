/**
 * `npm run bench [-- <part>…] [--quick]`: what one verification costs against Temporal's own floor, throughput,
 * latency, idle-workflow memory and intake, measured on this machine against a real Temporal dev server, PostgreSQL
 * and the real worker with encryption on. Prints a Markdown table and writes every raw figure to
 * bench/results/<date>.json. Parts: floor, cost, idle, intake, status, monitor, console, dry-run, expiry, faces, engines
 * (all by default). `--quick` runs each briefly, for CI smoke use: its figures say the bench works, not how fast
 * anything is. `expiry` (its own throwaway database), `faces` (the face index and the duplicate-face threshold) and
 * `engines` (the local OCR and face engines) need none of the rig; `--faces-million` adds 1,000,000 stored faces to
 * `faces`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { describeMachine } from './machine.ts';
import { consolePart } from './parts/console.ts';
import { costPart } from './parts/cost.ts';
import { dryRunPart } from './parts/dry-run.ts';
import { enginesPart } from './parts/engines.ts';
import { expiryPart } from './parts/expiry.ts';
import { facesPart } from './parts/faces.ts';
import { floorPart } from './parts/floor.ts';
import { idlePart } from './parts/idle.ts';
import { intakePart } from './parts/intake.ts';
import { monitorPart } from './parts/monitor.ts';
import { statusPart } from './parts/status.ts';
import { type Rig, startRig } from './rig.ts';
import { markdownTable, type PartResult } from './table.ts';

/** In the order the table shows them. */
const PARTS = {
  floor: floorPart,
  cost: costPart,
  idle: idlePart,
  intake: intakePart,
  status: statusPart,
  monitor: monitorPart,
  console: consolePart,
  'dry-run': dryRunPart,
  expiry: (_rig: Rig | null, quick: boolean) => expiryPart(quick),
  faces: (_rig: Rig | null, quick: boolean) => facesPart({ quick, million: args.includes('--faces-million') }),
  engines: (_rig: Rig | null, quick: boolean) => enginesPart(quick),
} satisfies Record<string, (rig: Rig, quick: boolean) => Promise<PartResult>>;
type PartName = keyof typeof PARTS;
/**
 * The cost part runs first: PostgreSQL's counters for the database then hold nothing but its one verification.
 */
const RUN_ORDER: PartName[] = [
  'cost',
  // Before the parts that leave verified users behind: a data-file batch of register numbers none of which the file
  // holds is taken for a broken source (README, "Register monitoring"), and those users would fill the first batches.
  'monitor',
  'floor',
  'idle',
  'intake',
  'status',
  'console',
  'dry-run',
  'expiry',
  'faces',
  'engines',
];
/** Parts that run on their own, without the rig's servers. */
const STANDALONE: ReadonlySet<PartName> = new Set(['expiry', 'faces', 'engines']);

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const chosen = args.filter((arg) => !arg.startsWith('--'));
const unknown = chosen.filter((part) => !(part in PARTS));
if (unknown.length > 0) {
  throw new Error(`unknown part ${unknown.join(', ')}; the parts are ${Object.keys(PARTS).join(', ')}`);
}
const parts = RUN_ORDER.filter((part) => chosen.length === 0 || chosen.includes(part));

const started = new Date();
const rig = parts.every((part) => STANDALONE.has(part)) ? null : await startRig();
// The Temporal runtime takes SIGINT and SIGTERM to stop its workers; the bench must still tear everything down.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (rig?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
try {
  const results: PartResult[] = [];
  for (const part of parts) {
    const partStarted = performance.now();
    process.stderr.write(`bench: ${part}…\n`);
    results.push(await PARTS[part](rig as Rig, quick));
    process.stderr.write(`bench: ${part} took ${((performance.now() - partStarted) / 1000).toFixed(0)} s\n`);
  }
  results.sort((a, b) => Object.keys(PARTS).indexOf(a.part) - Object.keys(PARTS).indexOf(b.part));
  const machine = await describeMachine(rig?.harness.db.sql ?? null, rig?.postgres.embedded ?? false);
  const date = started.toISOString().slice(0, 10);
  const machineLine =
    `${date}, ${machine.cpu} × ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.os}, ` +
    `Node ${machine.node}, PostgreSQL ${machine.postgres}, ${machine.temporal}${quick ? ' — quick mode' : ''}`;
  process.stdout.write(`\n${machineLine}\n\n${markdownTable(results)}\n`);

  // `--label=<name>` keeps runs of the same parts with different settings apart.
  const label = args.find((arg) => arg.startsWith('--label='))?.slice('--label='.length) ?? '';
  const suffix = [quick ? 'quick' : '', chosen.length > 0 ? chosen.join('-') : '', label].filter(Boolean).join('-');
  const file = new URL(`./results/${date}${suffix ? `-${suffix}` : ''}.json`, import.meta.url);
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(
    file,
    `${JSON.stringify({ startedAt: started.toISOString(), quick, machine, parts: results }, null, 2)}\n`,
  );
  process.stderr.write(`bench: wrote ${file.pathname}\n`);
} finally {
  await rig?.close();
}
