/**
 * Synthetic register downloads for the local register (src/adapters/apify/snapshot.ts): entries in each register's
 * own wording, written as the file the service reads — CSV for the GMC, GDC and GPhC, JSON for the NMC — in the item
 * shape of that register's scraper. Writing merges into what is there, so earlier demo runs keep their entries.
 *
 * `stageRegisterChange` stages a day's change as the register would publish it: a dated download
 * (`gmc.2026-12-05.csv`) that stands from that day on (src/adapters/apify/register-file.ts). From the command line:
 * `node src/demo/register-snapshots.ts stage GMC 6143219 "Suspended" [--on 2026-12-05] [--dir .data/registers]`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { datedPath, registerFileFor } from '../adapters/apify/register-file.ts';
import { REG_TYPES, type RegType } from '../domain/registers.ts';
import { type Rng, randomPerson } from './synthetic-people.ts';

export interface RegisterEntry {
  regType: RegType;
  regNo: string;
  /** As the register shows it: given names and surname. */
  name: string;
  /** The register's own wording, e.g. "Registered with a licence to practise". */
  status: string;
  /** Conditions, undertakings or sanctions the entry shows. */
  restrictions?: string;
}

interface SnapshotShape {
  format: 'csv' | 'json';
  /** The field holding the registration number, by which entries are replaced. */
  numberField: string;
  /** The fields holding the status wording and the restrictions. */
  statusField: string;
  restrictionsField: string;
  row(entry: RegisterEntry): Record<string, string>;
}

/** Field names as each register's scraper returns them (see src/domain/register-records.ts). */
const SHAPES: Record<RegType, SnapshotShape> = {
  GMC: {
    format: 'csv',
    numberField: 'gmcReferenceNumber',
    statusField: 'registrationStatus',
    restrictionsField: 'conditions',
    row: (entry) => ({
      gmcReferenceNumber: entry.regNo,
      fullName: entry.name,
      registrationStatus: entry.status,
      conditions: entry.restrictions ?? '',
    }),
  },
  NMC: {
    format: 'json',
    numberField: 'pin',
    statusField: 'registrationStatus',
    restrictionsField: 'practisingConditions',
    row: (entry) => ({
      pin: entry.regNo,
      name: entry.name,
      registrationStatus: entry.status,
      ...(entry.restrictions ? { practisingConditions: entry.restrictions } : {}),
    }),
  },
  GDC: {
    format: 'csv',
    numberField: 'registrationNumber',
    statusField: 'status',
    restrictionsField: 'conditions',
    row: (entry) => ({
      registrationNumber: entry.regNo,
      name: entry.name,
      registrantType: 'Dentist',
      status: entry.status,
      conditions: entry.restrictions ?? '',
    }),
  },
  GPC: {
    format: 'csv',
    numberField: 'registrationNumber',
    statusField: 'status',
    restrictionsField: 'fitnessToPractise',
    row: (entry) => ({
      registrationNumber: entry.regNo,
      name: entry.name,
      status: entry.status,
      fitnessToPractise: entry.restrictions ?? '',
    }),
  },
};

/** The wording each register uses for an entry in good standing. */
export const IN_GOOD_STANDING: Record<RegType, string> = {
  GMC: 'Registered with a licence to practise',
  NMC: 'Registered',
  GDC: 'Registered',
  GPC: 'Registered',
};

/** Other standings a download holds, by register, for the entries that fill it out. */
const OTHER_STANDINGS: Record<RegType, string[]> = {
  GMC: ['Registered without a licence to practise', 'Not registered - Relinquished', 'Suspended'],
  NMC: ['Lapsed', 'Suspended by a fitness-to-practise panel', 'Removed by a fitness-to-practise panel'],
  GDC: ['Erased', 'Suspended'],
  GPC: ['Removed', 'Suspended'],
};

function digits(rng: Rng, count: number): string {
  return Array.from({ length: count }, () => Math.floor(rng() * 10)).join('');
}

function letter(rng: Rng): string {
  return String.fromCharCode(65 + Math.floor(rng() * 26));
}

/** A number in the register's format (see src/domain/register-numbers.ts). */
export function randomRegistrationNumber(rng: Rng, regType: RegType): string {
  switch (regType) {
    case 'GMC':
      return `${1 + Math.floor(rng() * 7)}${digits(rng, 6)}`;
    case 'NMC':
      return `${digits(rng, 2)}${letter(rng)}${digits(rng, 4)}${letter(rng)}`;
    case 'GDC':
      return `${1 + Math.floor(rng() * 9)}${digits(rng, 5)}`;
    case 'GPC':
      return `2${digits(rng, 6)}`;
  }
}

