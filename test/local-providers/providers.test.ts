import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermanentAdapterError } from '../../src/adapters/errors.ts';
import { loadConfig } from '../../src/config.ts';
import { createSql, type Sql } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { type ClosableOutsideWorld, createObjectStore, createOutsideWorld } from '../../src/providers.ts';

describe('KYC_PROVIDERS and the local defaults', () => {
  it('chooses the local providers and a folder store when no AWS credentials are set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ KYC_PROVIDERS: 'local', KYC_OBJECT_STORE: 'folder' });
  });

  it.each([
    ['AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE'],
    ['AWS_PROFILE', 'kyc-deployer'],
    ['AWS_WEB_IDENTITY_TOKEN_FILE', '/var/run/secrets/token'],
    ['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', '/v2/credentials/1'],
  ])('chooses AWS when %s is set, and keeps the credential out of the config', (name, value) => {
    const config = loadConfig({ [name]: value });
    expect(config).toMatchObject({ KYC_PROVIDERS: 'aws', KYC_OBJECT_STORE: 's3' });
    expect(name in config).toBe(false);
    expect(Object.values(config)).not.toContain(value);
  });

  it('takes an explicit choice over the credentials, and a store of its own', () => {
    expect(loadConfig({ AWS_PROFILE: 'kyc', KYC_PROVIDERS: 'local' }).KYC_PROVIDERS).toBe('local');
    expect(loadConfig({ KYC_PROVIDERS: 'local', KYC_OBJECT_STORE: 's3' }).KYC_OBJECT_STORE).toBe('s3');
  });

  it('points Temporal, its Web UI and the local folders at what npm start runs, unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      temporalDevServer: true,
      KYC_TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      KYC_OUTBOX_DIR: '.data/outbox',
      KYC_REGISTER_SNAPSHOT_DIR: '.data/registers',
    });
    expect(
      loadConfig({ KYC_LOCAL_TEMPORAL_PORT: '17233', KYC_LOCAL_TEMPORAL_UI_PORT: '18233', KYC_DATA_DIR: '/srv/kyc' }),
    ).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:17233',
      KYC_TEMPORAL_UI_URL: 'http://127.0.0.1:18233',
      KYC_OUTBOX_DIR: '/srv/kyc/outbox',
      KYC_REGISTER_SNAPSHOT_DIR: '/srv/kyc/registers',
    });
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' })).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      temporalDevServer: false,
    });
  });
});

/**
 * In a process of its own, which has loaded nothing yet: the worker role's modules and the outside world that
 * `KYC_PROVIDERS` names are loaded, and every module resolved on the way is noted. Returns the local engines among them.
 */
async function enginesLoadedFor(providers: 'aws' | 'local'): Promise<string[]> {
  const source = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    import { registerHooks } from 'node:module';
    const engines = new Set();
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const resolved = nextResolve(specifier, context);
        const engine = /node_modules\\/(tesseract\\.js|@vladmandic\\/human|@tensorflow\\/[^/]+|@napi-rs\\/canvas|usearch)\\//.exec(resolved.url);
        if (engine) engines.add(engine[1]);
        return resolved;
      },
    });
    await import(${source('../../src/workers/main.ts')});
    const { loadConfig } = await import(${source('../../src/config.ts')});
    const { createSql } = await import(${source('../../src/db/pool.ts')});
    const { createLogger } = await import(${source('../../src/logger.ts')});
    const { createOutsideWorld } = await import(${source('../../src/providers.ts')});
    const config = loadConfig({ KYC_PROVIDERS: '${providers}', KYC_DATA_DIR: process.argv[1] });
    const sql = createSql(config.DATABASE_URL);
    const world = await createOutsideWorld(config, createLogger({ level: 'silent' }), sql);
    await world.close();
    await sql.end();
    process.stdout.write(JSON.stringify([...engines].sort()));`;
  const dataDir = await mkdtemp(join(tmpdir(), 'kyc-engines-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, dataDir]);
    return JSON.parse(stdout) as string[];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('local engines load only when chosen', () => {
  it('leaves tesseract.js, human, TensorFlow.js, canvas and usearch out of an AWS worker', async () => {
    expect(await enginesLoadedFor('aws')).toEqual([]);
  });

  it('loads them for the local outside world', async () => {
    expect(await enginesLoadedFor('local')).toEqual(
      expect.arrayContaining(['@napi-rs/canvas', '@vladmandic/human', 'tesseract.js', 'usearch']),
    );
  });
});

describe('the local outside world', () => {
  let dataDir: string;
  let world: ClosableOutsideWorld;
  let sql: Sql;
  const config = () => loadConfig({ KYC_DATA_DIR: dataDir });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kyc-local-world-'));
    // The face index keeps its rows in PostgreSQL; nothing here uses it, and postgres.js connects only when asked.
    sql = createSql(config().DATABASE_URL);
    world = await createOutsideWorld(config(), createLogger({ level: 'silent' }), sql);
  });
  afterAll(async () => {
    await world.close();
    await sql.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps uploads in a folder under KYC_DATA_DIR', async () => {
    await createObjectStore(config()).put({ bucket: 'kyc-raw', key: 'kyc-raw/1/selfie.jpg' }, Buffer.from('x'), '');
    expect(await readFile(join(dataDir, 'objects', 'kyc-raw', 'kyc-raw', '1', 'selfie.jpg'), 'utf8')).toBe('x');
  });

  it('reads documents with tesseract, which has no identity-document analysis', async () => {
    expect(await world.documents.analyzeId({ bucket: 'kyc-raw', key: 'kyc-raw/1/selfie.jpg' })).toBeNull();
  });

  it('scores liveness passively (sessions only bind it), and has no register snapshot until one is placed', async () => {
    expect(world.liveness.kind).toBe('PASSIVE');
    const run = await world.registers.startRun('GMC', '6143219', null, randomUUID()).catch((error: unknown) => error);
    expect((run as PermanentAdapterError).reason).toBe('NOT_CONFIGURED');
    expect((run as Error).message).toContain(join(dataDir, 'registers'));
  });
});
