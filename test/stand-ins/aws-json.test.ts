import {
  CompareFacesCommand,
  CreateFaceLivenessSessionCommand,
  DetectFacesCommand,
  GetFaceLivenessSessionResultsCommand,
  RekognitionClient,
  type RekognitionClientConfig,
  InternalServerError as RekognitionInternalServerError,
  SessionNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import {
  AnalyzeIDCommand,
  DetectDocumentTextCommand,
  InternalServerError,
  InvalidS3ObjectException,
  ProvisionedThroughputExceededException,
  TextractClient,
  type TextractClientConfig,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsStandIn, imageBytesKey, startAwsStandIn } from './aws-json.ts';
import {
  analyzeIdFieldTypes,
  analyzeIdResponse,
  compareFacesResponse,
  detectDocumentTextResponse,
  detectFacesResponse,
  livenessResponse,
} from './aws-responses.ts';

const bucket = 'kyc-uploads';
const passportKey = 'applicants/a-1/passport.jpg';
const selfieKey = 'applicants/a-1/selfie.jpg';

let standIn: AwsStandIn;
beforeEach(async () => {
  standIn = await startAwsStandIn();
});
afterEach(async () => {
  await standIn.close();
});

function clientConfig(extra: { maxAttempts?: number } = {}): TextractClientConfig & RekognitionClientConfig {
  return {
    endpoint: standIn.endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...extra,
  };
}

const s3 = (name: string) => ({ S3Object: { Bucket: bucket, Name: name } });

/** The error a command rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the command to fail');
}

describe('Textract over AWS JSON 1.1', () => {
  it('answers AnalyzeID with every field type, normalised dates and the document text', async () => {
    standIn.textract.analyzeId(
      passportKey,
      analyzeIdResponse({
        FIRST_NAME: 'AMELIA',
        LAST_NAME: 'OKAFOR',
        DOCUMENT_NUMBER: '123456789',
        DATE_OF_BIRTH: '1988-04-12',
        EXPIRATION_DATE: '2031-09-30',
        DATE_OF_ISSUE: '01.10.2021',
        ID_TYPE: 'PASSPORT',
      }),
    );
    const textract = new TextractClient(clientConfig());

    const output = await textract.send(new AnalyzeIDCommand({ DocumentPages: [s3(passportKey)] }));

    expect(output.AnalyzeIDModelVersion).toBe('1.0');
    expect(output.DocumentMetadata?.Pages).toBe(1);
    const document = output.IdentityDocuments?.[0];
    const fields = new Map(document?.IdentityDocumentFields?.map((field) => [field.Type?.Text, field.ValueDetection]));
    expect([...fields.keys()]).toEqual([...analyzeIdFieldTypes]);
    expect(fields.get('FIRST_NAME')?.Text).toBe('AMELIA');
    expect(fields.get('MIDDLE_NAME')?.Text).toBe('');
    expect(fields.get('DATE_OF_BIRTH')).toMatchObject({
      Text: '12/04/1988',
      NormalizedValue: { Value: '1988-04-12T00:00:00', ValueType: 'Date' },
    });
    expect(fields.get('DATE_OF_ISSUE')).toMatchObject({ Text: '01.10.2021' });
    expect(fields.get('DATE_OF_ISSUE')?.NormalizedValue).toBeUndefined();
    expect(fields.get('LAST_NAME')?.Confidence).toBeGreaterThan(90);
    const lines = document?.Blocks?.filter((block) => block.BlockType === 'LINE').map((block) => block.Text);
    expect(lines).toContain('OKAFOR');
    expect(standIn.calls).toEqual([
      { target: 'Textract.AnalyzeID', key: passportKey, at: expect.any(Number), status: 200 },
    ]);
  });

  it('answers DetectDocumentText with PAGE, LINE and WORD blocks linked by CHILD relationships', async () => {
    standIn.textract.detectText(
      'licence.jpg',
      detectDocumentTextResponse(['DRIVING LICENCE', '1. OKAFOR', '2. AMELIA']),
    );
    const textract = new TextractClient(clientConfig());

    const output = await textract.send(new DetectDocumentTextCommand({ Document: s3('licence.jpg') }));

    expect(output.DetectDocumentTextModelVersion).toBe('1.0');
    const blocks = new Map(output.Blocks?.map((block) => [block.Id, block]));
    const page = output.Blocks?.find((block) => block.BlockType === 'PAGE');
    const lineIds = page?.Relationships?.[0]?.Ids ?? [];
    expect(lineIds.map((id) => blocks.get(id)?.Text)).toEqual(['DRIVING LICENCE', '1. OKAFOR', '2. AMELIA']);
    const firstLine = blocks.get(lineIds[0]);
    const words = firstLine?.Relationships?.[0]?.Ids?.map((id) => blocks.get(id));
    expect(words?.map((word) => [word?.BlockType, word?.Text, word?.TextType])).toEqual([
      ['WORD', 'DRIVING', 'PRINTED'],
      ['WORD', 'LICENCE', 'PRINTED'],
    ]);
    const box = firstLine?.Geometry?.BoundingBox;
    expect(box?.Left).toBeGreaterThanOrEqual(0);
    expect((box?.Left ?? 0) + (box?.Width ?? 0)).toBeLessThanOrEqual(1);
    expect(firstLine?.Geometry?.Polygon).toHaveLength(4);
  });

  it('answers an unprogrammed object as S3 does not have it: InvalidS3ObjectException', async () => {
    const textract = new TextractClient(clientConfig());

    const error = await rejection(textract.send(new DetectDocumentTextCommand({ Document: s3('missing.jpg') })));

    expect(error).toBeInstanceOf(InvalidS3ObjectException);
    expect(error.$fault).toBe('client');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(error.message).toMatch(/Unable to get object metadata from S3/);
  });

  it('answers a key programmed with an exception with that exception', async () => {
    standIn.textract.analyzeId(passportKey, { exception: 'UnsupportedDocumentException' });
    const textract = new TextractClient(clientConfig());

    const error = await rejection(textract.send(new AnalyzeIDCommand({ DocumentPages: [s3(passportKey)] })));

    expect(error).toBeInstanceOf(UnsupportedDocumentException);
  });
});

describe('Rekognition over AWS JSON 1.1', () => {
  it('reports a match at or above SimilarityThreshold and an unmatched face below it', async () => {
    standIn.rekognition.compareFaces(selfieKey, compareFacesResponse(96.5));
    standIn.rekognition.compareFaces('weak-selfie.jpg', compareFacesResponse(72));
    standIn.rekognition.compareFaces('stranger.jpg', compareFacesResponse(null));
    const rekognition = new RekognitionClient(clientConfig());
    const compare = (source: string, SimilarityThreshold?: number) =>
      rekognition.send(
        new CompareFacesCommand({ SourceImage: s3(source), TargetImage: s3(passportKey), SimilarityThreshold }),
      );

    const strong = await compare(selfieKey);
    expect(strong.FaceMatches?.[0]?.Similarity).toBe(96.5);
    expect(strong.FaceMatches?.[0]?.Face?.Landmarks).toHaveLength(5);
    expect(strong.SourceImageFace?.Confidence).toBeGreaterThan(99);
    expect(strong.UnmatchedFaces).toEqual([]);

    const weakAtDefaultThreshold = await compare('weak-selfie.jpg');
    expect(weakAtDefaultThreshold.FaceMatches).toEqual([]);
    expect(weakAtDefaultThreshold.UnmatchedFaces).toHaveLength(1);
    const weakWithoutThreshold = await compare('weak-selfie.jpg', 0);
    expect(weakWithoutThreshold.FaceMatches?.[0]?.Similarity).toBe(72);

    const stranger = await compare('stranger.jpg', 0);
    expect(stranger.FaceMatches).toEqual([]);
    expect(stranger.UnmatchedFaces?.[0]?.BoundingBox).toBeDefined();
  });

  it('answers DetectFaces with the DEFAULT attributes unless ALL is asked, and with no faces', async () => {
    standIn.rekognition.detectFaces(selfieKey, detectFacesResponse([{ sharpness: 12.5, brightness: 30 }]));
    standIn.rekognition.detectFaces('wall.jpg', detectFacesResponse([]));
    const rekognition = new RekognitionClient(clientConfig());

    const byDefault = await rekognition.send(new DetectFacesCommand({ Image: s3(selfieKey) }));
    const face = byDefault.FaceDetails?.[0];
    expect(face?.Quality).toEqual({ Sharpness: 12.5, Brightness: 30 });
    expect(face?.Landmarks).toHaveLength(5);
    expect(face?.AgeRange).toBeUndefined();

    const all = await rekognition.send(new DetectFacesCommand({ Image: s3(selfieKey), Attributes: ['ALL'] }));
    expect(all.FaceDetails?.[0]?.AgeRange).toEqual({ Low: 29, High: 37 });
    expect(all.FaceDetails?.[0]?.EyesOpen?.Value).toBe(true);
    expect(all.FaceDetails?.[0]?.Landmarks?.length).toBeGreaterThan(5);

    const empty = await rekognition.send(new DetectFacesCommand({ Image: s3('wall.jpg'), Attributes: ['DEFAULT'] }));
    expect(empty.FaceDetails).toEqual([]);
  });

  it('keys an image sent inline by the hash of its bytes', async () => {
    const selfieBytes = new TextEncoder().encode('not really a JPEG');
    standIn.rekognition.detectFaces(imageBytesKey(selfieBytes), detectFacesResponse([{}, {}]));
    const rekognition = new RekognitionClient(clientConfig());

    const output = await rekognition.send(new DetectFacesCommand({ Image: { Bytes: selfieBytes } }));

    expect(output.FaceDetails).toHaveLength(2);
    expect(standIn.calls[0]?.key).toBe(imageBytesKey(selfieBytes));
  });

  it('creates liveness sessions idempotently per ClientRequestToken and answers their results', async () => {
    const rekognition = new RekognitionClient(clientConfig());
    const create = (ClientRequestToken: string) =>
      rekognition.send(new CreateFaceLivenessSessionCommand({ ClientRequestToken, Settings: { AuditImagesLimit: 2 } }));

    const { SessionId: sessionId } = await create('attempt-1');
    expect(sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await create('attempt-1')).SessionId).toBe(sessionId);
    expect((await create('attempt-2')).SessionId).not.toBe(sessionId);

    const results = (SessionId = sessionId) =>
      rekognition.send(new GetFaceLivenessSessionResultsCommand({ SessionId }));
    expect(await results()).toMatchObject({ SessionId: sessionId, Status: 'CREATED' });

    standIn.rekognition.livenessResult(sessionId ?? '', livenessResponse('SUCCEEDED', 98.2));
    const completed = await results();
    expect(completed).toMatchObject({ SessionId: sessionId, Status: 'SUCCEEDED', Confidence: 98.2 });
    expect(completed.ReferenceImage?.Bytes).toBeInstanceOf(Uint8Array);
    expect([...(completed.ReferenceImage?.Bytes ?? []).slice(0, 2)]).toEqual([0xff, 0xd8]);
    expect(completed.AuditImages).toHaveLength(2);

    const unknown = await rejection(results('00000000-0000-4000-8000-000000000000'));
    expect(unknown).toBeInstanceOf(SessionNotFoundException);
  });

  it('references the liveness images in S3 when the session has an OutputConfig', async () => {
    const rekognition = new RekognitionClient(clientConfig());
    const { SessionId } = await rekognition.send(
      new CreateFaceLivenessSessionCommand({
        Settings: { OutputConfig: { S3Bucket: bucket, S3KeyPrefix: 'liveness/' } },
      }),
    );
    standIn.rekognition.livenessResult(SessionId ?? '', livenessResponse('SUCCEEDED', 64));

    const result = await rekognition.send(new GetFaceLivenessSessionResultsCommand({ SessionId }));

    expect(result.ReferenceImage?.S3Object).toEqual({ Bucket: bucket, Name: `liveness/${SessionId}/reference.jpg` });
    expect(result.ReferenceImage?.Bytes).toBeUndefined();
    expect(result.AuditImages).toEqual([]);
  });
});

describe('fault injection', () => {
  it('shows each queued fault to an SDK that does not retry, then answers normally', async () => {
    standIn.textract.analyzeId(passportKey, analyzeIdResponse({ FIRST_NAME: 'AMELIA' }));
    standIn.failNext('Textract.AnalyzeID', 1, 'throttle');
    standIn.failNext('Textract.AnalyzeID', 1, 'server-error');
    standIn.failNext('Textract.AnalyzeID', 1, { delayMs: 150 });
    const textract = new TextractClient(clientConfig({ maxAttempts: 1 }));
    const analyze = () => textract.send(new AnalyzeIDCommand({ DocumentPages: [s3(passportKey)] }));

    const throttled = await rejection(analyze());
    expect(throttled).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(throttled).toMatchObject({ name: 'ProvisionedThroughputExceededException', $fault: 'client' });
    expect(throttled.$retryable).toBeUndefined();
    expect(throttled.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });

    const failed = await rejection(analyze());
    expect(failed).toBeInstanceOf(InternalServerError);
    expect(failed).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });

    const startedAt = performance.now();
    const late = await analyze();
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
    expect(late.IdentityDocuments).toHaveLength(1);

    await analyze();
    expect(standIn.calls.map((call) => call.status)).toEqual([400, 500, 200, 200]);
  });

  it("answers Rekognition's ThrottlingException as the service does: HTTP 500, a server fault", async () => {
    standIn.rekognition.detectFaces(selfieKey, detectFacesResponse([{}]));
    standIn.failNext('RekognitionService.DetectFaces', 1, { exception: 'ThrottlingException' });
    standIn.failNext('RekognitionService.DetectFaces', 1, 'server-error');
    const rekognition = new RekognitionClient(clientConfig({ maxAttempts: 1 }));
    const detect = () => rekognition.send(new DetectFacesCommand({ Image: s3(selfieKey) }));

    const throttled = await rejection(detect());
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(throttled).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(throttled.$retryable).toBeUndefined();
    expect(await rejection(detect())).toBeInstanceOf(RekognitionInternalServerError);
    expect((await detect()).FaceDetails).toHaveLength(1);
  });

  it('lets an SDK with its default retries recover from one throttle', async () => {
    standIn.textract.analyzeId(passportKey, analyzeIdResponse({ LAST_NAME: 'OKAFOR' }));
    standIn.failNext('Textract.AnalyzeID', 1, 'throttle');
    const textract = new TextractClient(clientConfig());

    const output = await textract.send(new AnalyzeIDCommand({ DocumentPages: [s3(passportKey)] }));

    expect(output.$metadata.attempts).toBe(2);
    expect(standIn.callCount('Textract.AnalyzeID', passportKey)).toBe(2);
  });

  it('rejects a fault the service never answers with', () => {
    expect(() => standIn.failNext('Textract.AnalyzeID', 1, { exception: 'ImageTooLargeException' })).toThrow(
      /Textract does not throw ImageTooLargeException/,
    );
    expect(() => standIn.failNext('Textract.AnalyzeDocument', 1, 'throttle')).toThrow(/no operation/);
  });

  it('injects seeded, reproducible chaos', async () => {
    const outcomes = async (target: AwsStandIn): Promise<string[]> => {
      target.rekognition.detectFaces(selfieKey, detectFacesResponse([{}]));
      target.setChaos({ throttleRate: 0.3, serverErrorRate: 0.2, maxDelayMs: 5, seed: 7 });
      const rekognition = new RekognitionClient({ ...clientConfig({ maxAttempts: 1 }), endpoint: target.endpoint });
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) {
        seen.push(
          await rekognition.send(new DetectFacesCommand({ Image: s3(selfieKey) })).then(
            () => 'ok',
            (error: Error) => error.name,
          ),
        );
      }
      return seen;
    };
    const replay = await startAwsStandIn();
    try {
      const first = await outcomes(standIn);
      expect(await outcomes(replay)).toEqual(first);
      expect(new Set(first)).toEqual(new Set(['ok', 'ProvisionedThroughputExceededException', 'InternalServerError']));
    } finally {
      await replay.close();
    }
  });

  it('refuses a request without an Authorization header', async () => {
    const textract = new TextractClient(clientConfig({ maxAttempts: 1 }));
    textract.middlewareStack.add(
      (next) => async (args) => {
        delete (args.request as { headers: Record<string, string> }).headers.authorization;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low' },
    );

    const error = await rejection(textract.send(new DetectDocumentTextCommand({ Document: s3(passportKey) })));

    expect(error.name).toBe('MissingAuthenticationTokenException');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 403 });
  });
});
