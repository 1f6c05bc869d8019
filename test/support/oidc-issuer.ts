/**
 * A test OIDC issuer: its own signing keys, a JWKS served over HTTP by the test itself, and access tokens minted
 * for named people. Tokens are signed here with node:crypto, independently of the jose library that verifies them.
 * For the CS console's sign-in it also serves a discovery document, an /authorize endpoint that approves at once the
 * person named by `login_hint`, and a /token endpoint that checks the client's credentials, the redirect URI, the
 * PKCE verifier and that each code is used once.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TEST_OIDC_ISSUER = 'https://idp.kyc.test/realms/staff';
export const TEST_OIDC_AUDIENCE = 'kyc-api';
const KEY_ID = 'test-signing-key-1';

const issuerKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** A key the issuer never published: tokens signed with it must be refused. */
export const strangerKey: KeyObject = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export interface MintOptions {
  key?: KeyObject | null;
  kid?: string;
  alg?: string;
}

/**
 * A signed JWT. ES256's last base64url character carries 4 padding bits that decoders ignore, so tests that spoil a
 * token by changing its last character would sometimes spoil nothing: signatures are redrawn (ECDSA is randomised)
 * until the last character is 'A', which any other character changes.
 */
export function mintToken(claims: Record<string, unknown>, options: MintOptions = {}): string {
  const alg = options.alg ?? (options.key === null ? 'none' : 'ES256');
  const header = b64url(JSON.stringify({ alg, typ: 'JWT', kid: options.kid ?? KEY_ID }));
  const body = b64url(JSON.stringify(claims));
  if (options.key === null) return `${header}.${body}.`;
  const key = options.key ?? issuerKeys.privateKey;
  for (;;) {
    const signature = b64url(sign('sha256', Buffer.from(`${header}.${body}`), { key, dsaEncoding: 'ieee-p1363' }));
    if (signature.endsWith('A')) return `${header}.${body}.${signature}`;
  }
}

const now = () => Math.floor(Date.now() / 1000);

/** Standard claims for a person, valid for a day; `overrides` change or remove (undefined) any of them. */
export function personClaims(person: TestPerson, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: TEST_OIDC_ISSUER,
    aud: TEST_OIDC_AUDIENCE,
    sub: person.subject,
    name: person.name,
    roles: person.roles,
    iat: now(),
    exp: now() + 86_400,
    ...overrides,
  };
}

export interface TestPerson {
  subject: string;
  name: string;
  roles: string[];
}

/** The people the tests act as, each with their own identity. */
export const PEOPLE = {
  csErin: { subject: 'cs-erin', name: 'Erin Case (CS)', roles: ['cs'] },
  csFrank: { subject: 'cs-frank', name: 'Frank Doyle (CS)', roles: ['cs'] },
  csLead: { subject: 'cs-lead-lena', name: 'Lena Ward (CS lead)', roles: ['cs-lead'] },
  opsOlly: { subject: 'ops-olly', name: 'Olly Park (ops)', roles: ['ops'] },
  /** Staff with no role this service knows. */
  staffNed: { subject: 'staff-ned', name: 'Ned Hart (finance)', roles: ['finance'] },
} satisfies Record<string, TestPerson>;

/** The CS console's client at this issuer. */
export const CONSOLE_CLIENT = { id: 'kyc-console', secret: 'console-client-secret-for-tests-0123456789' };

/** How the next ID token the /token endpoint issues is spoiled. */
export type IdTokenSpoiler = 'signature' | 'nonce' | 'shared-audience';

export const personToken = (person: TestPerson, overrides?: Record<string, unknown>) =>
  mintToken(personClaims(person, overrides));

export interface TestOidcIssuer {
  /** Where this issuer is served (its `iss` is TEST_OIDC_ISSUER, as for a provider behind its own domain). */
  baseUrl: string;
  jwksUrl: string;
  /** The KYC_OIDC_* settings that trust this issuer. */
  settings: Record<string, string>;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  spoilNextIdToken(how: IdTokenSpoiler): void;
  close(): Promise<void>;
}

interface IssuedCode {
  person: TestPerson;
  redirectUri: string;
  codeChallenge: string;
  nonce: string;
  used: boolean;
}

const json = (response: ServerResponse, status: number, body: unknown) =>
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));

