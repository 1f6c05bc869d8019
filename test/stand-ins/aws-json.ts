/**
 * A local stand-in for Amazon Textract and Amazon Rekognition that speaks AWS JSON 1.1, so the real SDK clients can
 * be pointed at it: `new TextractClient({ endpoint: standIn.endpoint, region, credentials })`. Answers are programmed
 * per S3 object key (or liveness session id); faults can be injected per operation or at random for chaos runs.
 * Signatures are not verified, but a request without an Authorization header is refused as AWS refuses it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  CompareFacesResponse,
  DetectFacesResponse,
  FaceDetail,
  GetFaceLivenessSessionResultsResponse,
} from '@aws-sdk/client-rekognition';
import type { AnalyzeIDResponse, DetectDocumentTextResponse } from '@aws-sdk/client-textract';
import { seededRng } from '../../src/demo/synthetic-people.ts';
import { defaultLandmarkCount } from './aws-responses.ts';
import { listenOnLoopback, readBody, writeResponse } from './http.ts';

type Service = 'Textract' | 'Rekognition';

/**
 * The exceptions each service's API reference lists for these operations, with the HTTP status it gives them.
 * Rekognition's messages are those its developer guide quotes; Textract's paraphrase its API reference.
 */
const exceptionCatalogue: Record<Service, Record<string, { status: number; message: string }>> = {
  Textract: {
    AccessDeniedException: { status: 400, message: "You aren't authorized to perform the action." },
    BadDocumentException: { status: 400, message: 'Unable to process the document: it could not be read.' },
    DocumentTooLargeException: { status: 400, message: 'The document is too large.' },
    InternalServerError: { status: 500, message: 'Internal server error' },
    InvalidParameterException: { status: 400, message: 'Request has invalid parameters' },
    InvalidS3ObjectException: {
      status: 400,
      message: 'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
    },
    ProvisionedThroughputExceededException: { status: 400, message: 'Provisioned rate exceeded' },
    ThrottlingException: { status: 500, message: 'Service Unavailable' },
    UnsupportedDocumentException: { status: 400, message: 'Request has unsupported document format' },
  },
  Rekognition: {
    AccessDeniedException: { status: 400, message: "You aren't authorized to perform the action." },
    ImageTooLargeException: { status: 400, message: 'Image size is too large.' },
    InternalServerError: { status: 500, message: 'Internal server error' },
    InvalidImageFormatException: { status: 400, message: 'Request has invalid image format.' },
    InvalidParameterException: { status: 400, message: 'Request has invalid parameters.' },
    InvalidS3ObjectException: {
      status: 400,
      message: 'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
    },
    ProvisionedThroughputExceededException: { status: 400, message: 'Provisioned Rate exceeded.' },
    ResourceAlreadyExistsException: { status: 400, message: 'The specified resource already exists.' },
    ResourceNotFoundException: { status: 400, message: 'The resource specified in the request cannot be found.' },
    SessionNotFoundException: { status: 400, message: 'The specified session does not exist.' },
    ThrottlingException: { status: 500, message: 'Service Unavailable' },
  },
};

/** An answer that is one of the service's exceptions, e.g. `{ exception: 'UnsupportedDocumentException' }`. */
export interface ServiceException {
  exception: string;
  message?: string;
}

/**
 * - `throttle`: the rate-limit answer both services give when requests exceed the account's TPS quota,
 *   ProvisionedThroughputExceededException (HTTP 400; the SDK retries it as throttling).
 * - `server-error`: InternalServerError (HTTP 500).
 * - `{ delayMs }`: the normal answer, late.
 * - `{ exception }`: any other exception the service documents, with its real status (ThrottlingException is 500).
 */
export type Fault = 'throttle' | 'server-error' | { delayMs: number } | ServiceException;

export interface ChaosSettings {
  /** Share of requests (0–1) answered with the throttling exception. */
  throttleRate: number;
  /** Share of requests (0–1) answered with InternalServerError. */
  serverErrorRate: number;
  /** Every request waits a random 0..maxDelayMs before it is answered. */
  maxDelayMs: number;
  /** The same seed and the same sequence of requests give the same faults and delays. */
  seed: number;
}

