/**
 * Local face detection and comparison with @vladmandic/human on TensorFlow.js's WebAssembly backend, for on-prem
 * sites and laptops without AWS. The models (BlazeFace detector, FaceMesh, FaceRes descriptor) are the ones the npm
 * package ships, read from disk; the WASM binaries come from @tensorflow/tfjs-backend-wasm. Nothing is fetched and
 * nothing is compiled at install time (no tfjs-node).
 *
 * Scales, to stand in for Rekognition's:
 * - confidence: human's overall face score, already 0..1.
 * - brightness: mean luma (Rec. 601) of the middle of the face box, 0..255 scaled to 0..100.
 * - sharpness: the re-blur measure of Crété-Roffet et al. (see reblurSharpness) on that region resampled to
 *   128 × 128 px, so it does not depend on how large the face is in the photo; 0.25 maps to 0 and 0.55 to 100.
 *   Calibrated on selfies of the sample faces in src/demo (faces 600–720 px wide): in focus they score 48–100
 *   (median 89); a Gaussian blur of σ = 0.3% of the face width gives a median of 60, 0.6% 24, 0.9% 6, 1.2% 0. So the
 *   default KYC_SELFIE_MIN_SHARPNESS of 10 turns away a selfie about as soft as a 1% blur.
 * - similarity: `human.match.similarity` of the FaceRes descriptors (1024 numbers each). It takes the Euclidean
 *   distance d between them and maps 1 − 5d/100 linearly from [0.2, 0.8] onto [0, 1], clamped. That is not
 *   Rekognition's scale. On the sample faces a selfie scores 0.73–0.90 against the passport made from the same
 *   photo, and other people's passports score up to 0.54; two different photos of one woman (in the face-api
 *   samples) score 0.55. So KYC_FACE_PASS_THRESHOLD and KYC_FACE_FAIL_THRESHOLD, set for Rekognition at 0.9 and
 *   0.5, need setting afresh for this engine against real document photos before it decides anything alone.
 */
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
import type { DetectedFace, FaceAnalyzer, FaceComparison } from './index.ts';

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
      iris: { enabled: false },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
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
  /** Waits for calls in flight and releases this analyzer's human instance (the models stay cached in the process). */
  close(): Promise<void>;
}

interface AnalysedImage {
  /** The image as analysed: face boxes are in its pixels. */
  picture: Canvas;
  faces: FaceResult[];
}

export function createHumanFaceAnalyzer(store: ObjectStore, options: HumanFaceAnalyzerOptions = {}): HumanFaceAnalyzer {
  const config = humanConfig(options.minConfidence ?? 0.5);
  // Loading the models takes a second or two, so one instance serves every call; the calls run one after another,
  // since a Human instance keeps state from one detect() to the next.
  let human: Promise<Human> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const loadedHuman = (): Promise<Human> => {
    human ??= (async () => {
      const instance = new HumanClass(config);
      await instance.load();
      return instance;
    })();
    return human;
  };

  const analyse = (ref: ObjectRef): Promise<AnalysedImage> => {
    const run = queue.then(async () => {
      const picture = withinAnalysisSize(await decodeJpegOrPng(await store.get(ref)));
      const faces = await detect(await loadedHuman(), picture);
      return { picture, faces };
    });
    queue = run.catch(() => {});
    return run;
  };

  return {
    async detectFaces(ref: ObjectRef): Promise<DetectedFace[]> {
      const { picture, faces } = await analyse(ref);
      return faces.map((face) => ({ confidence: face.score, ...faceQuality(picture, face.box) }));
    },

    async compareFaces(source: ObjectRef, target: ObjectRef): Promise<FaceComparison> {
      const [sourceImage, targetImage] = [await analyse(source), await analyse(target)];
      const sourceFace = largest(sourceImage.faces);
      const sourceEmbedding = sourceFace?.embedding;
      // As Rekognition's CompareFaces: a source without a face is a request that cannot be answered.
      if (!sourceFace || !sourceEmbedding) {
        throw new PermanentAdapterError('INVALID_REQUEST', 'no face in the source image');
      }
      const instance = await loadedHuman();
      const similarities = targetImage.faces.map((face) =>
        face.embedding ? instance.match.similarity(sourceEmbedding, face.embedding) : 0,
      );
      const rounded = (value: number) => Math.round(value * 1000) / 1000;
      return {
        similarity: similarities.length > 0 ? rounded(Math.max(...similarities)) : null,
        raw: {
          engine: `human ${instance.version} faceres`,
          sourceFace: { box: sourceFace.box, score: rounded(sourceFace.score) },
          targetFaces: targetImage.faces.map((face, index) => ({
            box: face.box,
            score: rounded(face.score),
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
    },
  };
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

async function detect(human: Human, picture: Canvas): Promise<FaceResult[]> {
  const { width, height } = picture;
  const rgba = picture.getContext('2d').getImageData(0, 0, width, height).data;
  const input = tf.tidy(() => {
    const pixels = tf.tensor3d(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), [height, width, 4]);
    // [1, height, width, 3]: human takes a batch of one RGB image.
    return tf.expandDims(tf.slice(pixels, [0, 0, 0], [-1, -1, 3]), 0);
  });
  try {
    const result = await human.detect(input);
    // human reports some failures (a backend that did not start, say) in the result instead of throwing.
    if (result.error) throw new Error(`human could not analyse the image: ${result.error}`);
    return result.face;
  } finally {
    input.dispose();
  }
}

function largest(faces: readonly FaceResult[]): FaceResult | undefined {
  return faces.reduce<FaceResult | undefined>(
    (best, face) => (!best || face.box[2] * face.box[3] > best.box[2] * best.box[3] ? face : best),
    undefined,
  );
}

/** Brightness and sharpness of the middle 60% of the face box: the features, without hair or background. */
function faceQuality(picture: Canvas, [x, y, width, height]: [number, number, number, number]) {
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
