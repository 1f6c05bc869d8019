/** Bad input at the HTTP doors: authentication, sign-up, uploads, status, CS review, the Apify webhook. */
import { crc32 } from 'node:zlib';
import { callbackToken } from '../../src/adapters/apify/callback-token.ts';
import { jpegImage, pngImage } from '../support/images.ts';
import { TOKEN } from '../support/kyc-harness.ts';
import type { BadInputCase, CorpusContext } from './corpus.ts';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const http = (status: number, code: string) => ({ kind: 'http' as const, status, code });

function form(parts: Array<[name: string, value: string | Uint8Array, fileName?: string]>) {
  const data = new FormData();
  for (const [name, value, fileName] of parts) {
    if (typeof value === 'string') data.append(name, value);
    else data.append(name, new Blob([value]), fileName ?? `${name}.jpg`);
  }
  return { method: 'POST', body: data };
}

/** A PNG whose IHDR claims other dimensions, with a correct CRC, so only the pixel limit can refuse it. */
function pngClaiming(width: number, height: number): Uint8Array {
  const png = Uint8Array.from(pngImage());
  const view = new DataView(png.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(png.subarray(12, 29)));
  return png;
}

/** A baseline JPEG whose SOF0 segment claims other dimensions. */
function jpegClaiming(width: number, height: number): Uint8Array {
  const jpeg = Uint8Array.from(jpegImage());
  for (let i = 2; i < jpeg.length - 9; i += 1) {
    if (jpeg[i] === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2)) {
      const view = new DataView(jpeg.buffer);
      view.setUint16(i + 5, height);
      view.setUint16(i + 7, width);
      return jpeg;
    }
  }
  throw new Error('no SOF segment');
}

function pngWithBrokenCrc(): Uint8Array {
  const png = Uint8Array.from(pngImage());
  png[png.length - 20] = (png[png.length - 20] ?? 0) ^ 0xff;
  return png;
}

const usersOf = (context: CorpusContext) => `/users/${context.decidedUserId}/documents`;
const passportParts = (image: Uint8Array): Array<[string, string | Uint8Array]> => [
  ['doc_type', 'passport'],
  ['id_document', image],
];

const upload = (
  name: string,
  parts: (context: CorpusContext) => Array<[string, string | Uint8Array, string?]>,
  status: number,
  code: string,
  path: (context: CorpusContext) => string = usersOf,
): BadInputCase => ({
  door: 'POST /users/:id/documents',
  name,
  expect: http(status, code),
  run: (context) => context.request(path(context), form(parts(context))),
});

const signUp = (name: string, body: unknown, status: number, code: string): BadInputCase => ({
  door: 'POST /users',
  name,
  expect: http(status, code),
  run: (context) => context.request('/users', json(body)),
});

const goodUser = { email: 'new.doctor@example.com', reg_type: 'GMC', reg_no: '7000001' };

function apifyPayload(userId: number, cycleId: string) {
  return {
    userId: 'apify-user',
    createdAt: new Date().toISOString(),
    eventType: 'ACTOR.RUN.SUCCEEDED',
    eventData: { actorId: 'kyc~gmc-register', actorRunId: 'run-1' },
    resource: { id: 'run-1', status: 'SUCCEEDED', defaultDatasetId: 'dataset-1' },
    kyc: { userId, cycleId },
  };
}

const CYCLE = '4d8f1b8e-1f7a-4c55-9b3c-2f0e6f1a7c10';
const webhook = (
  name: string,
  headers: (context: CorpusContext) => Record<string, string>,
  body: (context: CorpusContext) => unknown,
  status: number,
  code: string,
): BadInputCase => ({
  door: 'POST /webhooks/apify',
  name,
  expect: http(status, code),
  run: (context) =>
    context.request('/webhooks/apify', {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/json', ...headers(context) },
      body: JSON.stringify(body(context)),
    }),
});

const tokenFor = (context: CorpusContext) => ({
  'x-kyc-callback-token': callbackToken(context.h.config.KYC_WEBHOOK_SECRET, context.decidedUserId, CYCLE),
});