export interface RecordedCall {
  /** The X-Amz-Target, e.g. `Textract.AnalyzeID`. */
  target: string;
  /** The S3 object key the request named, `sha256:<hex>` for inline image bytes, or the liveness session id. */
  key?: string;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** The HTTP status it was answered with. */
  status: number;
}

type Programmed<Response> = Response | ServiceException;
type LivenessResult = Omit<GetFaceLivenessSessionResultsResponse, 'SessionId'>;

export interface AwsStandIn {
  /** http://127.0.0.1:<port>, for the SDK client's `endpoint`. */
  readonly endpoint: string;
  readonly textract: {
    analyzeId(documentKey: string, response: Programmed<AnalyzeIDResponse>): void;
    detectText(documentKey: string, response: Programmed<DetectDocumentTextResponse>): void;
  };
  readonly rekognition: {
    /** Keyed by the source image (the selfie); the target image is not checked. */
    compareFaces(sourceImageKey: string, response: Programmed<CompareFacesResponse>): void;
    detectFaces(imageKey: string, response: Programmed<DetectFacesResponse>): void;
    livenessResult(sessionId: string, response: Programmed<LivenessResult>): void;
    /**
     * Says whose face an image shows (a label; a key may be a pattern, or imageBytesKey of inline bytes). CompareFaces
     * of two labelled images with no programmed answer, and SearchFacesByImage and IndexFaces, answer from these
     * labels: the same label is the same person (similarity 99.2), another label is not (similarity 4.1).
     */
    faceOf(imageKey: string, person: string): void;
    /** Faces indexed into each collection: ExternalImageId and the label of the face. */
    collection(collectionId: string): ReadonlyArray<{ faceId: string; externalImageId: string | undefined }>;
  };
  /** The next `times` requests to `target` (e.g. `Textract.AnalyzeID`) get `fault`, after any faults already queued. */
  failNext(target: string, times: number, fault: Fault): void;
  /** Random faults and delays on every operation; `null` turns them off. Queued failNext faults come first. */
  setChaos(settings: ChaosSettings | null): void;
  /** Every request, in arrival order, without bodies. */
  readonly calls: readonly RecordedCall[];
  callCount(target: string, key?: string): number;
  close(): Promise<void>;
}

