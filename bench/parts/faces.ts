/**
 * Part `faces`: the local face index (src/adapters/face-index/usearch.ts) against exact search, and the duplicate-face
 * threshold on the sample faces.
 *
 * Scale: N stored descriptors of the face engine's length (1024), searched with the index (usearch HNSW, f16, the
 * adapter's settings) and without it (usearch's exact SIMD scan of the same vectors in f32: the best a linear scan
 * does). Latency is one query at a time on one thread, as the check-face activity asks; build time is a batch add on
 * every core. The vectors are synthetic. Face descriptors lie on a low-dimensional manifold of the 1024-d space, so
 * the main runs draw each from a 64-d Gaussian latent mapped to 1024 dimensions by a fixed random matrix, plus a
 * little isotropic noise; the worst case for any graph index, isotropic 1024-d Gaussians, runs at 10,000 for
 * comparison. A query is a stored vector plus noise (the same face again), so recall@1, measured for both searches,
 * says whether the index finds what exact search finds.
 *
 * Threshold: the seven sample faces (src/demo) rendered as four selfies each (framing, mirroring, light), described
 * by the real engine (@vladmandic/human), every pair of selfies compared on the policy's similarity scale.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactSearch, MetricKind } from 'usearch';
import { HNSW_SETTINGS, newUsearchIndex } from '../../src/adapters/face-index/usearch.ts';
import {
  createHumanFaceAnalyzer,
  FACE_DESCRIPTOR_LENGTH,
  similarityOfDistance,
} from '../../src/adapters/rekognition/human.ts';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import { renderSelfie, type SelfieVariant, sampleFaces, seededRng } from '../../src/demo/synthetic-documents.ts';
import { loadPolicy } from '../../src/policies.ts';
import { count, mib, ms, percentile, ratio } from '../stats.ts';
import type { PartResult, Row } from '../table.ts';

const DIMENSIONS = FACE_DESCRIPTOR_LENGTH;

export interface FacesOptions {
  quick: boolean;
  /** Also 1,000,000 stored descriptors (`--faces-million`): about 2 GiB of index and many minutes of building. */
  million: boolean;
}

