import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { deploymentPlaceholder } from '../src/contract/deployment-placeholders.ts';

describe('loadConfig', () => {
  it('gives local defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.KYC_TASK_QUEUE).toBe('kyc');
    expect(config.KYC_REGISTER_WEBHOOK_TIMEOUT).toBe(30 * 60 * 1000);
    expect(config.KYC_POLICY_VERSION).toBe('v1');
    expect(config.KYC_WORKER_MAX_CACHED_WORKFLOWS).toBe(50);
  });

  it('reads durations and numbers', () => {
    const config = loadConfig({
      KYC_CS_REMINDER_AFTER: '2h',
      DATABASE_POOL_SIZE: '4',
      KYC_WORKER_MAX_CACHED_WORKFLOWS: '2000',
    });
    expect(config.KYC_CS_REMINDER_AFTER).toBe(7_200_000);
    expect(config.DATABASE_POOL_SIZE).toBe(4);
    expect(config.KYC_WORKER_MAX_CACHED_WORKFLOWS).toBe(2000);
  });

  it.each([
    ['DATABASE_URL', 'not a url'],
    ['KYC_FACE_PASS_THRESHOLD', '0.9'],
    ['KYC_POLICY_VERSION', 'v99'],
    ['KYC_POLICY_VERSION', '../v1'],
    ['KYC_DOCUMENTS_TIMEOUT', 'fortnight'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_POOL_SIZE', '0'],
    ['KYC_WORKER_MAX_CACHED_WORKFLOWS', '1'],
  ])('fails fast naming %s when it is %j', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrowError(
      new RegExp(`^Invalid configuration:\\n  ${variable}:`),
    );
  });
});

const api = {
  DATABASE_URL: 'postgres://kyc:secret@db.internal:5432/kyc',
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  KYC_WEBHOOK_SECRET: 'w'.repeat(40),
  KYC_PAYLOAD_KEYS: `key-2026a:${Buffer.alloc(32, 7).toString('base64')}`,
  KYC_PAYLOAD_KEY_ID: 'key-2026a',
  KYC_IDENTITY_HASH_KEY: 'i'.repeat(40),
  KYC_SERVICE_TOKENS: `product-backend:intake:${'a'.repeat(64)}`,
  KYC_OIDC_ISSUER: 'https://idp.example.org/realms/staff',
  KYC_OIDC_AUDIENCE: 'kyc-api',
  KYC_OIDC_JWKS_URL: 'https://idp.example.org/realms/staff/protocol/openid-connect/certs',
};

describe("the AWS stacks' secret placeholders", () => {
  it('refuse to start every entry point while a setting still holds one, though it would pass for a secret', () => {
    const placeholder = deploymentPlaceholder('KYC_WEBHOOK_SECRET');
    expect(placeholder.length).toBeGreaterThan(32);
    expect(() => loadConfig({ ...api, KYC_WEBHOOK_SECRET: placeholder }, 'api')).toThrowError(
      /KYC_WEBHOOK_SECRET: still the AWS stack's placeholder/,
    );
    expect(() => loadConfig({ KYC_OIDC_CLIENT_SECRET: deploymentPlaceholder('KYC_OIDC_CLIENT_SECRET') })).toThrowError(
      /KYC_OIDC_CLIENT_SECRET: still the AWS stack's placeholder/,
    );
    expect(loadConfig({ ...api, KYC_WEBHOOK_SECRET: `${placeholder} (done)` }, 'api').KYC_WEBHOOK_SECRET).toBeDefined();
  });
});

describe('KYC_CONSOLE_SESSION_SECRET', () => {
  it('has a local default only for npm start on loopback; elsewhere the console stays closed without one', () => {
    expect(loadConfig({}).consoleSessionSecret).toEqual(expect.any(String));
    expect(loadConfig(api, 'api').consoleSessionSecret).toBeUndefined();
    expect(loadConfig({ ...api, KYC_CONSOLE_SESSION_SECRET: 's'.repeat(48) }, 'api').consoleSessionSecret).toBe(
      's'.repeat(48),
    );
  });

  it('refuses the public local default and short secrets', () => {
    const local = loadConfig({}).consoleSessionSecret as string;
    expect(() => loadConfig({ ...api, KYC_CONSOLE_SESSION_SECRET: local }, 'api')).toThrowError(
      /KYC_CONSOLE_SESSION_SECRET: is the public local default/,
    );
    expect(() => loadConfig({ KYC_CONSOLE_SESSION_SECRET: 'short' })).toThrowError(ConfigError);
  });
});

describe('the console signing in through OIDC (KYC_OIDC_CLIENT_ID)', () => {
  const withClient = {
    ...api,
    KYC_CONSOLE_SESSION_SECRET: 's'.repeat(48),
    KYC_CS_BASE_URL: 'https://kyc.example.org',
    KYC_OIDC_CLIENT_ID: 'kyc-console',
    KYC_OIDC_AUTHORIZATION_URL: 'https://idp.example.org/realms/staff/protocol/openid-connect/auth',
    KYC_OIDC_TOKEN_URL: 'https://idp.example.org/realms/staff/protocol/openid-connect/token',
  };

  it('refuses to start without the client secret, in production and under npm start alike', () => {
    expect(() => loadConfig(withClient, 'api')).toThrowError(/KYC_OIDC_CLIENT_SECRET: missing/);
    expect(() => loadConfig({ KYC_OIDC_CLIENT_ID: 'kyc-console' })).toThrowError(
      /KYC_OIDC_CLIENT_SECRET: required when KYC_OIDC_CLIENT_ID is set/,
    );
  });

  it('refuses plain-http endpoints and a console base URL left at its local default in production', () => {
    const secret = { KYC_OIDC_CLIENT_SECRET: 'c'.repeat(40) };
    expect(() =>
      loadConfig({ ...withClient, ...secret, KYC_OIDC_TOKEN_URL: 'http://idp.example.org/token' }, 'api'),
    ).toThrowError(/KYC_OIDC_TOKEN_URL missing or not https/);
    expect(() => loadConfig({ ...withClient, ...secret, KYC_CS_BASE_URL: undefined }, 'api')).toThrowError(
      /KYC_CS_BASE_URL missing or not https/,
    );
  });

  it('redirects back to KYC_CS_BASE_URL/console/oidc/callback; without a client id the console has no OIDC sign-in', () => {
    const config = loadConfig({ ...withClient, KYC_OIDC_CLIENT_SECRET: 'c'.repeat(40) }, 'api');
    expect(config.consoleOidcClient).toMatchObject({
      clientId: 'kyc-console',
      redirectUri: 'https://kyc.example.org/console/oidc/callback',
    });
    expect(loadConfig(api, 'api').consoleOidcClient).toBeUndefined();
  });
});