/** Registrants who are not in the demo, mostly in good standing, so a download looks like one. */
export function otherRegistrants(rng: Rng, regType: RegType, count: number): RegisterEntry[] {
  return Array.from({ length: count }, () => {
    const person = randomPerson(rng);
    const standings = OTHER_STANDINGS[regType];
    const status = rng() < 0.85 ? IN_GOOD_STANDING[regType] : (standings[Math.floor(rng() * standings.length)] ?? '');
    return {
      regType,
      regNo: randomRegistrationNumber(rng, regType),
      name: `${person.givenNames} ${person.surname}`,
      status,
    };
  });
}

export function snapshotFile(directory: string, regType: RegType): string {
  return join(directory, `${regType.toLowerCase()}.${SHAPES[regType].format}`);
}

/**
 * Adds the entries to the register's snapshot in `directory`, replacing any with the same number, and writes it
 * whole then renames it into place, so the service never reads half a file. Returns the snapshot's path.
 */
export async function writeRegisterSnapshot(
  directory: string,
  regType: RegType,
  entries: readonly RegisterEntry[],
): Promise<string> {
  const shape = SHAPES[regType];
  const file = snapshotFile(directory, regType);
  const replaced = new Set(entries.map((entry) => entry.regNo));
  const existing = (await readRows(file, shape.format)).filter((row) => !replaced.has(String(row[shape.numberField])));
  await mkdir(directory, { recursive: true });
  await writeRows(file, shape.format, [...existing, ...entries.map(shape.row)]);
  return file;
}

/**
 * Stages a change to one entry as the register's download of `date` (YYYY-MM-DD): the download standing that day,
 * with the entry's status (and restrictions, when given) replaced, written as the dated file. Returns its path.
 */
export async function stageRegisterChange(
  directory: string,
  regType: RegType,
  regNo: string,
  change: { status: string; restrictions?: string },
  date: string,
): Promise<string> {
  const shape = SHAPES[regType];
  const base = snapshotFile(directory, regType);
  const standing = await registerFileFor(base, date);
  const rows = standing ? await readRows(standing, shape.format) : [];
  const entry = rows.find((row) => String(row[shape.numberField]) === regNo);
  if (!entry) throw new Error(`no ${regType} entry ${regNo} in ${standing ?? base}`);
  entry[shape.statusField] = change.status;
  if (change.restrictions !== undefined) entry[shape.restrictionsField] = change.restrictions;
  const file = datedPath(base, date);
  await writeRows(file, shape.format, rows);
  return file;
}

/** Writes the rows whole, then renames them into place, so the service never reads half a file. */
async function writeRows(file: string, format: SnapshotShape['format'], rows: Record<string, unknown>[]) {
  // Every column any row has, in first-seen order: a download the operator placed may have more than these.
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const text = format === 'csv' ? stringify(rows, { header: true, columns }) : `${JSON.stringify(rows, null, 2)}\n`;
  await writeFile(`${file}.partial`, text);
  await rename(`${file}.partial`, file);
}

async function readRows(file: string, format: SnapshotShape['format']): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return [];
  if (format === 'json') return JSON.parse(text) as Record<string, unknown>[];
  return parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { on: { type: 'string' }, dir: { type: 'string' }, restrictions: { type: 'string' } },
  });
  const [command, regType, regNo, status] = positionals;
  if (command !== 'stage' || !REG_TYPES.includes(regType as RegType) || !regNo || !status) {
    console.error(
      'usage: node src/demo/register-snapshots.ts stage GMC|NMC|GDC|GPC <number> <status wording> ' +
        '[--restrictions <text>] [--on YYYY-MM-DD] [--dir <snapshot folder>]',
    );
    process.exit(2);
  }
  const directory = values.dir ?? join(process.env.KYC_DATA_DIR ?? '.data', 'registers');
  const date = values.on ?? new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
  const file = await stageRegisterChange(
    directory,
    regType as RegType,
    regNo,
    { status, ...(values.restrictions === undefined ? {} : { restrictions: values.restrictions }) },
    date,
  );
  console.log(`staged ${regType} ${regNo} "${status}" from ${date}: ${file}`);
}
