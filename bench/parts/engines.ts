/**
 * Part `engines`: the local engines that `KYC_PROVIDERS=local` runs, each on a warm engine, one image at a time, as the
 * scanDocument and checkFace activities call them.
 *
 * OCR: tesseract.js (src/adapters/textract/tesseract.ts) on the generated passports the OCR test reads (the same seed
 * and date, so the same 20 people, hyphenated names and an expired passport among them). A passport counts as read
 * when its MRZ parses with valid check digits into exactly the fields printed on it.
 *
 * Faces: @vladmandic/human (src/adapters/rekognition/human.ts) on the seven sample faces, each as a passport and four
 * selfies. The time is each image's first analysis (decoding, detection and description of the image and its mirror
 * image, liveness, quality); the results are the face count per image, every selfie against every passport on the
 * policy's facePass and faceFail thresholds, and the genuine selfies' passive liveness against its threshold.
 *
 * Starting each engine (loading its models) is timed on its own, on a first image that is not counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { createHumanFaceAnalyzer } from '../../src/adapters/rekognition/human.ts';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import type { ObjectRef } from '../../src/adapters/s3/index.ts';
import { createTesseractDocumentReader } from '../../src/adapters/textract/tesseract.ts';
import { loadConfig } from '../../src/config.ts';
import {
  ENGINE_CORPUS,
  passportMrz,
  randomPerson,
  renderPassport,
  renderSelfie,
  sampleFaces,
  seededRng,
  selfieVariants,
} from '../../src/demo/synthetic-documents.ts';
import { parseMrz } from '../../src/domain/mrz.ts';
import { loadPolicy } from '../../src/policies.ts';
import { ms, percentile } from '../stats.ts';
import type { PartResult, Row } from '../table.ts';

interface OcrFigures {
  passports: number;
  read: number;
  startMs: number;
  milliseconds: number[];
  cpuMilliseconds: number[];
}

interface FaceFigures {
  people: number;
  images: number;
  oneFace: number;
  startMs: number;
  milliseconds: number[];
  cpuMilliseconds: number[];
  genuinePairs: number;
  genuinePassed: number;
  lowestGenuine: number;
  impostorPairs: number;
  impostorFailed: number;
  highestImpostor: number;
  selfies: number;
  live: number;
}

/**
 * Wall time, and the CPU time of the whole process (every thread: tesseract.js reads in a worker thread) over it. On
 * a machine shared with other work the wall time grows with the load and the CPU time hardly does.
 */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const { user, system } = process.cpuUsage(cpu);
  return { result, ms: performance.now() - started, cpuMs: (user + system) / 1000 };
}

async function measureOcr(passports: number, dir: string): Promise<OcrFigures> {
  const store = createFolderObjectStore(join(dir, 'ocr'));
  const reader = createTesseractDocumentReader(store, { cachePath: join(dir, 'tesseract-cache') });
  try {
    const faces = await sampleFaces();
    const rng = seededRng(ENGINE_CORPUS.passportSeed);
    const people = Array.from({ length: passports }, () => randomPerson(rng, { today: ENGINE_CORPUS.today }));
    const refs: ObjectRef[] = [];
    for (const [index, person] of people.entries()) {
      const ref = { bucket: 'documents', key: `passport-${index}.jpg` };
      await store.put(
        ref,
        await renderPassport(person, faces[index % faces.length]?.image ?? new Uint8Array()),
        'image/jpeg',
      );
      refs.push(ref);
    }
    const warmUp = { bucket: 'documents', key: 'warm-up.jpg' };
    const stranger = randomPerson(seededRng(1), { today: ENGINE_CORPUS.today });
    await store.put(warmUp, await renderPassport(stranger, faces[0]?.image ?? new Uint8Array()), 'image/jpeg');
    const start = await timed(() => reader.detectText(warmUp));

    const milliseconds: number[] = [];
    const cpuMilliseconds: number[] = [];
    let read = 0;
    for (const [index, person] of people.entries()) {
      const { result, ms, cpuMs } = await timed(() => reader.detectText(refs[index] as ObjectRef));
      milliseconds.push(ms);
      cpuMilliseconds.push(cpuMs);
      const parsed = parseMrz(result.lines.join('\n'));
      if (parsed?.checkDigitsValid && isDeepStrictEqual(parsed, parseMrz(passportMrz(person).join('\n')))) read += 1;
    }
    return { passports, read, startMs: start.ms, milliseconds, cpuMilliseconds };
  } finally {
    await reader.close();
  }
}

