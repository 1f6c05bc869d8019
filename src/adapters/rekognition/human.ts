/**
 * Local face detection, comparison and passive liveness with @vladmandic/human on TensorFlow.js's WebAssembly
 * backend, for on-prem sites and laptops without AWS. The models (BlazeFace detector, FaceMesh, FaceRes descriptor,
 * the liveness classifier) are the ones the npm package ships, read from disk; the WASM binaries come from
 * @tensorflow/tfjs-backend-wasm. Nothing is fetched and nothing is compiled at install time (no tfjs-node).
 *
 * Every image is analysed twice, as it is and mirrored: a front camera mirrors a selfie and a passport never is, and
 * FaceRes descriptors are not mirror-symmetric, so each face's descriptor is the mean of its two readings.
 *
 * Scales, to stand in for Rekognition's:
 * - confidence: human's overall face score, already 0..1.
 * - brightness: mean luma (Rec. 601) of the middle of the face box, 0..255 scaled to 0..100.
 * - sharpness: the re-blur measure of Crété-Roffet et al. (see reblurSharpness) on that region resampled to
 *   128 × 128 px, so it does not depend on how large the face is in the photo; 0.25 maps to 0 and 0.55 to 100.
 *   Calibrated on selfies of the sample faces in src/demo (faces 600–720 px wide): in focus they score 48–100
 *   (median 89); a Gaussian blur of σ = 0.3% of the face width gives a median of 60, 0.6% 24, 0.9% 6, 1.2% 0. So the
 *   default KYC_SELFIE_MIN_SHARPNESS of 10 turns away a selfie about as soft as a 1% blur.
 * - similarity: see similarityOfDistance. The Euclidean distance between two descriptors is mapped onto
 *   Rekognition's 0..1 scale, so the policy's facePass (0.9) and faceFail (0.5) thresholds mean the same
 *   for both engines and `face_checks.match_score` reads the same whichever engine wrote it.
 * - liveness: see passiveLiveness; human's liveness classifier, mapped so KYC_LIVENESS_THRESHOLD (0.9) applies.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Canvas, createCanvas, type Image, loadImage } from '@napi-rs/canvas';
import type * as TensorFlow from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import { imageSize } from 'image-size';
import { PermanentAdapterError } from '../errors.ts';
import type { ObjectRef, ObjectStore } from '../s3/index.ts';
import type { DetectedFace, FaceAnalyzer, FaceComparison, ImageSource } from './index.ts';

const require = createRequire(import.meta.url);
// The package's exports map offers only the tfjs-node build to Node; the WASM build sits beside it in dist/.
const humanDist = dirname(require.resolve('@vladmandic/human'));
const { Human: HumanClass } = require(join(humanDist, 'human.node-wasm.js')) as typeof import('@vladmandic/human');
// The same tfjs-core instance the WASM build of human uses.
const tf = require('@tensorflow/tfjs-core') as typeof TensorFlow;

/** Longest side, in pixels, an image is analysed at. */
const MAX_ANALYSIS_SIDE = 1600;
/** The face region is resampled to this many pixels square before brightness and sharpness are measured. */
const QUALITY_SAMPLE_SIZE = 128;
/** Re-blur sharpness (see reblurSharpness) mapped to 0 and to 100 on Rekognition's scale. */
const BLURRED_REBLUR = 0.25;
const SHARP_REBLUR = 0.55;
/** Steps between neighbouring pixels smaller than this (of 255) are JPEG quantisation and sensor noise, not detail. */
const NOISE_FLOOR = 2;
/** A face found in the mirrored image is the same face when its box, mirrored back, overlaps this much (IoU). */
const SAME_FACE_OVERLAP = 0.5;
/**
 * Descriptor distances that map to similarity 0.9 and 0.5 (see similarityOfDistance). Measured on the sample faces
 * (test/local-providers/human-face-analyzer.test.ts): a selfie of the face on a passport, mirrored or not, darker or
 * brighter, framed tighter, lies 3.6–6.6 from it; anyone else's passport 8.6 or more. The two points sit in that gap,
 * 0.4 from each edge.
 */
