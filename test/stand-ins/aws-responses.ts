/**
 * Builders of realistic Textract and Rekognition answers, shaped after answers the real services gave (the
 * amazon-textract-textractor saved responses, the Rekognition developer guide's examples). Program them into the
 * AWS stand-in per S3 object key; the stand-in then applies what the real service decides from the request
 * (CompareFaces' SimilarityThreshold, DetectFaces' Attributes, the liveness session's AuditImagesLimit).
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  BoundingBox,
  ComparedFace,
  CompareFacesResponse,
  DetectFacesResponse,
  FaceDetail,
  GetFaceLivenessSessionResultsResponse,
  Landmark,
  LivenessSessionStatus,
} from '@aws-sdk/client-rekognition';
import type {
  AnalyzeIDResponse,
  Block,
  DetectDocumentTextResponse,
  IdentityDocumentField,
  Geometry as TextractGeometry,
  ValueType,
} from '@aws-sdk/client-textract';

/**
 * The field types AnalyzeID reports, in the order it reports them. It lists every one of them for every document,
 * with an empty text where the document has no such field.
 */
export const analyzeIdFieldTypes = [
  'FIRST_NAME',
  'LAST_NAME',
  'MIDDLE_NAME',
  'SUFFIX',
  'CITY_IN_ADDRESS',
  'ZIP_CODE_IN_ADDRESS',
  'STATE_IN_ADDRESS',
  'STATE_NAME',
  'DOCUMENT_NUMBER',
  'EXPIRATION_DATE',
  'DATE_OF_BIRTH',
  'DATE_OF_ISSUE',
  'ID_TYPE',
  'ENDORSEMENTS',
  'VETERAN',
  'RESTRICTIONS',
  'CLASS',
  'ADDRESS',
  'COUNTY',
  'PLACE_OF_BIRTH',
  'MRZ_CODE',
] as const;

export type AnalyzeIdFieldType = (typeof analyzeIdFieldTypes)[number];

const dateFieldTypes: ReadonlySet<string> = new Set(['EXPIRATION_DATE', 'DATE_OF_BIRTH', 'DATE_OF_ISSUE']);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A confidence in the range the services report for clean input, stable for the same text. */
function plausibleConfidence(text: string, floor = 94): number {
  const spread = 99.95 - floor;
  const fraction = createHash('sha256').update(text).digest().readUInt32BE(0) / 0xffffffff;
  return floor + fraction * spread;
}

/**
 * AnalyzeID's answer for a document whose fields read `fields`, e.g. `{ FIRST_NAME: 'AMELIA', DATE_OF_BIRTH:
 * '1988-04-12' }`. Date fields given as ISO dates carry the printed text (DD/MM/YYYY) and Textract's NormalizedValue;
 * a date given in any other form is passed through as text without a NormalizedValue, as when Textract cannot read it.
 */
export function analyzeIdResponse(fields: Partial<Record<AnalyzeIdFieldType, string>>): AnalyzeIDResponse {
  const unknown = Object.keys(fields).filter((type) => !(analyzeIdFieldTypes as readonly string[]).includes(type));
  if (unknown.length > 0) throw new Error(`AnalyzeID has no field type ${unknown.join(', ')}`);

  const identityFields = analyzeIdFieldTypes.map((type) => identityField(type, fields[type] ?? ''));
  const printedLines = identityFields.map((field) => field.ValueDetection?.Text ?? '').filter((text) => text !== '');
  return {
    IdentityDocuments: [{ DocumentIndex: 1, IdentityDocumentFields: identityFields, Blocks: textBlocks(printedLines) }],
    DocumentMetadata: { Pages: 1 },
    AnalyzeIDModelVersion: '1.0',
  };
}

function identityField(type: AnalyzeIdFieldType, value: string): IdentityDocumentField {
  const isoDate = dateFieldTypes.has(type) ? ISO_DATE.exec(value) : null;
  // Empty fields come back with a high confidence: the model is sure the field is absent.
  const confidence = plausibleConfidence(`${type}:${value}`, value === '' ? 99 : 94);
  if (!isoDate) return { Type: { Text: type }, ValueDetection: { Text: value, Confidence: confidence } };
  const [, year, month, day] = isoDate;
  return {
    Type: { Text: type },
    ValueDetection: {
      Text: `${day}/${month}/${year}`,
      // Captured AnalyzeID answers say 'Date', though the SDK's ValueType enum only lists 'DATE'.
      NormalizedValue: { Value: `${value}T00:00:00`, ValueType: 'Date' as ValueType },
      Confidence: confidence,
    },
  };
}

/** DetectDocumentText's answer for a one-page document whose text reads `lines`, top to bottom. */
export function detectDocumentTextResponse(lines: string[]): DetectDocumentTextResponse {
  return { DocumentMetadata: { Pages: 1 }, Blocks: textBlocks(lines), DetectDocumentTextModelVersion: '1.0' };
}

