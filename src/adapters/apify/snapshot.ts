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
import type { RegType } from '../../domain/registers.ts';
import { PermanentAdapterError } from '../errors.ts';
import type { RegisterRun, RegisterScraper } from './index.ts';
import {
  REGISTER_FILE_FORMATS,
  type RegisterFile,
  readRegisterFile,
  registerFileFor,
  searchKey,
} from './register-file.ts';

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

interface LoadedSnapshot extends RegisterFile {
  modifiedMs: number;
  size: number;
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The snapshot base file of a register in `snapshotDir` (`gmc.json` before `gmc.csv`), or null. */
export async function snapshotPathOf(snapshotDir: string, regType: RegType, asOf: string): Promise<string | null> {
  for (const format of REGISTER_FILE_FORMATS) {
    const file = await registerFileFor(join(snapshotDir, `${regType.toLowerCase()}.${format}`), asOf);
    if (file) return file;
  }
  return null;
}

export function createSnapshotRegisterScraper(options: SnapshotRegisterOptions): RegisterScraper {
  const loaded = new Map<RegType, LoadedSnapshot>();

  /** The register's snapshot, read again whenever the file has changed (a new download replaced it). */
  async function snapshotOf(regType: RegType): Promise<LoadedSnapshot> {
    // The download that stands today, staged ones included (see register-file.ts).
    const file = await snapshotPathOf(options.snapshotDir, regType, new Date().toISOString().slice(0, 10));
    const status = file ? await stat(file).catch(() => undefined) : undefined;
    if (file && status) {
      const known = loaded.get(regType);
      if (known?.path === file && known.modifiedMs === status.mtimeMs && known.size === status.size) return known;
      const snapshot = { ...(await readRegisterFile(file)), modifiedMs: status.mtimeMs, size: status.size };
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
