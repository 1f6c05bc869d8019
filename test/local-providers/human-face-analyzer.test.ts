import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAdapterError } from '../../src/adapters/errors.ts';
import {
  createHumanFaceAnalyzer,
  type HumanFaceAnalyzer,
  passiveLiveness,
  similarityOfDistance,
} from '../../src/adapters/rekognition/human.ts';
import { createPassiveLivenessService } from '../../src/adapters/rekognition/passive-liveness.ts';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import type { ObjectRef, ObjectStore } from '../../src/adapters/s3/index.ts';
import { loadConfig } from '../../src/config.ts';
import {
  randomPerson,
  renderPassport,
  renderSelfie,
  sampleFaces,
  seededRng,
  selfieVariants,
} from '../../src/demo/synthetic-documents.ts';
import { loadPolicy } from '../../src/policies.ts';
import { timingSummary } from './timing.ts';

/** The thresholds the engine is calibrated for: the service's defaults (policy v1), set for Rekognition. */
const { KYC_LIVENESS_THRESHOLD } = loadConfig({});
const { facePass, faceFail } = loadPolicy('v1').thresholds;

/**
 * The selfie printed on paper and held up to the camera: muted contrast and colour, a 4-pixel print screen, a white
 * border, a slight tilt, a background round it. The attack a passive liveness check is there to catch.
 */
async function printedCopy(selfie: Uint8Array, tilt: number): Promise<Uint8Array> {
  const photo = await loadImage(Buffer.from(selfie));
  const canvas = createCanvas(720, 960);
  const context = canvas.getContext('2d');
  context.fillStyle = '#6b6258';
  context.fillRect(0, 0, 720, 960);
  context.translate(360, 480);
  context.rotate(tilt);
  context.fillStyle = '#f2efe8';
  context.fillRect(-300, -390, 600, 780);
  context.filter = 'contrast(0.75) saturate(0.8)';
  context.drawImage(photo, -280, -370, 560, 740);
  const pixels = context.getImageData(0, 0, 720, 960);
  for (let offset = 0; offset < pixels.data.length; offset += 4) {
    const x = (offset / 4) % 720;
    const y = Math.floor(offset / 4 / 720);
    const ink = x % 4 < 2 !== y % 4 < 2 ? -14 : 10;
    for (let channel = 0; channel < 3; channel++) {
      pixels.data[offset + channel] = Math.min(255, Math.max(0, (pixels.data[offset + channel] ?? 0) + ink));
    }
  }
  context.putImageData(pixels, 0, 0);
  return canvas.encode('jpeg', 90);
}