function textractGeometry(box: Required<BoundingBox>): TextractGeometry {
  const right = box.Left + box.Width;
  const bottom = box.Top + box.Height;
  return {
    BoundingBox: box,
    Polygon: [
      { X: box.Left, Y: box.Top },
      { X: right, Y: box.Top },
      { X: right, Y: bottom },
      { X: box.Left, Y: bottom },
    ],
  };
}

/** A PAGE block whose CHILD lines each have CHILD words, laid out top to bottom in a monospaced grid. */
function textBlocks(lines: string[]): Block[] {
  const printed = lines.filter((line) => line.trim() !== '');
  const rowPitch = Math.min(0.08, 0.88 / Math.max(printed.length, 1));
  const charWidth = 0.88 / Math.max(40, ...printed.map((line) => line.length));
  const lineBlocks: Block[] = [];
  const wordBlocks: Block[] = [];
  printed.forEach((line, row) => {
    const top = 0.06 + row * rowPitch;
    const height = rowPitch * 0.6;
    const words = [...line.matchAll(/\S+/g)].map((match): Block => {
      const text = match[0];
      return {
        BlockType: 'WORD',
        Confidence: plausibleConfidence(text, 96),
        Text: text,
        TextType: 'PRINTED',
        Geometry: textractGeometry({
          Left: 0.06 + match.index * charWidth,
          Top: top,
          Width: text.length * charWidth,
          Height: height,
        }),
        Id: randomUUID(),
      };
    });
    wordBlocks.push(...words);
    lineBlocks.push({
      BlockType: 'LINE',
      Confidence: plausibleConfidence(line, 96),
      Text: line,
      Geometry: textractGeometry({ Left: 0.06, Top: top, Width: line.length * charWidth, Height: height }),
      Id: randomUUID(),
      Relationships: [{ Type: 'CHILD', Ids: words.map((word) => word.Id ?? '') }],
    });
  });
  const page: Block = {
    BlockType: 'PAGE',
    Geometry: textractGeometry({ Left: 0, Top: 0, Width: 1, Height: 1 }),
    Id: randomUUID(),
    Relationships: [{ Type: 'CHILD', Ids: lineBlocks.map((line) => line.Id ?? '') }],
  };
  return [page, ...lineBlocks, ...wordBlocks];
}

/** Landmark positions as fractions of the face's bounding box; the first five are the ones DEFAULT returns. */
const landmarkLayout: ReadonlyArray<readonly [type: string, x: number, y: number]> = [
  ['eyeLeft', 0.3, 0.4],
  ['eyeRight', 0.7, 0.4],
  ['mouthLeft', 0.36, 0.78],
  ['mouthRight', 0.64, 0.78],
  ['nose', 0.5, 0.58],
  ['leftEyeBrowLeft', 0.16, 0.3],
  ['leftEyeBrowRight', 0.42, 0.29],
  ['leftEyeBrowUp', 0.29, 0.26],
  ['rightEyeBrowLeft', 0.58, 0.29],
  ['rightEyeBrowRight', 0.84, 0.3],
  ['rightEyeBrowUp', 0.71, 0.26],
  ['leftEyeLeft', 0.22, 0.41],
  ['leftEyeRight', 0.38, 0.41],
  ['leftEyeUp', 0.3, 0.38],
  ['leftEyeDown', 0.3, 0.43],
  ['rightEyeLeft', 0.62, 0.41],
  ['rightEyeRight', 0.78, 0.41],
  ['rightEyeUp', 0.7, 0.38],
  ['rightEyeDown', 0.7, 0.43],
  ['noseLeft', 0.43, 0.62],
  ['noseRight', 0.57, 0.62],
  ['mouthUp', 0.5, 0.74],
  ['mouthDown', 0.5, 0.84],
  ['leftPupil', 0.3, 0.405],
  ['rightPupil', 0.7, 0.405],
  ['upperJawlineLeft', 0.04, 0.42],
  ['midJawlineLeft', 0.12, 0.76],
  ['chinBottom', 0.5, 0.99],
  ['midJawlineRight', 0.88, 0.76],
  ['upperJawlineRight', 0.96, 0.42],
];

/** How many landmarks DetectFaces and CompareFaces return unless DetectFaces is asked for ALL attributes. */
export const defaultLandmarkCount = 5;

function landmarks(box: Required<BoundingBox>, count: number): Landmark[] {
  return landmarkLayout.slice(0, count).map(([type, x, y]) => ({
    Type: type as Landmark['Type'],
    X: box.Left + x * box.Width,
    Y: box.Top + y * box.Height,
  }));
}

interface FaceLook {
  confidence?: number;
  sharpness?: number;
  brightness?: number;
}

function comparedFace(box: Required<BoundingBox>, look: FaceLook): ComparedFace {
  return {
    BoundingBox: box,
    Confidence: look.confidence ?? 99.99,
    Landmarks: landmarks(box, defaultLandmarkCount),
    Pose: { Roll: -2.1, Yaw: 4.7, Pitch: 6.3 },
    Quality: { Brightness: look.brightness ?? 78.4, Sharpness: look.sharpness ?? 92.2 },
  };
}