const DISTANCE_AT_PASS = 7.0;
const DISTANCE_AT_HALF = 8.2;
/**
 * human's liveness score (0..1) that maps to 0.9, the default KYC_LIVENESS_THRESHOLD (see passiveLiveness). Genuine
 * selfies of the sample faces score 0.46–1 (one face scores under 0.8 whatever the light or framing); the same
 * selfies printed and held up to the camera score 0.27–1. Set just under the lowest genuine score, so no genuine
 * sample fails; it follows that only the crudest printed copies do.
 */
const LIVE_AT_THRESHOLD = 0.4;
/** Length of a FaceRes descriptor. */
export const FACE_DESCRIPTOR_LENGTH = 1024;
/** Analyses kept, by image content: check-face reads the selfie twice (quality, then comparison). */
const ANALYSES_KEPT = 16;

registerFileModelLoader();

/**
 * tfjs-core can load models only over HTTP until something registers a loader for file:// URLs; tfjs-node would,
 * but that is the native build this adapter avoids. Registered once per process, for every Human instance.
 */
function registerFileModelLoader(): void {
  const fileLoader = (url: string | string[]): TensorFlow.io.IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const modelPath = fileURLToPath(url);
    return {
      load: async () => {
        const modelJson = JSON.parse(await readFile(modelPath, 'utf8')) as TensorFlow.io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
          const weights = await Promise.all(
            manifest.flatMap((group) => group.paths.map((path) => readFile(join(dirname(modelPath), path)))),
          );
          const data = Buffer.concat(weights);
          return [
            manifest.flatMap((group) => group.weights),
            data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
          ];
        });
      },
    };
  };
  // A router declines a URL by answering null, which tfjs's IORouter type leaves out.
  tf.io.registerLoadRouter(fileLoader as Parameters<typeof tf.io.registerLoadRouter>[0]);
}

function humanConfig(minConfidence: number): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
    modelBasePath: `${pathToFileURL(join(humanDist, '..', 'models')).href}/`,
    debug: false,
    // Still photos, not video: never reuse an earlier frame's results.
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: 10, minConfidence, skipFrames: 0, skipTime: 0 },
      mesh: { enabled: true },
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
      liveness: { enabled: true, skipFrames: 0, skipTime: 0 },
      // The anti-spoofing model scored genuine selfies of the sample faces 0.22–0.76 and printed copies of them
      // 0.39–0.78: no signal, so it is not run.
      antispoof: { enabled: false },
      iris: { enabled: false },
      emotion: { enabled: false },
      attention: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

export interface HumanFaceAnalyzerOptions {
  /**
   * Detector score (0..1) below which a face is not reported. Default 0.5 (human's own is 0.2), so that a doubtful
   * detection in the background does not make a selfie MULTIPLE_FACES.
   */
  minConfidence?: number;
}

export interface HumanFaceAnalyzer extends FaceAnalyzer {
  /**
   * The descriptor of the largest face in the image (mirror-averaged FaceRes, 1024 numbers), whose Euclidean distance
   * to another maps onto similarity through similarityOfDistance; null when the image shows no face.
   */
  describeFace(ref: ImageSource): Promise<number[] | null>;
  /** Waits for calls in flight and releases this analyzer's human instance (the models stay cached in the process). */
  close(): Promise<void>;
}

type Box = [number, number, number, number];

/** One face as this adapter reports it: what detectFaces returns, plus the descriptor compareFaces needs. */
interface AnalysedFace {
  box: Box;
  score: number;
  /** Mean of the FaceRes descriptors read from the image and from its mirror image. */
  descriptor: number[] | undefined;
  /** human's liveness score, 0..1, before mapping. */
  live: number;
  brightness: number;
  sharpness: number;
}