interface ScaleFigures {
  stored: number;
  latent: Latent;
  buildSeconds: number;
  buildThreads: number;
  indexBytes: number;
  indexP50Ms: number;
  indexP99Ms: number;
  exactP50Ms: number | null;
  exactP99Ms: number | null;
  queries: number;
  exactQueries: number;
  recallAt1: number;
  exactRecallAt1: number | null;
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Dimensions of the latent space the main runs' descriptors are drawn from; null: isotropic 1024-d. */
type Latent = 64 | null;

/** N synthetic descriptors, unit variance per dimension, in chunks so a million never needs one 4 GiB array. */
function* descriptorChunks(stored: number, seed: number, latent: Latent, chunk = 20_000): Generator<Float32Array> {
  const random = seededRng(seed);
  const mapping = latent
    ? Float32Array.from({ length: DIMENSIONS * latent }, () => gaussian(random) / Math.sqrt(latent))
    : null;
  const point = new Float32Array(latent ?? 0);
  for (let start = 0; start < stored; start += chunk) {
    const rows = Math.min(chunk, stored - start);
    const vectors = new Float32Array(rows * DIMENSIONS);
    for (let row = 0; row < rows; row++) {
      if (!mapping || !latent) {
        for (let at = 0; at < DIMENSIONS; at++) vectors[row * DIMENSIONS + at] = gaussian(random);
        continue;
      }
      for (let at = 0; at < latent; at++) point[at] = gaussian(random);
      for (let at = 0; at < DIMENSIONS; at++) {
        let value = gaussian(random) * 0.05;
        for (let k = 0; k < latent; k++) value += (mapping[at * latent + k] ?? 0) * (point[k] ?? 0);
        vectors[row * DIMENSIONS + at] = value;
      }
    }
    yield vectors;
  }
}

async function measureScale(
  stored: number,
  latent: Latent,
  keepForExact: boolean,
  queries: number,
): Promise<ScaleFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'kyc-bench-faces-'));
  try {
    const threads = availableParallelism();
    const index = newUsearchIndex(DIMENSIONS);
    const kept: Float32Array[] = [];
    const random = seededRng(stored);
    /** A query per sampled stored vector: that vector with noise of a tenth of its spread. */
    const probes: Array<{ key: number; vector: Float32Array }> = [];
    const wanted = new Set(Array.from({ length: queries }, () => Math.floor(random() * stored)));
    let buildMs = 0;
    let offset = 0;
    for (const chunk of descriptorChunks(stored, stored, latent)) {
      const rows = chunk.length / DIMENSIONS;
      const keys = BigUint64Array.from({ length: rows }, (_, row) => BigInt(offset + row));
      const started = performance.now();
      index.add(keys, chunk, threads);
      buildMs += performance.now() - started;
      for (let row = 0; row < rows; row++) {
        if (!wanted.has(offset + row)) continue;
        const vector = chunk.slice(row * DIMENSIONS, (row + 1) * DIMENSIONS);
        for (let index = 0; index < vector.length; index++)
          vector[index] = (vector[index] ?? 0) + gaussian(random) * 0.1;
        probes.push({ key: offset + row, vector });
      }
      if (keepForExact) kept.push(chunk);
      offset += rows;
    }
    index.save(join(dir, 'faces.usearch'));
    const indexBytes = (await stat(join(dir, 'faces.usearch'))).size;

    const indexTimes: number[] = [];
    let found = 0;
    for (const probe of probes) {
      const started = performance.now();
      const result = index.search(probe.vector, 16, 1);
      indexTimes.push(performance.now() - started);
      if (Number(result.keys[0]) === probe.key) found += 1;
    }

    const exactTimes: number[] = [];
    let exactFound = 0;
    if (keepForExact) {
      const dataset = new Float32Array(stored * DIMENSIONS);
      let at = 0;
      for (const chunk of kept) {
        dataset.set(chunk, at);
        at += chunk.length;
      }
      kept.length = 0;
      // Exact search is slow at scale: a sample of the probes is enough for its percentiles.
      for (const probe of probes.slice(0, Math.max(20, Math.min(probes.length, Math.round(2e8 / stored))))) {
        const started = performance.now();
        const result = exactSearch(dataset, probe.vector, DIMENSIONS, 16, MetricKind.L2sq, 1);
        exactTimes.push(performance.now() - started);
        if (Number(result.keys[0]) === probe.key) exactFound += 1;
      }
    }
    return {
      stored,
      latent,
      buildSeconds: buildMs / 1000,
      buildThreads: threads,
      indexBytes,
      indexP50Ms: percentile(indexTimes, 50),
      indexP99Ms: percentile(indexTimes, 99),
      exactP50Ms: keepForExact ? percentile(exactTimes, 50) : null,
      exactP99Ms: keepForExact ? percentile(exactTimes, 99) : null,
      queries: indexTimes.length,
      exactQueries: exactTimes.length,
      recallAt1: found / probes.length,
      exactRecallAt1: keepForExact ? exactFound / exactTimes.length : null,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SELFIE_VARIANTS: SelfieVariant[] = [
  { mirror: true, brightness: 0.65, crop: { zoom: 1.2, shiftX: 0.04, shiftY: -0.03 } },
  { mirror: true, brightness: 1.35, crop: { zoom: 1.2, shiftX: -0.04, shiftY: -0.03 } },
  { crop: { zoom: 1.35, shiftX: 0.05, shiftY: -0.04 } },
  { mirror: true },
];

interface ThresholdFigures {
  people: number;
  selfies: number;
  genuinePairs: number;
  impostorPairs: number;
  threshold: number;
  trueMatches: number;
  falseMatches: number;
  lowestGenuine: number;
  highestImpostor: number;
}

async function measureThreshold(threshold: number): Promise<ThresholdFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'kyc-bench-sample-faces-'));
  const store = createFolderObjectStore(dir);
  const analyzer = createHumanFaceAnalyzer(store);
  try {
    const selfies: Array<{ person: string; descriptor: number[] }> = [];
    for (const { id, image } of await sampleFaces()) {
      for (const [number, variant] of SELFIE_VARIANTS.entries()) {
        const ref = { bucket: 'selfies', key: `${id}-${number}.jpg` };
        await store.put(ref, await renderSelfie(image, variant), 'image/jpeg');
        const descriptor = await analyzer.describeFace(ref);
        if (!descriptor) throw new Error(`no face found in ${ref.key}`);
        selfies.push({ person: id, descriptor });
      }
    }
    const figures = {
      genuinePairs: 0,
      impostorPairs: 0,
      trueMatches: 0,
      falseMatches: 0,
      lowestGenuine: 1,
      highestImpostor: 0,
    };
    for (const [index, a] of selfies.entries()) {
      for (const b of selfies.slice(index + 1)) {
        const distance = Math.hypot(...a.descriptor.map((value, at) => value - (b.descriptor[at] ?? 0)));
        const similarity = similarityOfDistance(distance);
        if (a.person === b.person) {
          figures.genuinePairs += 1;
          if (similarity >= threshold) figures.trueMatches += 1;
          figures.lowestGenuine = Math.min(figures.lowestGenuine, similarity);
        } else {
          figures.impostorPairs += 1;
          if (similarity >= threshold) figures.falseMatches += 1;
          figures.highestImpostor = Math.max(figures.highestImpostor, similarity);
        }
      }
    }
    return { people: new Set(selfies.map((s) => s.person)).size, selfies: selfies.length, threshold, ...figures };
  } finally {
    await analyzer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

export async function facesPart(options: FacesOptions): Promise<PartResult> {
  const runs: Array<{ stored: number; latent: Latent }> = options.quick
    ? [{ stored: 2_000, latent: 64 }]
    : [
        { stored: 10_000, latent: 64 },
        { stored: 100_000, latent: 64 },
        ...(options.million ? [{ stored: 1_000_000, latent: 64 } as const] : []),
        { stored: 10_000, latent: null },
      ];
  const scales: ScaleFigures[] = [];
  for (const { stored, latent } of runs) {
    process.stderr.write(`bench: faces: ${count(stored)} stored descriptors (latent ${latent ?? 'none'})…\n`);
    // Exact search over a million f32 descriptors would hold 4 GiB; it grows linearly, so 100,000 shows its cost.
    scales.push(await measureScale(stored, latent, stored <= 100_000, options.quick ? 50 : 500));
  }
  process.stderr.write('bench: faces: sample faces…\n');
  const threshold = await measureThreshold(loadPolicy('v1').thresholds.duplicateFace);

  const rows: Row[] = scales.flatMap((scale) => {
    const label = `${count(scale.stored)} stored descriptors (${DIMENSIONS}-d, ${scale.latent ? `${scale.latent}-d latent` : 'isotropic: worst case'})`;
    return [
      {
        figure: `${label}: search p50 / p99, usearch HNSW (f16, M=${HNSW_SETTINGS.connectivity}, ef=${HNSW_SETTINGS.expansion_search}) vs exact scan (f32), 1 thread; ${scale.queries} / ${scale.exactQueries} queries`,
        value: `${ms(scale.indexP50Ms)} / ${ms(scale.indexP99Ms)}`,
        floor:
          scale.exactP50Ms === null
            ? 'not run (4 GiB of f32)'
            : `${ms(scale.exactP50Ms)} / ${ms(scale.exactP99Ms ?? Number.NaN)}`,
        ratio: scale.exactP50Ms === null ? '' : ratio(scale.indexP50Ms / scale.exactP50Ms),
      },
      {
        figure: `${label}: index build (batch add, ${scale.buildThreads} threads), and its size on disk`,
        value: `${scale.buildSeconds.toFixed(1)} s, ${mib(scale.indexBytes)}`,
      },
      {
        figure: `${label}: recall@1 of a stored face with noise, index vs exact`,
        value: percent(scale.recallAt1, 1),
        floor: scale.exactRecallAt1 === null ? '' : percent(scale.exactRecallAt1, 1),
      },
    ];
  });
  rows.push(
    {
      figure: `sample faces (${threshold.people} people × ${threshold.selfies / threshold.people} selfies, @vladmandic/human): false-match rate at the duplicate-face threshold ${threshold.threshold} (pairs of different people scoring at or above it)`,
      value: `${percent(threshold.falseMatches, threshold.impostorPairs)} (${threshold.falseMatches} of ${threshold.impostorPairs}); highest ${threshold.highestImpostor.toFixed(3)}`,
    },
    {
      figure: `sample faces: true-match rate at ${threshold.threshold} (pairs of the same person's selfies)`,
      value: `${percent(threshold.trueMatches, threshold.genuinePairs)} (${threshold.trueMatches} of ${threshold.genuinePairs}); lowest ${threshold.lowestGenuine.toFixed(3)}`,
    },
  );
  return { part: 'faces', rows, figures: { scales, threshold } };
}
