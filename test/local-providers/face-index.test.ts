/**
 * The local face index (usearch on disk, PostgreSQL's face_index_entries as the truth) with the real face engine's
 * descriptors of the sample faces: the same face found under another user, the file reloaded and rebuilt, and a
 * user's faces erased.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsearchFaceIndex, type UsearchFaceIndex } from '../../src/adapters/face-index/usearch.ts';
import {
  createHumanFaceAnalyzer,
  FACE_DESCRIPTOR_LENGTH,
  type HumanFaceAnalyzer,
  similarityOfDistance,
} from '../../src/adapters/rekognition/human.ts';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import type { ObjectRef, ObjectStore } from '../../src/adapters/s3/index.ts';
import { renderSelfie, sampleFaces } from '../../src/demo/synthetic-documents.ts';
import { loadPolicy } from '../../src/policies.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

interface Someone {
  userId: number;
  /** Two selfies: the first accepted into the index, the second searched. */
  selfies: Array<ObjectRef & { selfieId: number }>;
}

describe('local face index (usearch + PostgreSQL)', () => {
  let db: TestDatabase;
  let root: string;
  let store: ObjectStore;
  let analyzer: HumanFaceAnalyzer;
  let file: string;
  const people: Someone[] = [];
  const opened: UsearchFaceIndex[] = [];
  const minSimilarity = loadPolicy('v1').thresholds.duplicateFace;

  const openIndex = () => {
    const index = createUsearchFaceIndex({
      sql: db.sql,
      file,
      describe: (image) => analyzer.describeFace(image),
      similarityOfDistance,
      dimensions: FACE_DESCRIPTOR_LENGTH,
    });
    opened.push(index);
    return index;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    root = await mkdtemp(join(tmpdir(), 'kyc-face-index-'));
    file = join(root, 'index', 'accepted-faces.usearch');
    store = createFolderObjectStore(join(root, 'objects'));
    analyzer = createHumanFaceAnalyzer(store);
    for (const [index, { id, image }] of (await sampleFaces()).slice(0, 3).entries()) {
      const [user] = await db.sql<{ id: number }[]>`
        insert into users (email, reg_no, reg_type) values (${`face-${index}@example.com`}, ${String(7400000 + index)}, 'GMC')
        returning id`;
      const userId = (user as { id: number }).id;
      const selfies = [];
      for (const [number, variant] of [{ mirror: true }, { brightness: 1.3, crop: { zoom: 1.2 } }].entries()) {
        const ref = { bucket: 'kyc-raw', key: `kyc-raw/${userId}/${id}-${number}-selfie.jpg` };
        await store.put(ref, await renderSelfie(image, variant), 'image/jpeg');
        const [row] = await db.sql<{ id: number }[]>`
          insert into selfies (user_id, s3_key) values (${userId}, ${ref.key}) returning id`;
        selfies.push({ ...ref, selfieId: (row as { id: number }).id });
      }
      people.push({ userId, selfies });
    }
  });
  afterAll(async () => {
    for (const index of opened) await index.close();
    await analyzer?.close();
    await db?.close();
    await rm(root, { recursive: true, force: true });
  });

  const person = (index: number) => () => people[index] as Someone;
  const [first, second, third] = [person(0), person(1), person(2)];
  const accepted = (someone: Someone) => someone.selfies[0] as ObjectRef & { selfieId: number };
  const later = (someone: Someone) => someone.selfies[1] as ObjectRef;

  it("finds another user's accepted face in a new selfie, and nobody else's", async () => {
    const index = openIndex();
    // Nothing accepted yet: nothing found, and no file is needed to say so.
    expect(await index.search(later(first()), { minSimilarity, excludeUserId: 0 })).toEqual([]);
    for (const someone of [first(), second()]) {
      await index.add(accepted(someone), { userId: someone.userId, selfieId: accepted(someone).selfieId });
    }
    // The same selfie again changes nothing.
    await index.add(accepted(first()), { userId: first().userId, selfieId: accepted(first()).selfieId });
    expect(await db.sql`select count(*)::int as rows from face_index_entries`).toEqual([{ rows: 2 }]);

    const matches = await index.search(later(first()), { minSimilarity, excludeUserId: third().userId });
    expect(matches).toEqual([{ userId: first().userId, similarity: expect.any(Number) }]);
    expect(matches[0]?.similarity).toBeGreaterThanOrEqual(minSimilarity);
    // One's own accepted selfie is not a duplicate.
    expect(await index.search(later(first()), { minSimilarity, excludeUserId: first().userId })).toEqual([]);
    // A face never accepted matches nobody.
    expect(await index.search(later(third()), { minSimilarity, excludeUserId: 0 })).toEqual([]);
    await index.close();
    expect((await stat(file)).size).toBeGreaterThan(0);
  });

  it('loads the saved file in a new process, and rebuilds it from the table when it is behind', async () => {
    const reopened = openIndex();
    expect(await reopened.search(later(second()), { minSimilarity, excludeUserId: 0 })).toEqual([
      { userId: second().userId, similarity: expect.any(Number) },
    ]);
    // A face recorded in the table that never reached the file (a crash before the save) is found after a restart.
    const [row] = await db.sql<{ embedding: number[] }[]>`
      select embedding from face_index_entries where selfie_id = ${accepted(first()).selfieId}`;
    await db.sql`
      insert into face_index_entries (selfie_id, user_id, embedding)
      values (${accepted(third()).selfieId}, ${third().userId}, ${(row as { embedding: number[] }).embedding})`;
    const restarted = openIndex();
    const found = await restarted.search(later(first()), { minSimilarity, excludeUserId: 0 });
    expect(found.map((match) => match.userId).sort()).toEqual([first().userId, third().userId].sort());
  });

  it("erases a user's faces from the table and from the file", async () => {
    const index = openIndex();
    const sizeBefore = (await stat(file)).size;
    await index.removeUser(first().userId);
    expect(await db.sql`select 1 from face_index_entries where user_id = ${first().userId}`).toEqual([]);
    expect((await stat(file)).size).toBeLessThan(sizeBefore);
    const afterErasure = openIndex();
    const found = await afterErasure.search(later(first()), { minSimilarity, excludeUserId: 0 });
    expect(found.map((match) => match.userId)).not.toContain(first().userId);
  });
});