/** The selfie's face, the source of a CompareFaces call. */
const sourceFaceBox = { Width: 0.38, Height: 0.52, Left: 0.31, Top: 0.18 };
/** The photo on the identity document, the target. */
const documentPhotoBox = { Width: 0.22, Height: 0.3, Left: 0.07, Top: 0.32 };

/**
 * CompareFaces' answer when the document photo's face scores `similarity` (0–100) against the selfie, or `null` when
 * it does not match at all. The stand-in moves a match below the request's SimilarityThreshold (80 by default) into
 * UnmatchedFaces, as the service does.
 */
export function compareFacesResponse(similarity: number | null): CompareFacesResponse {
  const targetFace = comparedFace(documentPhotoBox, { confidence: 99.97, brightness: 64.1, sharpness: 46.8 });
  return {
    SourceImageFace: { BoundingBox: sourceFaceBox, Confidence: 99.99 },
    FaceMatches: similarity === null ? [] : [{ Similarity: similarity, Face: targetFace }],
    UnmatchedFaces: similarity === null ? [targetFace] : [],
  };
}

/**
 * DetectFaces' answer with every attribute (as for Attributes ["ALL"]), one FaceDetail per entry of `faces`, left to
 * right; an empty list is an image without faces. The stand-in trims it to what the request's Attributes ask for.
 */
export function detectFacesResponse(faces: FaceLook[]): DetectFacesResponse {
  const width = Math.min(0.4, 0.9 / Math.max(faces.length, 1));
  return {
    FaceDetails: faces.map((look, index): FaceDetail => {
      const box = { Width: width, Height: width * 1.3, Left: 0.05 + index * (width + 0.02), Top: 0.2 };
      const face = comparedFace(box, look);
      return {
        BoundingBox: face.BoundingBox,
        AgeRange: { Low: 29, High: 37 },
        Smile: { Value: false, Confidence: 97.2 },
        Eyeglasses: { Value: false, Confidence: 99.1 },
        Sunglasses: { Value: false, Confidence: 99.9 },
        Gender: { Value: 'Female', Confidence: 99.6 },
        Beard: { Value: false, Confidence: 98.7 },
        Mustache: { Value: false, Confidence: 99.4 },
        EyesOpen: { Value: true, Confidence: 98.9 },
        MouthOpen: { Value: false, Confidence: 96.5 },
        Emotions: [
          { Type: 'CALM', Confidence: 96.8 },
          { Type: 'HAPPY', Confidence: 1.4 },
          { Type: 'SURPRISED', Confidence: 0.6 },
        ],
        Landmarks: landmarks(box, landmarkLayout.length),
        Pose: face.Pose,
        Quality: face.Quality,
        Confidence: face.Confidence,
        FaceOccluded: { Value: false, Confidence: 99.3 },
        EyeDirection: { Yaw: 3.2, Pitch: -4.8, Confidence: 99.1 },
      };
    }),
  };
}

/** The largest number of audit images a liveness session can be asked for (Settings.AuditImagesLimit). */
const maxAuditImages = 4;

/**
 * A decodable 8×8 grey baseline JPEG: SOI, a quantisation table, an 8×8 one-component frame, one-symbol DC and AC
 * Huffman tables, a scan whose single block is "DC unchanged, end of block", EOI.
 */
export const tinyJpeg = Uint8Array.from([
  ...[0xff, 0xd8],
  ...[0xff, 0xdb, 0x00, 0x43, 0x00, ...new Array<number>(64).fill(1)],
  ...[0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00],
  ...[0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, ...new Array<number>(15).fill(0), 0x00],
  ...[0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, ...new Array<number>(15).fill(0), 0x00],
  ...[0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00],
  0x3f,
  ...[0xff, 0xd9],
]);

/**
 * GetFaceLivenessSessionResults' answer (without SessionId, which the stand-in fills in). A SUCCEEDED session carries
 * the reference image and the most audit images a session can ask for; the stand-in keeps as many as the session's
 * AuditImagesLimit. `confidence` (0–100) is how sure the service is that a live person was in front of the camera.
 */
export function livenessResponse(
  status: LivenessSessionStatus,
  confidence?: number,
  referenceImage: Uint8Array = tinyJpeg,
): Omit<GetFaceLivenessSessionResultsResponse, 'SessionId'> {
  const faceBox = { Width: 0.46, Height: 0.58, Left: 0.27, Top: 0.16 };
  const succeeded = status === 'SUCCEEDED';
  return {
    Status: status,
    ...(confidence === undefined ? {} : { Confidence: confidence }),
    ...(succeeded
      ? {
          ReferenceImage: { Bytes: referenceImage, BoundingBox: faceBox },
          AuditImages: Array.from({ length: maxAuditImages }, () => ({ Bytes: tinyJpeg, BoundingBox: faceBox })),
        }
      : {}),
    Challenge: { Type: 'FaceMovementAndLightChallenge', Version: '1.0.0' },
  };
}