export function createHumanFaceAnalyzer(store: ObjectStore, options: HumanFaceAnalyzerOptions = {}): HumanFaceAnalyzer {
  const config = humanConfig(options.minConfidence ?? 0.5);
  // Loading the models takes a second or two, so one instance serves every call; the calls run one after another,
  // since a Human instance keeps state from one detect() to the next.
  let human: Promise<Human> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  // Keyed by a hash of the image, not its key: an object may be overwritten with a new upload under the same key.
  const analyses = new Map<string, AnalysedFace[]>();
  const loadedHuman = (): Promise<Human> => {
    human ??= (async () => {
      const instance = new HumanClass(config);
      await instance.load();
      return instance;
    })();
    return human;
  };

  const analyse = (ref: ImageSource): Promise<AnalysedFace[]> => {
    const run = queue.then(async () => {
      const bytes = 'bytes' in ref ? ref.bytes : await store.get(ref);
      const contentHash = createHash('sha256').update(bytes).digest('hex');
      const known = analyses.get(contentHash);
      if (known) {
        // Moved to the end, so the least recently used analysis is always the first key.
        analyses.delete(contentHash);
        analyses.set(contentHash, known);
        return known;
      }
      const picture = withinAnalysisSize(await decodeJpegOrPng(bytes));
      const instance = await loadedHuman();
      const [pixels, mirrored] = rgbBatches(picture);
      let faces: AnalysedFace[];
      try {
        faces = describeBothWays(picture, await detect(instance, pixels), await detect(instance, mirrored));
      } finally {
        tf.dispose([pixels, mirrored]);
      }
      analyses.set(contentHash, faces);
      if (analyses.size > ANALYSES_KEPT) analyses.delete(analyses.keys().next().value as string);
      return faces;
    });
    queue = run.catch(() => {});
    return run;
  };

  return {
    async detectFaces(ref: ObjectRef): Promise<DetectedFace[]> {
      return (await analyse(ref)).map((face) => ({
        confidence: face.score,
        sharpness: face.sharpness,
        brightness: face.brightness,
        liveness: passiveLiveness(face.live),
      }));
    },

    async describeFace(ref: ImageSource): Promise<number[] | null> {
      return largest(await analyse(ref))?.descriptor ?? null;
    },

    async compareFaces(source: ImageSource, target: ImageSource): Promise<FaceComparison> {
      const [sourceFaces, targetFaces] = [await analyse(source), await analyse(target)];
      const sourceFace = largest(sourceFaces);
      const sourceDescriptor = sourceFace?.descriptor;
      // As Rekognition's CompareFaces: a source without a face is a request that cannot be answered.
      if (!sourceFace || !sourceDescriptor) {
        throw new PermanentAdapterError('INVALID_REQUEST', 'no face in the source image');
      }
      const distances = targetFaces.map((face) =>
        face.descriptor ? euclideanDistance(sourceDescriptor, face.descriptor) : Number.POSITIVE_INFINITY,
      );
      const similarities = distances.map(similarityOfDistance);
      const rounded = (value: number) => Math.round(value * 1000) / 1000;
      return {
        similarity: similarities.length > 0 ? rounded(Math.max(...similarities)) : null,
        raw: {
          engine: `human ${(await loadedHuman()).version} faceres, mirror-averaged`,
          sourceFace: { box: sourceFace.box, score: rounded(sourceFace.score) },
          targetFaces: targetFaces.map((face, index) => ({
            box: face.box,
            score: rounded(face.score),
            distance: Number.isFinite(distances[index]) ? rounded(distances[index] ?? 0) : null,
            similarity: rounded(similarities[index] ?? 0),
          })),
        },
      };
    },

    async close() {
      // human keeps loaded models module-wide, shared by every instance in the process, and a new instance reuses
      // them; disposing them here would break the next analyzer. So closing waits for work in flight and lets go.
      await queue;
      human = undefined;
      analyses.clear();
    },
  };
}

/**
 * The distance between two mirror-averaged FaceRes descriptors on Rekognition's 0..1 similarity scale: a logistic
 * curve through 0.9 at DISTANCE_AT_PASS and 0.5 at DISTANCE_AT_HALF. Like Rekognition's, it sits near 1 for a clear
 * match and near 0 for a stranger; human's own `match.similarity` (a straight line over the distance) gave the same
 * face 0.69–0.90 and strangers up to 0.54 on the sample faces, which the Rekognition thresholds would misread.
 *
 * FaceRes is a small model. Two different photographs of one woman in the face-api samples lie 9.1 apart, further
 * than two women in one photograph (8.9), so on real document photos taken years apart a genuine holder can score
 * below 0.5. That is why an on-prem site deciding with this engine should run a policy with faceFail 0: a low
 * score then goes to a person (FACE_MATCH_BORDERLINE) instead of failing the case.
 */
