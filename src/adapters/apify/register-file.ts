/**
 * A register as a file: a register's own data download (the GMC's List of Registered Medical Practitioners, as CSV)
 * or a local snapshot in the item shape of that register's scraper (src/domain/register-records.ts). CSV column
 * names or JSON keys are the scraper's field names; in a CSV an empty cell is a missing field; a JSON file is an array
 * of items, as Apify exports a dataset.
 *
 * Registers publish a download a day. A file `gmc.csv` may have dated siblings `gmc.2026-12-05.csv`: the download
 * published that day, which stands from that date on. `registerFileFor(path, asOf)` picks the newest one dated on or
 * before `asOf`, else the undated file, so a day's change can be staged ahead of the day it appears.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PermanentAdapterError } from '../errors.ts';

export const REGISTER_FILE_FORMATS = ['json', 'csv'] as const;
export type RegisterFileFormat = (typeof REGISTER_FILE_FORMATS)[number];

export interface RegisterFile {
  /** The file read: the base file or its dated sibling. */
  path: string;
  sha256: string;
  entries: number;
  /** Rows by each registration-number-like value they hold (see searchKey). */
  rowsByNumber: Map<string, Record<string, unknown>[]>;
  /** Each row as text, by its first registration-number-like value (the number column leads in every download). */
  rowsByKey: Map<string, string>;
}

const DATED = /^(.*)\.(\d{4}-\d{2}-\d{2})$/;

/** A value as the register's search by number would compare it: no spaces, upper case. */
export function searchKey(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** Registration numbers of every register are short runs of letters and digits with at least one digit. */
function looksLikeRegistrationNumber(key: string): boolean {
  return /^(?=.*\d)[A-Z0-9]{1,12}$/.test(key);
}

export function formatOf(path: string): RegisterFileFormat {
  const format = extname(path).slice(1).toLowerCase();
  if (!(REGISTER_FILE_FORMATS as readonly string[]).includes(format)) {
    throw new PermanentAdapterError('NOT_CONFIGURED', `a register file must be .csv or .json: ${path}`);
  }
  return format as RegisterFileFormat;
}

/** `gmc.csv` and the day → `gmc.<date>.csv` */
export function datedPath(path: string, date: string): string {
  const extension = extname(path);
  return join(dirname(path), `${basename(path, extension)}.${date}${extension}`);
}

/**
 * The file that stands on `asOf` (YYYY-MM-DD): the newest dated sibling on or before it, else `path` itself; null
 * when neither exists.
 */
export async function registerFileFor(path: string, asOf: string): Promise<string | null> {
  const extension = extname(path);
  const stem = basename(path, extension);
  const names = await readdir(dirname(path)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const staged = names
    .filter((name) => extname(name) === extension)
    .map((name) => DATED.exec(basename(name, extension)))
    .filter((match): match is RegExpExecArray => match !== null && match[1] === stem && (match[2] ?? '') <= asOf)
    .map((match) => match[2] as string)
    .sort();
  const newest = staged.at(-1);
  if (newest) return datedPath(path, newest);
  return (await stat(path).catch(() => undefined)) ? path : null;
}

/** Reads and indexes a register file. A file that cannot be read is an operator's to fix, so it throws. */
export async function readRegisterFile(path: string): Promise<RegisterFile> {
  const bytes = await readFile(path);
  const rows = parseRegisterRows(formatOf(path), bytes.toString('utf8'), path);
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    entries: rows.length,
    rowsByNumber: indexByNumber(rows),
    rowsByKey: new Map(
      rows.flatMap((row) => {
        const key = numberLikeValues(row)[0];
        return key === undefined ? [] : [[key, JSON.stringify(row)] as const];
      }),
    ),
  };
}

function numberLikeValues(row: Record<string, unknown>): string[] {
  return Object.values(row)
    .filter((value) => typeof value === 'string' || typeof value === 'number')
    .map((value) => searchKey(String(value)))
    .filter(looksLikeRegistrationNumber);
}

export function parseRegisterRows(format: RegisterFileFormat, text: string, file: string): Record<string, unknown>[] {
  if (format === 'csv') {
    const rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<
      string,
      string
    >[];
    return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== '')));
  }
  const items: unknown = JSON.parse(text);
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'object' && item !== null)) {
    throw new Error(`${file} is not a JSON array of register entries`);
  }
  return items as Record<string, unknown>[];
}

/** Rows by every registration-number-like value they hold, as a search of the register by number finds them. */
export function indexByNumber(rows: Record<string, unknown>[]): Map<string, Record<string, unknown>[]> {
  const index = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    for (const key of new Set(numberLikeValues(row))) {
      const rowsWithKey = index.get(key);
      if (rowsWithKey) rowsWithKey.push(row);
      else index.set(key, [row]);
    }
  }
  return index;
}

export interface RegisterFileDiff {
  added: number;
  removed: number;
  changed: number;
}

/**
 * What changed between two reads of a register, entry by entry (keyed by the row's leading number): entries added,
 * removed, or whose row differs in any field. The monitor reports it per pass; the decision about a user rests on
 * their own record.
 */
export function diffRegisterFiles(previous: RegisterFile | null, current: RegisterFile): RegisterFileDiff {
  if (!previous) return { added: current.rowsByKey.size, removed: 0, changed: 0 };
  let added = 0;
  let changed = 0;
  for (const [key, row] of current.rowsByKey) {
    const before = previous.rowsByKey.get(key);
    if (before === undefined) added += 1;
    else if (before !== row) changed += 1;
  }
  let removed = 0;
  for (const key of previous.rowsByKey.keys()) if (!current.rowsByKey.has(key)) removed += 1;
  return { added, removed, changed };
}
