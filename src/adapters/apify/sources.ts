/**
 * Each register's source for the daily monitor, configured once: an Apify actor run over a list of numbers, the
 * register's own data download, or a local snapshot. A register with none is `null`, and the monitor says so.
 *
 * The batch contract an actor must meet (the NMC's among them; no public NMC actor exists): input
 * `{ "registrationNumbers": ["01A2345N", …] }`, output one dataset item per entry found, in the register's item shape
 * (src/domain/register-records.ts: for the NMC `pin`, `name`, `registrationStatus`, optional `practisingConditions`,
 * `sanctions`, `renewalDate`); a number with no entry has no item. The run ends SUCCEEDED when every number was
 * looked up; FAILED, ABORTED or TIMED-OUT fails the whole batch.
 */
import type { ApifyClient } from 'apify-client';
import type { RegisterSourceKind, RegType } from '../../domain/registers.ts';
import { PermanentAdapterError } from '../errors.ts';
import type { RegisterRun, RunStatus } from './index.ts';
import { registerFileFor } from './register-file.ts';
import { snapshotPathOf } from './snapshot.ts';

/** Looks up many numbers in one actor run. */
export interface BatchLookUp {
  start(registrationNumbers: string[]): Promise<RegisterRun>;
  /** The run's state, waiting up to `waitSecs` for it to finish. */
  getRun(runId: string, waitSecs: number): Promise<RegisterRun>;
  /** Every item of the run's dataset, page by page. */
  listItems(datasetId: string): Promise<unknown[]>;
}

export type RegisterSource =
  | { kind: 'APIFY_ACTOR'; reference: string; batch: BatchLookUp }
  | { kind: 'DATA_FILE' | 'SNAPSHOT'; reference: string; fileFor(asOf: string): Promise<string | null> };

export type RegisterSources = Record<RegType, RegisterSource | null>;

export function kindOf(source: RegisterSource | null): RegisterSourceKind {
  return source?.kind ?? 'NONE';
}

const ITEMS_PAGE = 1000;

export function createApifyBatchLookUp(client: ApifyClient, actorId: string): BatchLookUp {
  const toRun = (run: { id: string; actId: string; status: string; defaultDatasetId: string }): RegisterRun => ({
    runId: run.id,
    actorId: run.actId,
    status: run.status as RunStatus,
    datasetId: run.defaultDatasetId,
  });
  return {
    async start(registrationNumbers) {
      return toRun(await client.actor(actorId).start({ registrationNumbers }));
    },
    async getRun(runId, waitSecs) {
      const run = await client.run(runId).get({ waitForFinish: waitSecs });
      if (!run) throw new PermanentAdapterError('INVALID_REQUEST', `Apify has no run ${runId}`);
      return toRun(run);
    },
    async listItems(datasetId) {
      const items: unknown[] = [];
      for (let offset = 0; ; offset += ITEMS_PAGE) {
        const page = await client.dataset(datasetId).listItems({ clean: true, offset, limit: ITEMS_PAGE });
        items.push(...page.items);
        if (page.items.length < ITEMS_PAGE) return items;
      }
    },
  };
}

export interface RegisterSourceSettings {
  /** Registers whose own data download is read: path of the base file (dated siblings are found beside it). */
  dataFiles: Partial<Record<RegType, string>>;
  /** Actors that take a list of numbers, by register. */
  actors: Partial<Record<RegType, string>>;
  apify: ApifyClient | null;
  /** Local snapshot folder, when the service runs on local providers. */
  snapshotDir: string | null;
}

/** A data file first, then an actor, then the local snapshot: the first one configured is the register's source. */
export function createRegisterSources(settings: RegisterSourceSettings): RegisterSources {
  const sourceOf = (regType: RegType): RegisterSource | null => {
    const dataFile = settings.dataFiles[regType];
    if (dataFile) return { kind: 'DATA_FILE', reference: dataFile, fileFor: (asOf) => registerFileFor(dataFile, asOf) };
    const actor = settings.actors[regType];
    if (actor && settings.apify) {
      return { kind: 'APIFY_ACTOR', reference: actor, batch: createApifyBatchLookUp(settings.apify, actor) };
    }
    const snapshotDir = settings.snapshotDir;
    if (snapshotDir) {
      return {
        kind: 'SNAPSHOT',
        reference: snapshotDir,
        fileFor: (asOf) => snapshotPathOf(snapshotDir, regType, asOf),
      };
    }
    return null;
  };
  return { GMC: sourceOf('GMC'), NMC: sourceOf('NMC'), GDC: sourceOf('GDC'), GPC: sourceOf('GPC') };
}