export function similarityOfDistance(distance: number): number {
  const steepness = Math.log(9) / (DISTANCE_AT_HALF - DISTANCE_AT_PASS);
  return 1 / (1 + Math.exp(steepness * (distance - DISTANCE_AT_HALF)));
}

/**
 * human's liveness score on the scale KYC_LIVENESS_THRESHOLD is set on: linear from 0 to 0.9 up to
 * LIVE_AT_THRESHOLD, and from 0.9 to 1 above it. A single-image classifier is a weak check next to a Face Liveness
 * session: calibrated not to fail a genuine selfie, it turns away few printed photos and no passport page held up
 * to the camera. An on-prem site that wants no automatic FAIL on it sets KYC_LIVENESS_THRESHOLD to 0.
 */
export function passiveLiveness(live: number): number {
  const mapped =
    live >= LIVE_AT_THRESHOLD
      ? 0.9 + (0.1 * (live - LIVE_AT_THRESHOLD)) / (1 - LIVE_AT_THRESHOLD)
      : (0.9 * live) / LIVE_AT_THRESHOLD;
  return Math.round(Math.min(Math.max(mapped, 0), 1) * 1000) / 1000;
}

function euclideanDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += ((a[index] ?? 0) - (b[index] ?? 0)) ** 2;
  return Math.sqrt(sum);
}

/** Decoded upright: @napi-rs/canvas applies a phone camera's EXIF orientation. */
async function decodeJpegOrPng(bytes: Uint8Array): Promise<Image> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (() => {
    try {
      return imageSize(buffer).type;
    } catch {
      return undefined;
    }
  })();
  if (type !== 'jpg' && type !== 'png') throw new PermanentAdapterError('UNSUPPORTED_IMAGE', 'not a JPEG or PNG image');
  return loadImage(buffer).catch((error: Error) => {
    throw new PermanentAdapterError('UNSUPPORTED_IMAGE', `the image cannot be decoded: ${error.message}`);
  });
}

/**
 * A 12-megapixel phone photo would make tensors of hundreds of megabytes, and the models see faces at 256 px or less,
 * so larger images are scaled down first. Faces stay far above the size the detector needs.
 */
function withinAnalysisSize(image: Image): Canvas {
  const scale = Math.min(1, MAX_ANALYSIS_SIDE / Math.max(image.width, image.height));
  const canvas = createCanvas(Math.round(image.width * scale), Math.round(image.height * scale));
  canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/**
 * The picture as human takes it, as it is and mirrored: each a batch of one RGB image, in floats from 0 to 255 (human
 * turns any input into those). Built here in one pass over the pixels: a tensor of the RGBA bytes is widened to int32,
 * sliced and cast on the way, and tfjs's own flip on the WASM backend is slower still; either took longer than a
 * face's detection.
 */
function rgbBatches(picture: Canvas): [TensorFlow.Tensor4D, TensorFlow.Tensor4D] {
  const { width, height } = picture;
  const rgba = picture.getContext('2d').getImageData(0, 0, width, height).data;
  const rgb = new Float32Array(width * height * 3);
  const mirrored = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      const to = (y * width + x) * 3;
      const mirroredTo = (y * width + (width - 1 - x)) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const value = rgba[from + channel] ?? 0;
        rgb[to + channel] = value;
        mirrored[mirroredTo + channel] = value;
      }
    }
  }
  return [tf.tensor4d(rgb, [1, height, width, 3]), tf.tensor4d(mirrored, [1, height, width, 3])];
}

async function detect(human: Human, pixels: TensorFlow.Tensor4D): Promise<FaceResult[]> {
  const result = await human.detect(pixels);
  // human reports some failures (a backend that did not start, say) in the result instead of throwing.
  if (result.error) throw new Error(`human could not analyse the image: ${result.error}`);
  return result.face;
}

/**
 * Each face found in the picture, with its descriptor averaged with that of the same face found in the mirrored
 * picture (its box mirrored back overlapping by SAME_FACE_OVERLAP or more); a face found only one way keeps its own.
 */