export const httpCases: BadInputCase[] = [
  // Authentication and roles
  {
    door: 'POST /users',
    name: 'no bearer token',
    expect: http(401, 'UNAUTHENTICATED'),
    run: (c) => c.request('/users', { ...json(goodUser), token: null }),
  },
  {
    door: 'POST /users',
    name: 'an unknown token',
    expect: http(401, 'UNAUTHENTICATED'),
    run: (c) => c.request('/users', { ...json(goodUser), token: 'not-a-real-token-at-all' }),
  },
  {
    door: 'POST /users',
    name: 'the intake token with its last byte changed',
    expect: http(401, 'UNAUTHENTICATED'),
    run: (c) => c.request('/users', { ...json(goodUser), token: `${TOKEN.intake.slice(0, -1)}X` }),
  },
  {
    door: 'POST /users',
    name: 'a CS token (wrong role)',
    expect: http(403, 'FORBIDDEN'),
    run: (c) => c.request('/users', { ...json(goodUser), token: TOKEN.cs }),
  },
  {
    door: 'POST /users',
    name: 'a Basic authorization header',
    expect: http(401, 'UNAUTHENTICATED'),
    run: (c) =>
      c.request('/users', {
        ...json(goodUser),
        token: null,
        headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
      }),
  },
  {
    door: 'GET /cs/cases',
    name: 'an intake token (wrong role)',
    expect: http(403, 'FORBIDDEN'),
    run: (c) => c.request('/cs/cases', { token: TOKEN.intake }),
  },
  {
    door: 'GET /cs/cases',
    name: 'the CS token with its last byte changed',
    expect: http(401, 'UNAUTHENTICATED'),
    run: (c) => c.request('/cs/cases', { token: `${TOKEN.cs.slice(0, -1)}X` }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'no token',
    expect: http(401, 'UNAUTHENTICATED'),
    run: (c) => c.request(`/cs/cases/${c.reviewUserId}/decision`, { ...json({ decision: 'PASS' }), token: null }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'an ops token (wrong role)',
    expect: http(403, 'FORBIDDEN'),
    run: (c) =>
      c.request(`/cs/cases/${c.reviewUserId}/decision`, {
        ...json({ decision: 'PASS' }),
        token: TOKEN.ops,
      }),
  },
  {
    door: 'GET /users/:id/kyc',
    name: 'no token',
    expect: http(401, 'UNAUTHENTICATED'),
    run: (c) => c.request(`/users/${c.decidedUserId}/kyc`, { token: null }),
  },
  // Sign-up bodies
  signUp('a body that is not JSON', '{"email": "x@example.com",', 400, 'INVALID_JSON'),
  signUp('an empty JSON body', '', 400, 'INVALID_JSON'),
  signUp('a JSON array', [goodUser], 400, 'INVALID_BODY'),
  signUp('no email', { reg_type: 'GMC', reg_no: '7000002' }, 400, 'INVALID_BODY'),
  signUp('an email without a domain', { ...goodUser, email: 'doctor@' }, 400, 'INVALID_BODY'),
  signUp('an email of 300 characters', { ...goodUser, email: `${'a'.repeat(290)}@example.com` }, 400, 'INVALID_BODY'),
  signUp('a register the service does not know', { ...goodUser, reg_type: 'HCPC' }, 400, 'INVALID_BODY'),
  signUp('a lower-case register name', { ...goodUser, reg_type: 'gmc' }, 400, 'INVALID_BODY'),
  signUp('a GMC number of five digits', { ...goodUser, reg_no: '12345' }, 422, 'BAD_REG_NO'),
  signUp('a GMC number with letters', { ...goodUser, reg_no: '61A3219' }, 422, 'BAD_REG_NO'),
  signUp('an NMC PIN in the wrong shape', { ...goodUser, reg_type: 'NMC', reg_no: 'A1234567' }, 422, 'BAD_REG_NO'),
  signUp('a GPhC number starting with 9', { ...goodUser, reg_type: 'GPC', reg_no: '9012345' }, 422, 'BAD_REG_NO'),
  signUp('a registration number as a JSON number', { ...goodUser, reg_no: 7000003 }, 400, 'INVALID_BODY'),
  signUp('a registration number with control characters', { ...goodUser, reg_no: '700\u0000003' }, 422, 'BAD_REG_NO'),
  signUp(
    'a registration number with a right-to-left mark',
    { ...goodUser, reg_no: '\u202e7000004' },
    422,
    'BAD_REG_NO',
  ),
  signUp('an unexpected extra field', { ...goodUser, status: 'VERIFIED' }, 400, 'INVALID_BODY'),
  signUp(
    'a prototype-polluting key',
    '{"email":"p@example.com","reg_type":"GMC","reg_no":"7000005","__proto__":{"admin":true}}',
    400,
    'INVALID_JSON',
  ),
  {
    door: 'POST /users',
    name: 'a body over 256 KiB',
    expect: http(413, 'BODY_TOO_LARGE'),
    run: (c) => c.request('/users', json({ ...goodUser, padding: 'x'.repeat(300 * 1024) })),
  },
  {
    door: 'POST /users',
    name: 'a form-encoded body',
    expect: http(415, 'UNSUPPORTED_MEDIA_TYPE'),
    run: (c) =>
      c.request('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=a%40b.com',
      }),
  },
  // Uploads
  upload(
    'a non-numeric user id',
    () => passportParts(jpegImage()),
    400,
    'BAD_USER_ID',
    () => '/users/42abc/documents',
  ),
  upload(
    'an unknown user',
    () => passportParts(jpegImage()),
    404,
    'UNKNOWN_USER',
    () => '/users/999999/documents',
  ),
  {
    door: 'POST /users/:id/documents',
    name: 'a JSON body instead of multipart',
    expect: http(415, 'NOT_MULTIPART'),
    run: (c) => c.request(usersOf(c), json({ doc_type: 'passport' })),
  },
  {
    door: 'POST /users/:id/documents',
    name: 'a multipart body cut short in the middle of a file',
    expect: http(400, 'MALFORMED_MULTIPART'),
    run: (c) => {
      const boundary = 'kyc-test-boundary';
      const head = `--${boundary}\r\ncontent-disposition: form-data; name="doc_type"\r\n\r\npassport\r\n--${boundary}\r\ncontent-disposition: form-data; name="id_document"; filename="p.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`;
      const jpeg = jpegImage();
      return c.request(usersOf(c), {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Buffer.concat([Buffer.from(head), Buffer.from(jpeg.subarray(0, jpeg.length >> 1))]),
      });
    },
  },
  {
    door: 'POST /users/:id/documents',
    name: 'a multipart content type without a boundary',
    expect: http(400, 'MALFORMED_MULTIPART'),
    run: (c) =>
      c.request(usersOf(c), {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data' },
        body: '--x\r\ncontent-disposition: form-data; name="doc_type"\r\n\r\npassport\r\n--x--\r\n',
      }),
  },
  upload('no files at all', () => [['doc_type', 'passport']], 400, 'NO_FILES'),
  upload('an ID document without doc_type', () => [['id_document', jpegImage()]], 422, 'MISSING_DOC_TYPE'),
  upload(
    'a doc_type the service does not read',
    () => [
      ['doc_type', 'birth_certificate'],
      ['id_document', jpegImage()],
    ],
    400,
    'INVALID_BODY',
  ),
  upload(
    'a liveness session id that is not a UUID',
    () => [
      ['liveness_session_id', 'abc'],
      ['selfie', jpegImage()],
    ],
    400,
    'INVALID_BODY',
  ),
  upload(
    'a liveness session this service never created',
    () => [
      ['liveness_session_id', '5d1c0f3e-2b7a-4c61-9e0d-8f4a3b2c1d0e'],
      ['selfie', jpegImage()],
    ],
    422,
    'LIVENESS_SESSION_UNKNOWN',
  ),
  upload('an unexpected file part', () => [['passport_scan', jpegImage()]], 400, 'UNKNOWN_PART'),
  upload(
    'the selfie sent twice',
    () => [
      ['selfie', jpegImage()],
      ['selfie', jpegImage()],
    ],
    400,
    'DUPLICATE_PART',
  ),
  upload('a zero-byte file', () => passportParts(new Uint8Array()), 422, 'EMPTY_FILE'),
  upload('a truncated JPEG', () => passportParts(jpegImage().subarray(0, 300)), 422, 'TRUNCATED_IMAGE'),
  upload('a truncated PNG', () => passportParts(pngImage().subarray(0, 60)), 422, 'TRUNCATED_IMAGE'),
  upload('a PNG with a wrong CRC', () => passportParts(pngWithBrokenCrc()), 422, 'CORRUPT_IMAGE'),
  upload(
    'a PNG header claiming 30000 × 30000 pixels',
    () => passportParts(pngClaiming(30_000, 30_000)),
    422,
    'IMAGE_TOO_LARGE',
  ),
  upload(
    'a JPEG header claiming 30000 × 30000 pixels (decompression bomb)',
    () => passportParts(jpegClaiming(30_000, 30_000)),
    422,
    'IMAGE_TOO_LARGE',
  ),
  upload(
    'a PDF renamed .jpg',
    () => passportParts(new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF')),
    422,
    'UNSUPPORTED_FILE_TYPE',
  ),
  upload(
    'an HTML page renamed .jpg',
    () => passportParts(new TextEncoder().encode('<!doctype html><html><script>alert(1)</script></html>')),
    422,
    'UNSUPPORTED_FILE_TYPE',
  ),
  upload(
    'a GIF',
    () => passportParts(Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0, 0x3b])),
    422,
    'UNSUPPORTED_FILE_TYPE',
  ),
  upload(
    'a file over the size limit',
    (c) => passportParts(new Uint8Array(c.h.config.KYC_UPLOAD_MAX_BYTES + 1024).fill(0xff)),
    413,
    'FILE_TOO_LARGE',
  ),
  upload(
    'three files',
    () => [
      ['doc_type', 'passport'],
      ['id_document', jpegImage()],
      ['selfie', jpegImage()],
      ['selfie2', jpegImage()],
    ],
    413,
    'TOO_MANY_FILES',
  ),
  // Status and CS
  {
    door: 'GET /users/:id/kyc',
    name: 'a negative user id',
    expect: http(400, 'BAD_USER_ID'),
    run: (c) => c.request('/users/-4/kyc'),
  },
  {
    door: 'GET /users/:id/kyc',
    name: 'an unknown user',
    expect: http(404, 'UNKNOWN_USER'),
    run: (c) => c.request('/users/424242424/kyc'),
  },
  ...['live=banana', 'live=1', 'live=TRUE', 'live=', 'live=true&live=false', 'fresh=true'].map((query) => ({
    door: 'GET /users/:id/kyc',
    name: `the query string ${query}`,
    expect: http(400, 'BAD_QUERY'),
    run: (c: CorpusContext) => c.request(`/users/${c.decidedUserId}/kyc?${query}`),
  })),
  {
    door: 'GET /users/:id/kyc',
    name: 'an unknown user, asked live',
    expect: http(404, 'UNKNOWN_USER'),
    run: (c) => c.request('/users/424242424/kyc?live=true'),
  },
  {
    door: 'GET /cs/cases',
    name: 'a status that does not exist',
    expect: http(400, 'INVALID_BODY'),
    run: (c) => c.request('/cs/cases?status=APPROVED', { token: TOKEN.cs }),
  },
  {
    door: 'GET /cs/cases',
    name: 'a limit of a million',
    expect: http(400, 'INVALID_BODY'),
    run: (c) => c.request('/cs/cases?limit=1000000', { token: TOKEN.cs }),
  },
  {
    door: 'POST /users/:id/documents',
    name: 'an Idempotency-Key of 300 characters',
    expect: http(400, 'BAD_IDEMPOTENCY_KEY'),
    run: (c) =>
      c.request(usersOf(c), { ...form(passportParts(jpegImage())), headers: { 'idempotency-key': 'k'.repeat(300) } }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'an Idempotency-Key with slashes, which would end up in an update id',
    expect: http(400, 'BAD_IDEMPOTENCY_KEY'),
    run: (c) =>
      c.request(`/cs/cases/${c.reviewUserId}/decision`, {
        ...json({ decision: 'PASS' }),
        headers: { 'content-type': 'application/json', 'idempotency-key': '../../other-case' },
        token: TOKEN.cs,
      }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'a reviewer named in the body (the reviewer is the signed-in person)',
    expect: http(400, 'INVALID_BODY'),
    run: (c) =>
      c.request(`/cs/cases/${c.reviewUserId}/decision`, {
        ...json({ decision: 'PASS', reviewer: 'someone-else' }),
        token: TOKEN.cs,
      }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'a field the decision does not have',
    expect: http(400, 'INVALID_BODY'),
    run: (c) =>
      c.request(`/cs/cases/${c.reviewUserId}/decision`, {
        ...json({ decision: 'PASS', approvedBy: 'cs-x' }),
        token: TOKEN.cs,
      }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'a decision of MANUAL_REVIEW',
    expect: http(400, 'INVALID_BODY'),
    run: (c) =>
      c.request(`/cs/cases/${c.reviewUserId}/decision`, {
        ...json({ decision: 'MANUAL_REVIEW' }),
        token: TOKEN.cs,
      }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'a note of 10,000 characters',
    expect: http(400, 'INVALID_BODY'),
    run: (c) =>
      c.request(`/cs/cases/${c.reviewUserId}/decision`, {
        ...json({ decision: 'PASS', note: 'n'.repeat(10_000) }),
        token: TOKEN.cs,
      }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'a review of a case already decided',
    expect: http(409, 'REVIEW_REFUSED'),
    run: (c) =>
      c.request(`/cs/cases/${c.decidedUserId}/decision`, {
        ...json({ decision: 'FAIL' }),
        token: TOKEN.cs,
      }),
  },
  {
    door: 'POST /cs/cases/:id/decision',
    name: 'a decision on a case that does not exist',
    expect: http(404, 'UNKNOWN_USER'),
    run: (c) => c.request('/cs/cases/999999999/decision', { ...json({ decision: 'PASS' }), token: TOKEN.cs }),
  },
  ...(
    [
      ['garbage where the ciphertext should be', 'local-1', Buffer.from('not an AES-GCM ciphertext, just bytes')],
      ['a ciphertext shorter than its IV and tag', 'local-1', Buffer.alloc(8)],
      ['a key id the service never had', 'key-from-elsewhere', Buffer.alloc(64, 7)],
    ] as const
  ).map(
    ([name, keyId, data]): BadInputCase => ({
      door: 'POST /codec/decode',
      name: `an "encrypted" payload with ${name}`,
      expect: http(422, 'UNDECODABLE_PAYLOAD'),
      run: (c) =>
        c.request('/codec/decode', {
          ...json({
            payloads: [
              {
                metadata: {
                  encoding: Buffer.from('binary/encrypted').toString('base64'),
                  'encryption-key-id': Buffer.from(keyId).toString('base64'),
                },
                data: data.toString('base64'),
              },
            ],
          }),
          token: TOKEN.ops,
        }),
    }),
  ),
  // The Apify webhook
  webhook(
    'no callback token',
    () => ({}),
    (c) => apifyPayload(c.decidedUserId, CYCLE),
    401,
    'MISSING_CALLBACK_TOKEN',
  ),
  webhook(
    'a forged callback token',
    () => ({ 'x-kyc-callback-token': 'forged-token-value' }),
    (c) => apifyPayload(c.decidedUserId, CYCLE),
    401,
    'BAD_CALLBACK_TOKEN',
  ),
  webhook(
    'a token for another user',
    (c) => ({ 'x-kyc-callback-token': callbackToken(c.h.config.KYC_WEBHOOK_SECRET, c.reviewUserId, CYCLE) }),
    (c) => apifyPayload(c.decidedUserId, CYCLE),
    401,
    'BAD_CALLBACK_TOKEN',
  ),
  webhook(
    'a token for another cycle',
    tokenFor,
    (c) => apifyPayload(c.decidedUserId, '11111111-2222-4333-8444-555555555555'),
    401,
    'BAD_CALLBACK_TOKEN',
  ),
  webhook(
    'a token signed with another secret',
    (c) => ({ 'x-kyc-callback-token': callbackToken('some-other-secret-0123456789', c.decidedUserId, CYCLE) }),
    (c) => apifyPayload(c.decidedUserId, CYCLE),
    401,
    'BAD_CALLBACK_TOKEN',
  ),
  webhook(
    'a token issued three days ago, replayed with a fresh createdAt',
    (c) => ({
      'x-kyc-callback-token': callbackToken(
        c.h.config.KYC_WEBHOOK_SECRET,
        c.decidedUserId,
        CYCLE,
        new Date(Date.now() - 3 * 86_400_000),
      ),
    }),
    (c) => apifyPayload(c.decidedUserId, CYCLE),
    400,
    'STALE_WEBHOOK',
  ),
  webhook(
    'an event type Apify does not send',
    tokenFor,
    (c) => ({ ...apifyPayload(c.decidedUserId, CYCLE), eventType: 'ACTOR.BUILD.SUCCEEDED' }),
    400,
    'INVALID_BODY',
  ),
  webhook(
    'no kyc tag',
    tokenFor,
    (c) => ({ ...apifyPayload(c.decidedUserId, CYCLE), kyc: undefined }),
    400,
    'INVALID_BODY',
  ),
  webhook(
    'a cycle id that is not a UUID',
    tokenFor,
    (c) => ({ ...apifyPayload(c.decidedUserId, CYCLE), kyc: { userId: c.decidedUserId, cycleId: 'x' } }),
    400,
    'INVALID_BODY',
  ),
  webhook(
    'a run id of 10,000 characters',
    tokenFor,
    (c) => ({ ...apifyPayload(c.decidedUserId, CYCLE), eventData: { actorId: 'a', actorRunId: 'r'.repeat(10_000) } }),
    400,
    'INVALID_BODY',
  ),
];