async function measureFaces(people: number, dir: string): Promise<FaceFigures> {
  const store = createFolderObjectStore(join(dir, 'faces'));
  const analyzer = createHumanFaceAnalyzer(store);
  const { facePass, faceFail } = loadPolicy('v1').thresholds;
  const { KYC_LIVENESS_THRESHOLD } = loadConfig({});
  try {
    const samples = (await sampleFaces()).slice(0, people);
    const rng = seededRng(1_912);
    const sets: Array<{ passport: ObjectRef; selfies: ObjectRef[] }> = [];
    for (const [index, { id, image }] of samples.entries()) {
      const passport = { bucket: 'documents', key: `${id}-passport.jpg` };
      await store.put(passport, await renderPassport(randomPerson(rng, { sex: 'F' }), image), 'image/jpeg');
      const selfies: ObjectRef[] = [];
      for (const [number, variant] of selfieVariants(index).entries()) {
        const selfie = { bucket: 'selfies', key: `${id}-selfie-${number}.jpg` };
        await store.put(selfie, await renderSelfie(image, variant), 'image/jpeg');
        selfies.push(selfie);
      }
      sets.push({ passport, selfies });
    }
    const warmUp = { bucket: 'selfies', key: 'warm-up.jpg' };
    const [first] = samples;
    await store.put(warmUp, await renderSelfie(first?.image ?? new Uint8Array(), { brightness: 0.9 }), 'image/jpeg');
    const start = await timed(() => analyzer.detectFaces(warmUp));

    const figures: FaceFigures = {
      people: samples.length,
      images: 0,
      oneFace: 0,
      startMs: start.ms,
      milliseconds: [],
      cpuMilliseconds: [],
      genuinePairs: 0,
      genuinePassed: 0,
      lowestGenuine: 1,
      impostorPairs: 0,
      impostorFailed: 0,
      highestImpostor: 0,
      selfies: 0,
      live: 0,
    };
    for (const { passport, selfies } of sets) {
      for (const ref of [passport, ...selfies]) {
        const { result, ms, cpuMs } = await timed(() => analyzer.detectFaces(ref));
        figures.milliseconds.push(ms);
        figures.cpuMilliseconds.push(cpuMs);
        figures.images += 1;
        if (result.length === 1) figures.oneFace += 1;
        if (ref !== passport) {
          figures.selfies += 1;
          if ((result[0]?.liveness ?? 0) >= KYC_LIVENESS_THRESHOLD) figures.live += 1;
        }
      }
    }
    // Every analysis is cached by now: the comparisons cost no engine time.
    for (const [index, { selfies }] of sets.entries()) {
      for (const selfie of selfies) {
        for (const [other, { passport }] of sets.entries()) {
          const similarity = (await analyzer.compareFaces(selfie, passport)).similarity ?? 0;
          if (other === index) {
            figures.genuinePairs += 1;
            if (similarity >= facePass) figures.genuinePassed += 1;
            figures.lowestGenuine = Math.min(figures.lowestGenuine, similarity);
          } else {
            figures.impostorPairs += 1;
            if (similarity < faceFail) figures.impostorFailed += 1;
            figures.highestImpostor = Math.max(figures.highestImpostor, similarity);
          }
        }
      }
    }
    return figures;
  } finally {
    await analyzer.close();
  }
}

const p50p95 = (samples: readonly number[]) => `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 95))}`;

export async function enginesPart(quick: boolean): Promise<PartResult> {
  const dir = await mkdtemp(join(tmpdir(), 'kyc-bench-engines-'));
  try {
    process.stderr.write('bench: engines: tesseract.js on generated passports…\n');
    const ocr = await measureOcr(quick ? 3 : 20, dir);
    process.stderr.write('bench: engines: @vladmandic/human on the sample faces…\n');
    const faces = await measureFaces(quick ? 2 : 7, dir);
    const { facePass, faceFail } = loadPolicy('v1').thresholds;
    const { KYC_LIVENESS_THRESHOLD } = loadConfig({});
    const rows: Row[] = [
      {
        figure: `OCR (tesseract.js), per passport page: p50 / p95 on a warm worker; ${ocr.passports} generated passports`,
        value: p50p95(ocr.milliseconds),
      },
      { figure: 'OCR: CPU time per passport page (all threads), p50 / p95', value: p50p95(ocr.cpuMilliseconds) },
      {
        figure: 'OCR: MRZs read exactly (check digits valid, every field as printed)',
        value: `${ocr.read}/${ocr.passports}`,
      },
      { figure: 'OCR: starting the worker, with the first page', value: ms(ocr.startMs) },
      {
        figure: `face analysis (@vladmandic/human), per image: p50 / p95 on warm models; ${faces.images} images (${faces.people} people × passport + ${selfieVariants(0).length} selfies)`,
        value: p50p95(faces.milliseconds),
      },
      { figure: 'faces: CPU time per image (all threads), p50 / p95', value: p50p95(faces.cpuMilliseconds) },
      { figure: 'faces: images with exactly one face found', value: `${faces.oneFace}/${faces.images}` },
      {
        figure: `faces: selfie vs own passport at or above facePass ${facePass}; lowest`,
        value: `${faces.genuinePassed}/${faces.genuinePairs}; ${faces.lowestGenuine.toFixed(3)}`,
      },
      {
        figure: `faces: selfie vs another's passport below faceFail ${faceFail}; highest`,
        value: `${faces.impostorFailed}/${faces.impostorPairs}; ${faces.highestImpostor.toFixed(3)}`,
      },
      {
        figure: `faces: genuine selfies at or above the liveness threshold ${KYC_LIVENESS_THRESHOLD}`,
        value: `${faces.live}/${faces.selfies}`,
      },
      { figure: 'faces: loading the models, with the first image', value: ms(faces.startMs) },
    ];
    return { part: 'engines', rows, figures: { ocr, faces } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