function describeBothWays(picture: Canvas, faces: FaceResult[], mirroredFaces: FaceResult[]): AnalysedFace[] {
  return faces.map((face) => {
    const twin = mirroredFaces
      .map((candidate) => {
        const [x, y, width, height] = candidate.box;
        const unmirrored: Box = [picture.width - x - width, y, width, height];
        return { candidate, overlap: intersectionOverUnion(face.box, unmirrored) };
      })
      .filter(({ overlap }) => overlap >= SAME_FACE_OVERLAP)
      .sort((a, b) => b.overlap - a.overlap)[0]?.candidate;
    const own = face.embedding;
    const other = twin?.embedding;
    return {
      box: face.box,
      score: face.score,
      descriptor: own && other ? own.map((value, index) => (value + (other[index] ?? value)) / 2) : own,
      // human leaves the score out when its model answers 0.
      live: face.live ?? 0,
      ...faceQuality(picture, face.box),
    };
  });
}

function intersectionOverUnion([ax, ay, aw, ah]: Box, [bx, by, bw, bh]: Box): number {
  const width = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
  const height = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  const intersection = width * height;
  return intersection / (aw * ah + bw * bh - intersection);
}

function largest(faces: readonly AnalysedFace[]): AnalysedFace | undefined {
  return faces.reduce<AnalysedFace | undefined>(
    (best, face) => (!best || face.box[2] * face.box[3] > best.box[2] * best.box[3] ? face : best),
    undefined,
  );
}

/** Brightness and sharpness of the middle 60% of the face box: the features, without hair or background. */
function faceQuality(picture: Canvas, [x, y, width, height]: Box): { brightness: number; sharpness: number } {
  const size = QUALITY_SAMPLE_SIZE;
  const context = createCanvas(size, size).getContext('2d');
  context.drawImage(picture, x + width * 0.2, y + height * 0.2, width * 0.6, height * 0.6, 0, 0, size, size);
  const rgba = context.getImageData(0, 0, size, size).data;
  const luma = new Float64Array(size * size);
  for (let pixel = 0; pixel < luma.length; pixel++) {
    luma[pixel] =
      0.299 * (rgba[pixel * 4] ?? 0) + 0.587 * (rgba[pixel * 4 + 1] ?? 0) + 0.114 * (rgba[pixel * 4 + 2] ?? 0);
  }
  const meanLuma = luma.reduce((sum, value) => sum + value, 0) / luma.length;
  const sharpness = (reblurSharpness(luma, size) - BLURRED_REBLUR) / (SHARP_REBLUR - BLURRED_REBLUR);
  return {
    brightness: Math.round((meanLuma / 255) * 1000) / 10,
    sharpness: Math.round(Math.min(Math.max(sharpness, 0), 1) * 1000) / 10,
  };
}

/**
 * Crété-Roffet et al., "The blur effect" (2007): blur the region again with a 9-pixel box filter, along rows and then
 * along columns, and measure how much of the difference between neighbouring pixels that takes away. A sharp image
 * loses much of it, one already blurred hardly any. Unlike the variance of the Laplacian, this hardly depends on how
 * much detail (stubble, make-up, hair) a face has. 1 is perfectly sharp, 0 a flat blur.
 */
function reblurSharpness(luma: Float64Array, size: number): number {
  const reach = 4;
  const at = (row: number, column: number): number =>
    luma[Math.min(Math.max(row, 0), size - 1) * size + Math.min(Math.max(column, 0), size - 1)] ?? 0;
  const blurs = [
    [1, 0],
    [0, 1],
  ].map(([down = 0, across = 0]) => {
    const reblurred = (row: number, column: number): number => {
      let sum = 0;
      for (let step = -reach; step <= reach; step++) sum += at(row + step * down, column + step * across);
      return sum / (2 * reach + 1);
    };
    let variation = 0;
    let variationKept = 0;
    for (let row = down; row < size; row++) {
      for (let column = across; column < size; column++) {
        const original = Math.abs(at(row, column) - at(row - down, column - across));
        if (original < NOISE_FLOOR) continue;
        const afterReblur = Math.abs(reblurred(row, column) - reblurred(row - down, column - across));
        variation += original;
        variationKept += Math.max(0, original - afterReblur);
      }
    }
    return variation === 0 ? 1 : (variation - variationKept) / variation;
  });
  return 1 - Math.max(...blurs);
}
