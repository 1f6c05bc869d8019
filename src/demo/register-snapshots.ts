/**
 * Synthetic register downloads for the local register (src/adapters/apify/snapshot.ts): entries in each register's
 * own wording, written as the file the service reads — CSV for the GMC, GDC and GPhC, JSON for the NMC — in the item
 * shape of that register's scraper. Writing merges into what is there, so earlier demo runs keep their entries.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { RegType } from '../domain/registers.ts';
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
  row(entry: RegisterEntry): Record<string, string>;
}

/** Field names as each register's scraper returns them (see src/domain/register-records.ts). */
const SHAPES: Record<RegType, SnapshotShape> = {
  GMC: {
    format: 'csv',
    numberField: 'gmcReferenceNumber',
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
  const rows = [...existing, ...entries.map(shape.row)];
  await mkdir(directory, { recursive: true });
  // Every column any row has, in first-seen order: a download the operator placed may have more than these.
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const text =
    shape.format === 'csv' ? stringify(rows, { header: true, columns }) : `${JSON.stringify(rows, null, 2)}\n`;
  await writeFile(`${file}.partial`, text);
  await rename(`${file}.partial`, file);
  return file;
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