async function formBody(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startTestOidcIssuer(): Promise<TestOidcIssuer> {
  const jwk = { ...issuerKeys.publicKey.export({ format: 'jwk' }), kid: KEY_ID, alg: 'ES256', use: 'sig' };
  let fetches = 0;
  let spoiler: IdTokenSpoiler | undefined;
  const codes = new Map<string, IssuedCode>();
  let baseUrl = '';

  function authorize(url: URL, response: ServerResponse) {
    const query = url.searchParams;
    const redirectUri = query.get('redirect_uri') ?? '';
    const state = query.get('state');
    const nonce = query.get('nonce');
    const codeChallenge = query.get('code_challenge');
    if (
      query.get('client_id') !== CONSOLE_CLIENT.id ||
      !/^http:\/\/127\.0\.0\.1:\d+\//.test(redirectUri) ||
      query.get('response_type') !== 'code' ||
      !query.get('scope')?.split(' ').includes('openid') ||
      query.get('code_challenge_method') !== 'S256' ||
      !state ||
      !nonce ||
      !codeChallenge
    ) {
      json(response, 400, { error: 'invalid_request' });
      return;
    }
    const back = new URL(redirectUri);
    const person = Object.values(PEOPLE).find((someone) => someone.subject === query.get('login_hint'));
    if (person) {
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { person, redirectUri, codeChallenge, nonce, used: false });
      back.searchParams.set('code', code);
    } else {
      back.searchParams.set('error', 'access_denied');
    }
    back.searchParams.set('state', state);
    response.writeHead(302, { location: back.toString() }).end();
  }

  async function token(request: IncomingMessage, response: ServerResponse) {
    const form = await formBody(request);
    const expected = `Basic ${Buffer.from(`${CONSOLE_CLIENT.id}:${CONSOLE_CLIENT.secret}`).toString('base64')}`;
    if (request.headers.authorization !== expected) return json(response, 401, { error: 'invalid_client' });
    const issued = codes.get(form.get('code') ?? '');
    if (form.get('grant_type') !== 'authorization_code' || !issued || issued.used) {
      return json(response, 400, { error: 'invalid_grant' });
    }
    issued.used = true;
    const challenge = createHash('sha256')
      .update(form.get('code_verifier') ?? '')
      .digest('base64url');
    if (form.get('redirect_uri') !== issued.redirectUri || challenge !== issued.codeChallenge) {
      return json(response, 400, { error: 'invalid_grant' });
    }
    const claims = personClaims(issued.person, {
      aud: spoiler === 'shared-audience' ? [CONSOLE_CLIENT.id, 'another-client'] : CONSOLE_CLIENT.id,
      nonce: spoiler === 'nonce' ? 'a-nonce-from-another-sign-in' : issued.nonce,
      exp: now() + 300,
    });
    const idToken = mintToken(claims, spoiler === 'signature' ? { key: strangerKey } : {});
    spoiler = undefined;
    return json(response, 200, {
      access_token: personToken(issued.person),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
  }

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', baseUrl);
    if (url.pathname === '/jwks') {
      fetches += 1;
      return json(response, 200, { keys: [jwk] });
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(response, 200, {
        issuer: TEST_OIDC_ISSUER,
        authorization_endpoint: `${baseUrl}/authorize`,
        token_endpoint: `${baseUrl}/token`,
        jwks_uri: `${baseUrl}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        id_token_signing_alg_values_supported: ['ES256'],
      });
    }
    if (url.pathname === '/authorize' && request.method === 'GET') return authorize(url, response);
    if (url.pathname === '/token' && request.method === 'POST') return void token(request, response);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksUrl = `${baseUrl}/jwks`;
  return {
    baseUrl,
    jwksUrl,
    settings: { KYC_OIDC_ISSUER: TEST_OIDC_ISSUER, KYC_OIDC_AUDIENCE: TEST_OIDC_AUDIENCE, KYC_OIDC_JWKS_URL: jwksUrl },
    jwksFetches: () => fetches,
    spoilNextIdToken: (how) => {
      spoiler = how;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A KYC_SERVICE_TOKENS entry for a token. */
export const serviceTokenEntry = (name: string, role: string, token: string) =>
  `${name}:${role}:${createHash('sha256').update(token).digest('hex')}`;