describe('human face analyzer (WASM)', () => {
  let root: string;
  let store: ObjectStore;
  let analyzer: HumanFaceAnalyzer;
  let people: Array<{ id: string; passport: ObjectRef; selfies: ObjectRef[]; printed: ObjectRef }>;
  /** First analysis of each image (nothing cached): detection and description of the image and its mirror image. */
  const milliseconds: number[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kyc-faces-'));
    store = createFolderObjectStore(root);
    analyzer = createHumanFaceAnalyzer(store);
    const rng = seededRng(1_912);
    people = [];
    for (const [index, { id, image }] of (await sampleFaces()).entries()) {
      const passport = { bucket: 'documents', key: `${id}-passport.jpg` };
      await store.put(passport, await renderPassport(randomPerson(rng, { sex: 'F' }), image), 'image/jpeg');
      const selfies: ObjectRef[] = [];
      for (const [number, variant] of selfieVariants(index).entries()) {
        const selfie = { bucket: 'selfies', key: `${id}-selfie-${number}.jpg` };
        await store.put(selfie, await renderSelfie(image, variant), 'image/jpeg');
        selfies.push(selfie);
      }
      const printed = { bucket: 'selfies', key: `${id}-printed.jpg` };
      const tilt = (index - 3) * 0.02;
      await store.put(printed, await printedCopy(await renderSelfie(image, { mirror: true }), tilt), 'image/jpeg');
      people.push({ id, passport, selfies, printed });
    }
  });
  afterAll(async () => {
    console.log(`human analysis: ${timingSummary(milliseconds)}`);
    await analyzer.close();
    await rm(root, { recursive: true, force: true });
  });

  const measured = new Set<string>();
  const timedDetect = async (ref: ObjectRef) => {
    const started = performance.now();
    const faces = await analyzer.detectFaces(ref);
    if (!measured.has(ref.key)) milliseconds.push(performance.now() - started);
    measured.add(ref.key);
    return faces;
  };

  it('scores every selfie at or above the pass threshold against its own passport, and under the fail threshold against anyone else', async () => {
    expect(people.length).toBeGreaterThanOrEqual(4);
    for (const person of people) for (const ref of [person.passport, ...person.selfies]) await timedDetect(ref);
    let lowestSame = 1;
    let highestOther = 0;
    for (const person of people) {
      for (const selfie of person.selfies) {
        for (const other of people) {
          const { similarity } = await analyzer.compareFaces(selfie, other.passport);
          if (similarity === null) throw new Error(`no face found on ${other.id}'s passport`);
          if (other === person) lowestSame = Math.min(lowestSame, similarity);
          else highestOther = Math.max(highestOther, similarity);
        }
      }
    }
    console.log(
      `human similarity: same face ≥ ${lowestSame.toFixed(3)} (pass threshold ${facePass}), ` +
        `other faces ≤ ${highestOther.toFixed(3)} (fail threshold ${faceFail})`,
    );
    expect(lowestSame).toBeGreaterThanOrEqual(facePass);
    expect(highestOther).toBeLessThan(faceFail);
  });

  it('maps descriptor distance onto a 0..1 similarity that falls as faces differ', () => {
    expect(similarityOfDistance(7.0)).toBeCloseTo(0.9, 6);
    expect(similarityOfDistance(8.2)).toBeCloseTo(0.5, 6);
    expect(similarityOfDistance(0)).toBeGreaterThan(0.999);
    expect(similarityOfDistance(14)).toBeLessThan(0.001);
    expect(similarityOfDistance(Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('gives genuine selfies a passive liveness score that passes the default threshold, and reports the printed copies', async () => {
    const genuine: number[] = [];
    for (const person of people) {
      for (const selfie of person.selfies) {
        const [face] = await timedDetect(selfie);
        genuine.push(face?.liveness ?? 0);
      }
    }
    const printed: number[] = [];
    for (const person of people) {
      const faces = await timedDetect(person.printed);
      if (faces.length === 1) printed.push(faces[0]?.liveness ?? 0);
    }
    const caught = printed.filter((score) => score < KYC_LIVENESS_THRESHOLD).length;
    console.log(
      `human passive liveness: genuine selfies ≥ ${Math.min(...genuine).toFixed(3)}; printed copies ` +
        `${Math.min(...printed).toFixed(3)}–${Math.max(...printed).toFixed(3)}, ${caught}/${printed.length} below ` +
        `the threshold of ${KYC_LIVENESS_THRESHOLD}`,
    );
    expect(Math.min(...genuine)).toBeGreaterThanOrEqual(KYC_LIVENESS_THRESHOLD);
  });

  it('maps the liveness classifier onto the threshold scale, monotonically', () => {
    expect(passiveLiveness(0)).toBe(0);
    expect(passiveLiveness(0.4)).toBe(0.9);
    expect(passiveLiveness(1)).toBe(1);
    expect(passiveLiveness(0.2)).toBeCloseTo(0.45, 3);
    expect(passiveLiveness(0.7)).toBeCloseTo(0.95, 3);
  });

  it('finds exactly one face on a selfie, with Rekognition-scaled quality', async () => {
    const [person] = people;
    if (!person?.selfies[0]) throw new Error('no sample faces');
    const faces = await analyzer.detectFaces(person.selfies[0]);
    expect(faces).toHaveLength(1);
    const [face] = faces;
    expect(face?.confidence).toBeGreaterThan(0.9);
    expect(face?.sharpness).toBeGreaterThan(10);
    expect(face?.brightness).toBeGreaterThan(15);
    expect(face?.brightness).toBeLessThan(97);
  });

  it('analyses an image again when another is stored under the same key', async () => {
    const [first, second] = people;
    if (!first || !second) throw new Error('no sample faces');
    const ref = { bucket: 'selfies', key: 'replaced.jpg' };
    await store.put(ref, await store.get(first.selfies[2] as ObjectRef), 'image/jpeg');
    expect((await analyzer.compareFaces(ref, first.passport)).similarity).toBeGreaterThanOrEqual(0.9);
    await store.put(ref, await store.get(second.selfies[2] as ObjectRef), 'image/jpeg');
    expect((await analyzer.compareFaces(ref, first.passport)).similarity).toBeLessThan(0.5);
  });

  it('scores a blurred selfie below the default sharpness gate of 10', async () => {
    const [person] = people;
    if (!person?.selfies[0]) throw new Error('no sample faces');
    const sharp = await loadImage(Buffer.from(await store.get(person.selfies[0])));
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
    if (!person?.selfies[0]) throw new Error('no sample faces');
    expect((await analyzer.compareFaces(person.selfies[0], ref)).similarity).toBeNull();
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

  it('hands out local session ids that only bind the passive score; they have no result of their own', async () => {
    const liveness = createPassiveLivenessService();
    expect(liveness.kind).toBe('PASSIVE');
    const [first, second] = [await liveness.createSession('token'), await liveness.createSession('token')];
    expect(first.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.sessionId).not.toBe(first.sessionId);
    const failure = await liveness.getResult(first.sessionId).catch((error: unknown) => error);
    expect((failure as PermanentAdapterError).reason).toBe('NOT_CONFIGURED');
  });
});
