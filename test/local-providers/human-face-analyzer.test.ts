import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAdapterError } from '../../src/adapters/errors.ts';
import { createHumanFaceAnalyzer, type HumanFaceAnalyzer } from '../../src/adapters/rekognition/human.ts';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import type { ObjectRef, ObjectStore } from '../../src/adapters/s3/index.ts';
import {
  randomPerson,
  renderPassport,
  renderSelfie,
  type SelfieVariant,
  sampleFaces,
  seededRng,
} from '../../src/demo/synthetic-documents.ts';
import { timingSummary } from './timing.ts';

/**
 * Measured on these fixtures: a selfie scores at least 0.73 against the passport made from the same photo, and at
 * most 0.54 against anyone else's (a margin of 0.19). About half of that is asserted, so a change that merely shifts
 * scores passes and one that stops telling people apart does not.
 */
const SAME_FACE_MARGIN = 0.1;

/** Each selfie differs from the passport photo in framing, mirroring and light; brightness alternates by person. */
function selfieVariant(index: number): SelfieVariant {
  return {
    mirror: true,
    brightness: index % 2 === 0 ? 0.65 : 1.35,
    crop: { zoom: 1.2, shiftX: index % 3 === 0 ? 0.04 : -0.04, shiftY: -0.03 },
  };
}

describe('human face analyzer (WASM)', () => {
  let root: string;
  let store: ObjectStore;
  let analyzer: HumanFaceAnalyzer;
  let people: Array<{ id: string; passport: ObjectRef; selfie: ObjectRef }>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kyc-faces-'));
    store = createFolderObjectStore(root);
    analyzer = createHumanFaceAnalyzer(store);
    const rng = seededRng(1_912);
    people = await Promise.all(
      (await sampleFaces()).map(async ({ id, image }, index) => {
        const passport = { bucket: 'documents', key: `${id}-passport.jpg` };
        const selfie = { bucket: 'selfies', key: `${id}-selfie.jpg` };
        await store.put(passport, await renderPassport(randomPerson(rng, { sex: 'F' }), image), 'image/jpeg');
        await store.put(selfie, await renderSelfie(image, selfieVariant(index)), 'image/jpeg');
        return { id, passport, selfie };
      }),
    );
  });
  afterAll(async () => {
    await analyzer.close();
    await rm(root, { recursive: true, force: true });
  });

  it('scores the same face above every other face, by a margin', async () => {
    expect(people.length).toBeGreaterThanOrEqual(4);
    const milliseconds: number[] = [];
    let lowestSame = 1;
    let highestOther = 0;
    for (const person of people) {
      for (const other of people) {
        const started = performance.now();
        const { similarity } = await analyzer.compareFaces(person.selfie, other.passport);
        milliseconds.push((performance.now() - started) / 2);
        if (similarity === null) throw new Error(`no face found on ${other.id}'s passport`);
        if (other === person) lowestSame = Math.min(lowestSame, similarity);
        else highestOther = Math.max(highestOther, similarity);
      }
    }
    console.log(
      `human faceres: same face ≥ ${lowestSame.toFixed(3)}, other faces ≤ ${highestOther.toFixed(3)}, ` +
        `margin ${(lowestSame - highestOther).toFixed(3)}; ${timingSummary(milliseconds)}`,
    );
    expect(lowestSame - highestOther).toBeGreaterThanOrEqual(SAME_FACE_MARGIN);
  });

  it('finds exactly one face on a selfie, with Rekognition-scaled quality', async () => {
    const [person] = people;
    if (!person) throw new Error('no sample faces');
    const faces = await analyzer.detectFaces(person.selfie);
    expect(faces).toHaveLength(1);
    const [face] = faces;
    expect(face?.confidence).toBeGreaterThan(0.9);
    expect(face?.sharpness).toBeGreaterThan(10);
    expect(face?.brightness).toBeGreaterThan(15);
    expect(face?.brightness).toBeLessThan(97);
  });

  it('scores a blurred selfie below the default sharpness gate of 10', async () => {
    const [person] = people;
    if (!person) throw new Error('no sample faces');
    const sharp = await loadImage(Buffer.from(await store.get(person.selfie)));
    const blurred = createCanvas(sharp.width, sharp.height);
    const context = blurred.getContext('2d');
    context.filter = 'blur(12px)';
    context.drawImage(sharp, 0, 0);
    const ref = { bucket: 'selfies', key: 'blurred.jpg' };
    await store.put(ref, await blurred.encode('jpeg', 90), 'image/jpeg');
    const [face] = await analyzer.detectFaces(ref);
    expect(face?.sharpness).toBeLessThan(10);
  });

  it('finds no face on a blank image, and compares nothing to it', async () => {
    const blank = createCanvas(640, 480);
    const context = blank.getContext('2d');
    context.fillStyle = '#d8d4cc';
    context.fillRect(0, 0, 640, 480);
    const ref = { bucket: 'selfies', key: 'blank-wall.png' };
    await store.put(ref, blank.toBuffer('image/png'), 'image/png');
    expect(await analyzer.detectFaces(ref)).toEqual([]);
    const [person] = people;
    if (!person) throw new Error('no sample faces');
    expect((await analyzer.compareFaces(person.selfie, ref)).similarity).toBeNull();
    // As Rekognition: comparing from an image without a face is an invalid request.
    const failure = await analyzer.compareFaces(ref, person.passport).catch((error: unknown) => error);
    expect((failure as PermanentAdapterError).reason).toBe('INVALID_REQUEST');
  });

  it('rejects a file that is not an image as UNSUPPORTED_IMAGE', async () => {
    const ref = { bucket: 'selfies', key: 'notes.txt' };
    await store.put(ref, Buffer.from('a selfie, honestly'), 'text/plain');
    const failure = await analyzer.detectFaces(ref).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentAdapterError);
    expect((failure as PermanentAdapterError).reason).toBe('UNSUPPORTED_IMAGE');
  });
});
