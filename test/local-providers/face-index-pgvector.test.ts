/**
 * The pgvector face index, on PGlite (PostgreSQL in WebAssembly, which bundles pgvector) reached through its
 * PostgreSQL wire-protocol server by the same postgres.js client the service uses: the repository's migrations are
 * applied as they are, so the conditional migration that adds the vector column and its HNSW index is tested too.
 * This machine's PostgreSQL 15 has no pgvector; RDS has.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceIndex } from '../../src/adapters/face-index/index.ts';
import { createLocalFaceIndex, hasFaceVectors } from '../../src/adapters/face-index/pgvector.ts';
import { similarityOfDistance } from '../../src/adapters/rekognition/human.ts';
import type { ImageSource } from '../../src/adapters/rekognition/index.ts';
import { createSql, type Sql } from '../../src/db/pool.ts';
import { seededRng } from '../../src/demo/synthetic-people.ts';
import { loadPolicy } from '../../src/policies.ts';

const MIGRATIONS = new URL('../../db/migrations/', import.meta.url);

/** Each migration's `-- migrate:up` part, in order, as dbmate applies them. */
async function applyMigrations(db: PGlite): Promise<void> {
  for (const name of (await readdir(MIGRATIONS)).filter((file) => file.endsWith('.sql')).sort()) {
    const text = await readFile(new URL(name, MIGRATIONS), 'utf8');
    await db.exec(text.split('-- migrate:down')[0] as string);
  }
}

/**
 * Descriptors as the face engine gives them, keyed by image: a face is a random 1024-d direction, and another photo
 * of it lies a little way off (distance about 4.5, where the engine's own photos of one face lie 3.6–6.6 apart).
 */
function faces() {
  const random = seededRng(16);
  const gaussian = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const person = () => Array.from({ length: 1024 }, () => gaussian() * 0.35);
  const photoOf = (face: number[]) => face.map((value) => value + gaussian() * 0.1);
  const people = [person(), person(), person()];
  const images = new Map<string, number[]>();
  for (const [index, face] of people.entries()) {
    images.set(`accepted-${index}`, photoOf(face));
    images.set(`later-${index}`, photoOf(face));
  }
  return async (image: ImageSource) => ('key' in image ? (images.get(image.key) ?? null) : null);
}

describe('pgvector face index (PGlite)', () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let sql: Sql;
  let index: FaceIndex & { close(): Promise<void> };
  const users: number[] = [];
  const selfies: number[] = [];
  const ref = (key: string) => ({ bucket: 'kyc-raw', key });
  const minSimilarity = loadPolicy('v1').thresholds.duplicateFace;
  const fallbackUsed: string[] = [];

  beforeAll(async () => {
    db = await PGlite.create({ extensions: { vector } });
    await applyMigrations(db);
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
    sql = createSql(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1 });
    for (const number of [0, 1, 2]) {
      const [user] = await sql<{ id: number }[]>`
        insert into users (email, reg_no, reg_type) values (${`v${number}@example.com`}, ${String(7500000 + number)}, 'GMC')
        returning id`;
      const [selfie] = await sql<{ id: number }[]>`
        insert into selfies (user_id, s3_key) values (${user?.id as number}, ${`accepted-${number}`}) returning id`;
      users.push(user?.id as number);
      selfies.push(selfie?.id as number);
    }
    const unused = async () => {
      fallbackUsed.push('called');
      return [];
    };
    index = createLocalFaceIndex({
      sql,
      describe: faces(),
      similarityOfDistance,
      dimensions: 1024,
      fallback: { search: unused, add: async () => {}, removeUser: async () => {}, close: async () => {} },
    });
  });
  afterAll(async () => {
    await sql?.end();
    await server?.stop();
    await db?.close();
  });

  it('migrates the vector column and its HNSW index where pgvector exists', async () => {
    expect(await hasFaceVectors(sql)).toBe(true);
    const [hnsw] = await sql<{ definition: string }[]>`
      select indexdef as definition from pg_indexes where indexname = 'face_index_entries_face_hnsw'`;
    expect(hnsw?.definition).toContain('USING hnsw (face vector_l2_ops)');
  });

  it("finds another user's accepted face, in SQL, and not one's own or a stranger's", async () => {
    for (const number of [0, 1]) {
      await index.add(ref(`accepted-${number}`), {
        userId: users[number] as number,
        selfieId: selfies[number] as number,
      });
    }
    await index.add(ref('accepted-0'), { userId: users[0] as number, selfieId: selfies[0] as number });
    expect(await sql`select count(*)::int as rows from face_index_entries where face is not null`).toEqual([
      { rows: 2 },
    ]);
    const found = await index.search(ref('later-0'), { minSimilarity, excludeUserId: users[2] as number });
    expect(found).toEqual([{ userId: users[0], similarity: expect.any(Number) }]);
    expect(found[0]?.similarity).toBeGreaterThanOrEqual(minSimilarity);
    expect(await index.search(ref('later-0'), { minSimilarity, excludeUserId: users[0] as number })).toEqual([]);
    expect(await index.search(ref('later-2'), { minSimilarity, excludeUserId: 0 })).toEqual([]);
    expect(fallbackUsed).toEqual([]);
  });

  it('uses the HNSW index for the search', async () => {
    const query = `[${(await faces()(ref('later-1')))?.join(',')}]`;
    await sql`set enable_seqscan = off`;
    const plan = await sql<{ 'QUERY PLAN': string }[]>`
      explain select user_id from face_index_entries where face is not null
      order by face <-> ${query}::vector limit 16`;
    expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toContain('face_index_entries_face_hnsw');
  });

  it("erases a user's faces", async () => {
    await index.removeUser(users[0] as number);
    expect(await index.search(ref('later-0'), { minSimilarity, excludeUserId: 0 })).toEqual([]);
    expect(await sql`select 1 from face_index_entries where user_id = ${users[0] as number}`).toEqual([]);
  });
});
