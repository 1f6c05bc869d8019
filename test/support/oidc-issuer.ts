/**
 * A test OIDC issuer: its own signing keys, a JWKS served over HTTP by the test itself, and access tokens minted
 * for named people. Tokens are signed here with node:crypto, independently of the jose library that verifies them.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
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
} satisfies Record<string, TestPerson>;

export const personToken = (person: TestPerson, overrides?: Record<string, unknown>) =>
  mintToken(personClaims(person, overrides));

export interface TestOidcIssuer {
  jwksUrl: string;
  /** The KYC_OIDC_* settings that trust this issuer. */
  settings: Record<string, string>;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  close(): Promise<void>;
}

export async function startTestOidcIssuer(): Promise<TestOidcIssuer> {
  const jwk = { ...issuerKeys.publicKey.export({ format: 'jwk' }), kid: KEY_ID, alg: 'ES256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/jwks') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  return {
    jwksUrl,
    settings: { KYC_OIDC_ISSUER: TEST_OIDC_ISSUER, KYC_OIDC_AUDIENCE: TEST_OIDC_AUDIENCE, KYC_OIDC_JWKS_URL: jwksUrl },
    jwksFetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A KYC_SERVICE_TOKENS entry for a token. */
export const serviceTokenEntry = (name: string, role: string, token: string) =>
  `${name}:${role}:${createHash('sha256').update(token).digest('hex')}`;