/** The key under which an image sent inline (`Image.Bytes`) is programmed, since it names no S3 object. */
export function imageBytesKey(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

interface ImageReference {
  S3Object?: { Name?: string };
  Bytes?: string;
}

function imageKey(image: ImageReference | undefined): string | undefined {
  if (image?.S3Object?.Name !== undefined) return image.S3Object.Name;
  if (image?.Bytes !== undefined) return imageBytesKey(Buffer.from(image.Bytes, 'base64'));
  return undefined;
}

/** A request body as AWS JSON 1.1 carries it: blobs are base64 strings. */
type RequestBody = Record<string, unknown>;

interface LivenessSession {
  auditImagesLimit: number;
  outputConfig?: { S3Bucket: string; S3KeyPrefix?: string };
}

type Answer = { status: 200; body: unknown } | { status: number; exception: string; message: string };

/** Thrown by an operation to answer with one of the service's exceptions. */
class ServiceExceptionAnswer extends Error {
  readonly answer: ServiceException;

  constructor(answer: ServiceException) {
    super(answer.exception);
    this.answer = answer;
  }
}

function isServiceException(value: unknown): value is ServiceException {
  return typeof value === 'object' && value !== null && 'exception' in value;
}

/** What a request gets instead of (or before) its normal answer. */
interface FaultPlan {
  delayMs: number;
  exception?: ServiceException;
}

const throttlingAnswer: ServiceException = { exception: 'ProvisionedThroughputExceededException' };
const serverErrorAnswer: ServiceException = { exception: 'InternalServerError' };

function planFor(fault: Fault): FaultPlan {
  if (fault === 'throttle') return { delayMs: 0, exception: throttlingAnswer };
  if (fault === 'server-error') return { delayMs: 0, exception: serverErrorAnswer };
  if ('delayMs' in fault) return { delayMs: fault.delayMs };
  return { delayMs: 0, exception: fault };
}

const detectFacesAttributeFields: Record<string, keyof FaceDetail> = {
  AGE_RANGE: 'AgeRange',
  BEARD: 'Beard',
  EMOTIONS: 'Emotions',
  EYE_DIRECTION: 'EyeDirection',
  EYEGLASSES: 'Eyeglasses',
  EYES_OPEN: 'EyesOpen',
  FACE_OCCLUDED: 'FaceOccluded',
  GENDER: 'Gender',
  MOUTH_OPEN: 'MouthOpen',
  MUSTACHE: 'Mustache',
  SMILE: 'Smile',
  SUNGLASSES: 'Sunglasses',
};
const defaultFaceFields: ReadonlyArray<keyof FaceDetail> = [
  'BoundingBox',
  'Confidence',
  'Landmarks',
  'Pose',
  'Quality',
];

/** What DetectFaces returns for the request's Attributes: DEFAULT fields and five landmarks unless ALL is asked. */
function facesForAttributes(response: DetectFacesResponse, attributes: string[]): DetectFacesResponse {
  if (attributes.includes('ALL')) return response;
  const fields = new Set<keyof FaceDetail>([
    ...defaultFaceFields,
    ...attributes.flatMap((attribute) => detectFacesAttributeFields[attribute] ?? []),
  ]);
  return {
    ...response,
    FaceDetails: response.FaceDetails?.map((face) => {
      const kept = Object.fromEntries(Object.entries(face).filter(([field]) => fields.has(field as keyof FaceDetail)));
      return { ...kept, Landmarks: face.Landmarks?.slice(0, defaultLandmarkCount) };
    }),
  };
}

/** CompareFaces reports a face scoring below SimilarityThreshold (default 80) as unmatched, without its score. */
function matchesAboveThreshold(response: CompareFacesResponse, threshold: number): CompareFacesResponse {
  const matches = response.FaceMatches ?? [];
  return {
    ...response,
    FaceMatches: matches.filter((match) => (match.Similarity ?? 0) >= threshold),
    UnmatchedFaces: [
      ...matches.filter((match) => (match.Similarity ?? 0) < threshold).flatMap((match) => match.Face ?? []),
      ...(response.UnmatchedFaces ?? []),
    ],
  };
}

/**
 * A programmed key with `*` in it is a pattern (`*` matches any run of characters), for objects whose exact key is
 * only known once uploaded, e.g. `kyc-raw/42/*-passport.jpg`.
 */
function matchingPattern(byKey: Map<string, unknown> | undefined, key: string): unknown {
  for (const [pattern, answer] of byKey ?? []) {
    if (!pattern.includes('*')) continue;
    const regex = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (regex.test(key)) return answer;
  }
  return undefined;
}

class AwsJsonStandIn {
  readonly calls: RecordedCall[] = [];
  readonly #programmed = new Map<string, Map<string, unknown>>();
  readonly #plans = new Map<string, FaultPlan[]>();
  readonly #sessions = new Map<string, LivenessSession>();
  readonly #sessionsByToken = new Map<string, string>();
  readonly #people = new Map<string, string>();
  readonly collections = new Map<string, IndexedFace[]>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #chaos: { settings: ChaosSettings; random: () => number } | null = null;

  program(target: string, key: string, answer: unknown): void {
    if (isServiceException(answer)) exceptionStatus(serviceOf(target), answer.exception);
    const byKey = this.#programmed.get(target) ?? new Map<string, unknown>();
    byKey.set(key, answer);
    this.#programmed.set(target, byKey);
  }

  faceOf(imageKey: string, person: string): void {
    this.#people.set(imageKey, person);
  }

  failNext(target: string, times: number, fault: Fault): void {
    if (!operations[target]) throw new Error(`the stand-in has no operation ${target}`);
    const plan = planFor(fault);
    if (plan.exception) exceptionStatus(serviceOf(target), plan.exception.exception);
    const queue = this.#plans.get(target) ?? [];
    queue.push(...Array.from({ length: times }, () => plan));
    this.#plans.set(target, queue);
  }

  setChaos(settings: ChaosSettings | null): void {
    this.#chaos = settings && { settings, random: seededRng(settings.seed) };
  }

  callCount(target: string, key?: string): number {
    return this.calls.filter((call) => call.target === target && (key === undefined || call.key === key)).length;
  }

  stopTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = await readBody(request);
    const call: RecordedCall = { target, at: Date.now(), status: 0 };
    this.calls.push(call);
    const answer = await this.#answer(request, target, body, call);
    call.status = answer.status;
    const headers = { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() };
    if ('body' in answer) {
      writeResponse(response, 200, JSON.stringify(answer.body, blobsAsBase64), headers);
      return;
    }
    const errorBody = {
      __type: answer.exception,
      Code: answer.exception,
      Message: answer.message,
      // Rekognition's error shape carries a log reference; Textract's has none.
      ...(target.startsWith('RekognitionService.') ? { Logref: randomUUID() } : {}),
    };
    writeResponse(response, answer.status, JSON.stringify(errorBody), {
      ...headers,
      'x-amzn-ErrorType': answer.exception,
    });
  }

  async #answer(request: IncomingMessage, target: string, rawBody: Buffer, call: RecordedCall): Promise<Answer> {
    if (!request.headers.authorization) {
      return { status: 403, exception: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    }
    const operation = operations[target];
    if (request.method !== 'POST' || !operation) {
      return { status: 400, exception: 'UnknownOperationException', message: `Unknown operation ${target}` };
    }
    const service = serviceOf(target);
    let body: RequestBody;
    try {
      body = JSON.parse(rawBody.toString('utf8') || '{}') as RequestBody;
    } catch {
      return { status: 400, exception: 'SerializationException', message: 'Request body is not valid JSON' };
    }
    call.key = operation.keyOf(body);

    const plan = this.#nextPlan(target);
    if (plan.delayMs > 0) await this.#sleep(plan.delayMs);
    if (plan.exception) return exceptionAnswer(service, plan.exception);

    try {
      return { status: 200, body: operation.respond(body, call.key, this.#context(target)) };
    } catch (error) {
      if (!(error instanceof ServiceExceptionAnswer)) throw error;
      return exceptionAnswer(service, error.answer);
    }
  }

  #context(target: string): OperationContext {
    return {
      programmed: (key) => {
        const byKey = this.#programmed.get(target);
        const answer = byKey?.get(key) ?? matchingPattern(byKey, key);
        if (isServiceException(answer)) throw new ServiceExceptionAnswer(answer);
        return answer;
      },
      sessions: this.#sessions,
      sessionsByToken: this.#sessionsByToken,
      personIn: (key) => (this.#people.get(key) ?? matchingPattern(this.#people, key)) as string | undefined,
      collections: this.collections,
    };
  }

  /** The fault queued for this target, else chaos's roll, else none. */
  #nextPlan(target: string): FaultPlan {
    const queued = this.#plans.get(target)?.shift();
    if (queued) return queued;
    if (!this.#chaos) return { delayMs: 0 };
    const { settings, random } = this.#chaos;
    const roll = random();
    const delayMs = Math.floor(random() * settings.maxDelayMs);
    if (roll < settings.throttleRate) return { delayMs, exception: throttlingAnswer };
    if (roll < settings.throttleRate + settings.serverErrorRate) return { delayMs, exception: serverErrorAnswer };
    return { delayMs };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

function serviceOf(target: string): Service {
  if (target.startsWith('Textract.')) return 'Textract';
  if (target.startsWith('RekognitionService.')) return 'Rekognition';
  throw new Error(`no service answers X-Amz-Target ${target}`);
}

function exceptionStatus(service: Service, exception: string): number {
  const entry = exceptionCatalogue[service][exception];
  if (!entry) throw new Error(`${service} does not throw ${exception}`);
  return entry.status;
}

function exceptionAnswer(service: Service, { exception, message }: ServiceException): Answer {
  return {
    status: exceptionStatus(service, exception),
    exception,
    message: message ?? exceptionCatalogue[service][exception]?.message ?? exception,
  };
}

function blobsAsBase64(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}

interface OperationContext {
  /** The answer programmed for this key, undefined when none; throws a programmed exception. */
  programmed(key: string): unknown;
  sessions: Map<string, LivenessSession>;
  sessionsByToken: Map<string, string>;
  /** The person an image shows, from faceOf; undefined for an image nobody labelled. */
  personIn(key: string): string | undefined;
  collections: Map<string, IndexedFace[]>;
}

interface IndexedFace {
  faceId: string;
  imageId: string;
  externalImageId: string | undefined;
  person: string;
}

const SAME_PERSON_SIMILARITY = 99.2;
const OTHER_PERSON_SIMILARITY = 4.1;
const faceBox = { Width: 0.46, Height: 0.58, Left: 0.27, Top: 0.16 };

/** The collection a request names, or ResourceNotFoundException as Rekognition answers. */
function collectionOf(body: RequestBody, context: OperationContext): IndexedFace[] {
  const faces = context.collections.get(String(body.CollectionId));
  if (!faces) throw new ServiceExceptionAnswer({ exception: 'ResourceNotFoundException' });
  return faces;
}

/** The person in a request's image; an image showing no face is refused as Rekognition refuses it. */
function personInImage(key: string | undefined, context: OperationContext): string {
  if (key === undefined) throw new ServiceExceptionAnswer({ exception: 'InvalidParameterException' });
  const person = context.personIn(key);
  if (person === undefined) {
    throw new ServiceExceptionAnswer({
      exception: 'InvalidParameterException',
      message: 'There are no faces in the image. Should be at least 1.',
    });
  }
  return person;
}

interface Operation {
  keyOf(body: RequestBody): string | undefined;
  respond(body: RequestBody, key: string | undefined, context: OperationContext): unknown;
}

/** A document or image operation: the programmed answer for the S3 object, or AWS's answer for a missing object. */
function objectOperation<Response>(
  keyOf: (body: RequestBody) => string | undefined,
  adjust: (response: Response, body: RequestBody) => unknown = (response) => response,
): Operation {
  return {
    keyOf,
    respond(body, key, context) {
      if (key === undefined) throw new ServiceExceptionAnswer({ exception: 'InvalidParameterException' });
      const programmed = context.programmed(key);
      if (programmed === undefined) throw new ServiceExceptionAnswer({ exception: 'InvalidS3ObjectException' });
      return adjust(programmed as Response, body);
    },
  };
}

const operations: Record<string, Operation> = {
  'Textract.AnalyzeID': objectOperation((body) => imageKey((body.DocumentPages as ImageReference[] | undefined)?.[0])),
  'Textract.DetectDocumentText': objectOperation((body) => imageKey(body.Document as ImageReference | undefined)),
  'RekognitionService.CompareFaces': {
    keyOf: (body) => imageKey(body.SourceImage as ImageReference | undefined),
    respond(body, key, context) {
      if (key === undefined) throw new ServiceExceptionAnswer({ exception: 'InvalidParameterException' });
      const threshold = typeof body.SimilarityThreshold === 'number' ? body.SimilarityThreshold : 80;
      const programmed = context.programmed(key) as CompareFacesResponse | undefined;
      if (programmed !== undefined) return matchesAboveThreshold(programmed, threshold);
      const source = context.personIn(key);
      const target = context.personIn(imageKey(body.TargetImage as ImageReference | undefined) ?? '');
      if (source === undefined || target === undefined) {
        throw new ServiceExceptionAnswer({ exception: 'InvalidS3ObjectException' });
      }
      const similarity = source === target ? SAME_PERSON_SIMILARITY : OTHER_PERSON_SIMILARITY;
      return matchesAboveThreshold(
        {
          SourceImageFace: { BoundingBox: faceBox, Confidence: 99.9 },
          FaceMatches: [{ Similarity: similarity, Face: { BoundingBox: faceBox, Confidence: 99.9 } }],
          UnmatchedFaces: [],
        },
        threshold,
      );
    },
  },
  'RekognitionService.CreateCollection': {
    keyOf: (body) => body.CollectionId as string | undefined,
    respond(_body, collectionId, { collections }) {
      if (!collectionId) throw new ServiceExceptionAnswer({ exception: 'InvalidParameterException' });
      if (collections.has(collectionId))
        throw new ServiceExceptionAnswer({ exception: 'ResourceAlreadyExistsException' });
      collections.set(collectionId, []);
      return {
        StatusCode: 200,
        CollectionArn: `aws:rekognition:eu-west-2:000000000000:collection/${collectionId}`,
        FaceModelVersion: '7.0',
      };
    },
  },
  'RekognitionService.IndexFaces': {
    keyOf: (body) => imageKey(body.Image as ImageReference | undefined),
    respond(body, key, context) {
      const faces = collectionOf(body, context);
      const person = context.personIn(key ?? '');
      // An image without a face indexes nothing; IndexFaces does not refuse it.
      if (person === undefined) return { FaceRecords: [], UnindexedFaces: [], FaceModelVersion: '7.0' };
      const externalImageId = body.ExternalImageId as string | undefined;
      const face: IndexedFace = { faceId: randomUUID(), imageId: randomUUID(), externalImageId, person };
      faces.push(face);
      return {
        FaceRecords: [
          {
            Face: {
              FaceId: face.faceId,
              ImageId: face.imageId,
              BoundingBox: faceBox,
              Confidence: 99.9,
              ...(externalImageId ? { ExternalImageId: externalImageId } : {}),
            },
            FaceDetail: { BoundingBox: faceBox, Confidence: 99.9 },
          },
        ],
        UnindexedFaces: [],
        FaceModelVersion: '7.0',
      };
    },
  },
  'RekognitionService.SearchFacesByImage': {
    keyOf: (body) => imageKey(body.Image as ImageReference | undefined),
    respond(body, key, context) {
      const faces = collectionOf(body, context);
      const person = personInImage(key, context);
      const threshold = typeof body.FaceMatchThreshold === 'number' ? body.FaceMatchThreshold : 80;
      const maxFaces = typeof body.MaxFaces === 'number' ? body.MaxFaces : 4096;
      const matches = faces
        .map((face) => ({
          Similarity: face.person === person ? SAME_PERSON_SIMILARITY : OTHER_PERSON_SIMILARITY,
          Face: {
            FaceId: face.faceId,
            ImageId: face.imageId,
            BoundingBox: faceBox,
            Confidence: 99.9,
            ...(face.externalImageId ? { ExternalImageId: face.externalImageId } : {}),
          },
        }))
        .filter((match) => match.Similarity >= threshold)
        .slice(0, maxFaces);
      return {
        SearchedFaceBoundingBox: faceBox,
        SearchedFaceConfidence: 99.9,
        FaceMatches: matches,
        FaceModelVersion: '7.0',
      };
    },
  },
  'RekognitionService.DeleteFaces': {
    keyOf: (body) => body.CollectionId as string | undefined,
    respond(body, _key, context) {
      const faces = collectionOf(body, context);
      const ids = new Set((body.FaceIds as string[] | undefined) ?? []);
      const deleted = faces.filter((face) => ids.has(face.faceId)).map((face) => face.faceId);
      context.collections.set(
        String(body.CollectionId),
        faces.filter((face) => !ids.has(face.faceId)),
      );
      return { DeletedFaces: deleted, UnsuccessfulFaceDeletions: [] };
    },
  },
  'RekognitionService.DetectFaces': objectOperation(
    (body) => imageKey(body.Image as ImageReference | undefined),
    (response: DetectFacesResponse, body) =>
      facesForAttributes(response, (body.Attributes as string[] | undefined) ?? ['DEFAULT']),
  ),
  'RekognitionService.CreateFaceLivenessSession': {
    keyOf: () => undefined,
    respond(body, _key, { sessions, sessionsByToken }) {
      const token = body.ClientRequestToken as string | undefined;
      const existing = token === undefined ? undefined : sessionsByToken.get(token);
      if (existing) return { SessionId: existing };
      const settings = (body.Settings ?? {}) as {
        AuditImagesLimit?: number;
        OutputConfig?: LivenessSession['outputConfig'];
      };
      const sessionId = randomUUID();
      sessions.set(sessionId, {
        auditImagesLimit: settings.AuditImagesLimit ?? 0,
        ...(settings.OutputConfig ? { outputConfig: settings.OutputConfig } : {}),
      });
      if (token !== undefined) sessionsByToken.set(token, sessionId);
      return { SessionId: sessionId };
    },
  },
  'RekognitionService.GetFaceLivenessSessionResults': {
    keyOf: (body) => body.SessionId as string | undefined,
    respond(_body, sessionId, { programmed, sessions }) {
      if (sessionId === undefined) throw new ServiceExceptionAnswer({ exception: 'InvalidParameterException' });
      const session = sessions.get(sessionId);
      const result = programmed(sessionId) as LivenessResult | undefined;
      if (result) return livenessForSession(sessionId, result, session);
      // A session nobody has completed yet.
      if (session) return { SessionId: sessionId, Status: 'CREATED' };
      throw new ServiceExceptionAnswer({ exception: 'SessionNotFoundException' });
    },
  },
};

/**
 * Applies the session's settings: no more audit images than AuditImagesLimit, and with an OutputConfig the images are
 * uploaded to S3 and referenced instead of sent inline. (The S3 key layout below is this stand-in's, not verified
 * against AWS.)
 */
function livenessForSession(
  sessionId: string,
  result: LivenessResult,
  session: LivenessSession | undefined,
): GetFaceLivenessSessionResultsResponse {
  const auditImages = result.AuditImages?.slice(0, session?.auditImagesLimit ?? 0);
  const output = session?.outputConfig;
  if (!output) return { ...result, SessionId: sessionId, AuditImages: auditImages };
  const inBucket = (name: string) => ({
    Bucket: output.S3Bucket,
    Name: `${output.S3KeyPrefix ?? ''}${sessionId}/${name}`,
  });
  return {
    ...result,
    SessionId: sessionId,
    ...(result.ReferenceImage
      ? { ReferenceImage: { BoundingBox: result.ReferenceImage.BoundingBox, S3Object: inBucket('reference.jpg') } }
      : {}),
    AuditImages: auditImages?.map((image, index) => ({
      BoundingBox: image.BoundingBox,
      S3Object: inBucket(`audit_${index}.jpg`),
    })),
  };
}

export async function startAwsStandIn(): Promise<AwsStandIn> {
  const standIn = new AwsJsonStandIn();
  const server = await listenOnLoopback((request, response) => {
    standIn.handle(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const program =
    (target: string) =>
    (key: string, answer: unknown): void =>
      standIn.program(target, key, answer);
  return {
    endpoint: server.origin,
    textract: { analyzeId: program('Textract.AnalyzeID'), detectText: program('Textract.DetectDocumentText') },
    rekognition: {
      compareFaces: program('RekognitionService.CompareFaces'),
      detectFaces: program('RekognitionService.DetectFaces'),
      livenessResult: program('RekognitionService.GetFaceLivenessSessionResults'),
      faceOf: (imageKey, person) => standIn.faceOf(imageKey, person),
      collection: (collectionId) =>
        (standIn.collections.get(collectionId) ?? []).map(({ faceId, externalImageId }) => ({
          faceId,
          externalImageId,
        })),
    },
    failNext: (target, times, fault) => standIn.failNext(target, times, fault),
    setChaos: (settings) => standIn.setChaos(settings),
    calls: standIn.calls,
    callCount: (target, key) => standIn.callCount(target, key),
    close: async () => {
      standIn.stopTimers();
      await server.close();
    },
  };
}
