import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnapshotRegisterScraper } from '../../src/adapters/apify/snapshot.ts';
import { PermanentAdapterError } from '../../src/adapters/errors.ts';
import { otherRegistrants, writeRegisterSnapshot } from '../../src/demo/register-snapshots.ts';
import { seededRng } from '../../src/demo/synthetic-people.ts';
import { registerRecordFromItems } from '../../src/domain/register-records.ts';
import type { RegType } from '../../src/domain/registers.ts';

describe('register snapshot files', () => {
  let root: string;
  let snapshotDir: string;
  let runsDir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kyc-register-'));
    snapshotDir = join(root, 'registers');
    runsDir = join(root, 'runs');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** A look-up as the register activities make it: start the run, read its dataset, map it to a RegisterRecord. */
  async function lookUp(regType: RegType, regNo: string) {
    const scraper = createSnapshotRegisterScraper({ snapshotDir, runsDir });
    const run = await scraper.startRun(regType, regNo, null, randomUUID());
    expect(run.status).toBe('SUCCEEDED');
    return registerRecordFromItems(regType, regNo, await scraper.listItems(run.datasetId));
  }

  it('finds a GMC entry in a CSV download, quoted fields and all, through the GMC mapping', async () => {
    await mkdir(snapshotDir, { recursive: true });
    await writeFile(
      join(snapshotDir, 'gmc.csv'),
      '\uFEFFgmcReferenceNumber,fullName,registrationStatus,conditions\r\n' +
        '6143219,"Jane Ann Doe","Registered with a licence to practise",\r\n' +
        '7000001,"Smith, John",Suspended,\r\n' +
        '7000002,Amy Lee,"Registered with a licence to practise","Must not undertake out-of-hours work"\r\n',
    );
    expect(await lookUp('GMC', '6143219')).toMatchObject({
      fullName: 'Jane Ann Doe',
      standing: 'REGISTERED',
      restrictions: [],
    });
    expect(await lookUp('GMC', '7000001')).toMatchObject({ fullName: 'Smith, John', standing: 'SUSPENDED' });
    expect(await lookUp('GMC', '7000002')).toMatchObject({
      standing: 'REGISTERED_WITH_RESTRICTIONS',
      restrictions: ['Must not undertake out-of-hours work'],
    });
    expect(await lookUp('GMC', '1234567')).toMatchObject({ standing: 'NOT_FOUND' });
  });

  it('finds an NMC entry in a JSON download by its PIN, however it was typed', async () => {
    await writeRegisterSnapshot(snapshotDir, 'NMC', [
      { regType: 'NMC', regNo: '01A2345N', name: 'Siobhan Kelly', status: 'Registered' },
      { regType: 'NMC', regNo: '02B3456C', name: 'Ava Jones', status: 'Lapsed' },
    ]);
    expect(await lookUp('NMC', '01a 2345n')).toMatchObject({ fullName: 'Siobhan Kelly', standing: 'REGISTERED' });
    expect(await lookUp('NMC', '02B3456C')).toMatchObject({ standing: 'NOT_LICENSED' });
  });

  it('keeps each run as Apify does: readable after a restart, unchanged by a newer download', async () => {
    await writeRegisterSnapshot(snapshotDir, 'GDC', [
      { regType: 'GDC', regNo: '81234', name: 'Grace Hall', status: 'Registered' },
    ]);
    const before = await createSnapshotRegisterScraper({ snapshotDir, runsDir }).startRun(
      'GDC',
      '81234',
      null,
      randomUUID(),
    );
    // A newer download (the file replaced) is read by the next look-up, not by the run already made.
    await writeRegisterSnapshot(snapshotDir, 'GDC', [
      { regType: 'GDC', regNo: '81234', name: 'Grace Hall', status: 'Erased' },
    ]);
    const restarted = createSnapshotRegisterScraper({ snapshotDir, runsDir });
    expect(await restarted.getRun(before.runId, 0)).toEqual(before);
    expect(registerRecordFromItems('GDC', '81234', await restarted.listItems(before.datasetId)).standing).toBe(
      'REGISTERED',
    );
    expect(await lookUp('GDC', '81234')).toMatchObject({ standing: 'REMOVED' });
  });

  it('keeps earlier entries when entries are added, and the other registrants of a download', async () => {
    const others = otherRegistrants(seededRng(3), 'GPC', 25);
    await writeRegisterSnapshot(snapshotDir, 'GPC', others);
    await writeRegisterSnapshot(snapshotDir, 'GPC', [
      { regType: 'GPC', regNo: '2071234', name: 'Priya Patel', status: 'Registered' },
    ]);
    const [first] = others;
    if (!first) throw new Error('no registrants');
    expect(await lookUp('GPC', first.regNo)).toMatchObject({ fullName: first.name, statusText: first.status });
    expect(await lookUp('GPC', '2071234')).toMatchObject({ fullName: 'Priya Patel', standing: 'REGISTERED' });
  });

  it('answers NOT_CONFIGURED for a register without a snapshot, as for one without an Apify actor', async () => {
    const failure = await createSnapshotRegisterScraper({ snapshotDir, runsDir })
      .startRun('GMC', '6143219', null, randomUUID())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentAdapterError);
    expect((failure as PermanentAdapterError).reason).toBe('NOT_CONFIGURED');
  });

  it('knows no run it did not make, and reads no file outside its runs folder', async () => {
    const scraper = createSnapshotRegisterScraper({ snapshotDir, runsDir });
    for (const runId of ['00000000-0000-4000-8000-000000000000', '../registers/gmc']) {
      const failure = await scraper.getRun(runId, 0).catch((error: unknown) => error);
      expect((failure as PermanentAdapterError).reason).toBe('INVALID_REQUEST');
    }
  });

  it('fails a look-up, to be retried, while the snapshot is not a list of entries', async () => {
    await mkdir(snapshotDir, { recursive: true });
    await writeFile(join(snapshotDir, 'nmc.json'), '{"pin": "01A2345N"}');
    const failure = await createSnapshotRegisterScraper({ snapshotDir, runsDir })
      .startRun('NMC', '01A2345N', null, randomUUID())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(PermanentAdapterError);
  });
});
