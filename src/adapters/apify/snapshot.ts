/**
 * The register as a snapshot file, the way the registers publish data downloads, for on-prem sites and laptops without
 * Apify: one file per register in a folder, `gmc.csv` or `gmc.json` (likewise `nmc`, `gdc`, `gpc`). Each row is an
 * item in the shape that register's Apify actor returns — CSV column names or JSON keys are its field names (see
 * src/domain/register-records.ts) — so a snapshot goes through the same RegisterRecord mapping and comparison. In a
 * CSV an empty cell is a missing field; a JSON snapshot is an array of items, as Apify exports a dataset.
 *
 * A look-up is kept as Apify keeps a run: the rows carrying the registration number in any column (as a search of
 * the register by number finds them) are copied into a dataset, a file under `runsDir`. The run reads the same after
 * a restart, and a newer snapshot does not change a check already made. Runs finish at once, so no webhook is sent:
 * the workflow sees a finished run and reads its result.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { RegType } from '../../domain/registers.ts';
import { PermanentAdapterError } from '../errors.ts';
import type { RegisterRun, RegisterScraper } from './index.ts';

export interface SnapshotRegisterOptions {
  /** Where the snapshot files are. */
  snapshotDir: string;
  /** Where runs and their datasets are kept. */
  runsDir: string;
}

interface RecordedRun {
  run: RegisterRun;
  items: unknown[];
}

interface LoadedSnapshot {
  file: string;
  modifiedMs: number;
  size: number;
  /** Rows by each registration-number-like value they hold (see searchKey). */
  rowsByNumber: Map<string, Record<string, unknown>[]>;
}

const SNAPSHOT_FORMATS = ['json', 'csv'] as const;
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A value as the register's search by number would compare it: no spaces, upper case. */
function searchKey(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** Registration numbers of every register are short runs of letters and digits with at least one digit. */
function looksLikeRegistrationNumber(key: string): boolean {
  return /^(?=.*\d)[A-Z0-9]{1,12}$/.test(key);
}

export function createSnapshotRegisterScraper(options: SnapshotRegisterOptions): RegisterScraper {
  const loaded = new Map<RegType, LoadedSnapshot>();

  /** The register's snapshot, read again whenever the file has changed (a new download replaced it). */
  async function snapshotOf(regType: RegType): Promise<LoadedSnapshot> {
    for (const format of SNAPSHOT_FORMATS) {
      const file = join(options.snapshotDir, `${regType.toLowerCase()}.${format}`);
      const status = await stat(file).catch(() => undefined);
      if (!status) continue;
      const known = loaded.get(regType);
      if (known?.file === file && known.modifiedMs === status.mtimeMs && known.size === status.size) return known;
      const snapshot = {
        file,
        modifiedMs: status.mtimeMs,
        size: status.size,
        rowsByNumber: indexByNumber(parseSnapshot(format, await readFile(file, 'utf8'), file)),
      };
      loaded.set(regType, snapshot);
      return snapshot;
    }
    throw new PermanentAdapterError(
      'NOT_CONFIGURED',
      `no ${regType} register snapshot (${regType.toLowerCase()}.csv or .json) in ${options.snapshotDir}`,
    );
  }

  async function readRun(runId: string): Promise<RecordedRun> {
    if (!RUN_ID.test(runId)) throw new PermanentAdapterError('INVALID_REQUEST', `no register run ${runId}`);
    const text = await readFile(join(options.runsDir, `${runId}.json`), 'utf8').catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new PermanentAdapterError('INVALID_REQUEST', `no register run ${runId}`);
        throw error;
      },
    );
    return JSON.parse(text) as RecordedRun;
  }

  async function findRecordedRun(runId: string): Promise<RecordedRun | null> {
    return readRun(runId).catch((error: unknown) => {
      if (error instanceof PermanentAdapterError) return null;
      throw error;
    });
  }

  return {
    // The run id is the request id, so a repeated start finds the run it already made.
    async startRun(regType, regNo, _webhook, requestId) {
      const existing = await findRecordedRun(requestId);
      if (existing) return existing.run;
      const snapshot = await snapshotOf(regType);
      const runId = requestId;
      const recorded: RecordedRun = {
        run: { runId, actorId: `snapshot:${regType.toLowerCase()}`, status: 'SUCCEEDED', datasetId: runId },
        items: snapshot.rowsByNumber.get(searchKey(regNo)) ?? [],
      };
      await mkdir(options.runsDir, { recursive: true });
      // Written whole then renamed, so a run is never read half-written.
      const path = join(options.runsDir, `${runId}.json`);
      await writeFile(`${path}.partial`, JSON.stringify(recorded));
      await rename(`${path}.partial`, path);
      return recorded.run;
    },
    async findRun(_regType, requestId) {
      return (await findRecordedRun(requestId))?.run ?? null;
    },
    async getRun(runId) {
      return (await readRun(runId)).run;
    },
    async listItems(datasetId) {
      return (await readRun(datasetId)).items;
    },
  };
}

/** The snapshot's rows. A file that cannot be read is an operator's to fix, so it fails the call and is retried. */
function parseSnapshot(
  format: (typeof SNAPSHOT_FORMATS)[number],
  text: string,
  file: string,
): Record<string, unknown>[] {
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

function indexByNumber(rows: Record<string, unknown>[]): Map<string, Record<string, unknown>[]> {
  const index = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const keys = new Set(
      Object.values(row)
        .filter((value) => typeof value === 'string' || typeof value === 'number')
        .map((value) => searchKey(String(value)))
        .filter(looksLikeRegistrationNumber),
    );
    for (const key of keys) {
      const rowsWithKey = index.get(key);
      if (rowsWithKey) rowsWithKey.push(row);
      else index.set(key, [row]);
    }
  }
  return index;
}
