/**
 * The production entry points fail closed: `npm run api` and `npm run worker` (the image's roles) started with each
 * required setting missing in turn exit non-zero naming it, before they listen on a port or connect to anything;
 * started with everything set they do connect, and say where when no Temporal answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, LOCAL_SERVICE_TOKENS, loadConfig, tokenDigest } from '../src/config.ts';
import { freePort } from '../src/runtime/ports.ts';

/** A TCP server that counts who connects and hangs up on them: PostgreSQL and Temporal that must not be reached. */
async function startTripwire(): Promise<{
  address: string;
  port: number;
  connections(): number;
  close(): Promise<void>;
}> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const portAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  }).finally(() => {});

/** `npm run <role>` is `node src/production.ts <role>`, as is the image's entry point. */
function run(role: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['src/production.ts', role], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

let database: Awaited<ReturnType<typeof startTripwire>>;
let temporal: Awaited<ReturnType<typeof startTripwire>>;
let httpPort: number;
let production: Record<string, string>;

beforeAll(async () => {
  [database, temporal] = await Promise.all([startTripwire(), startTripwire()]);
  httpPort = await freePort();
  production = {
    DATABASE_URL: `postgres://kyc:secret@${database.address}/kyc`,
    TEMPORAL_ADDRESS: temporal.address,
    KYC_WEBHOOK_SECRET: randomBytes(36).toString('base64'),
    KYC_PAYLOAD_KEYS: `key-2026a:${randomBytes(32).toString('base64')}`,
    KYC_PAYLOAD_KEY_ID: 'key-2026a',
    KYC_IDENTITY_HASH_KEY: randomBytes(36).toString('base64'),
    KYC_SERVICE_TOKENS: `product-backend:intake:${tokenDigest(randomBytes(32).toString('hex'))}`,
    KYC_OIDC_ISSUER: 'https://idp.example.org/realms/staff',
    KYC_OIDC_AUDIENCE: 'kyc-api',
    KYC_OIDC_JWKS_URL: 'https://idp.example.org/realms/staff/protocol/openid-connect/certs',
    KYC_HTTP_HOST: '127.0.0.1',
    KYC_HTTP_PORT: String(httpPort),
    KYC_SEARCH_ATTRIBUTES_SETUP: 'false',
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  await Promise.all([database.close(), temporal.close()]);
});

const SHARED = [
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'KYC_WEBHOOK_SECRET',
  'KYC_PAYLOAD_KEYS',
  'KYC_PAYLOAD_KEY_ID',
  'KYC_IDENTITY_HASH_KEY',
];
const ENTRY_POINTS = [
  {
    name: 'npm run api',
    role: 'api',
    required: [...SHARED, 'KYC_SERVICE_TOKENS', 'KYC_OIDC_ISSUER', 'KYC_OIDC_AUDIENCE', 'KYC_OIDC_JWKS_URL'],
  },
  { name: 'npm run worker', role: 'worker', required: SHARED },
];

describe.each(ENTRY_POINTS)('$name', ({ role, required }) => {
  it.each(required)('without %s exits non-zero naming it, listening and connecting to nothing', async (setting) => {
    const { [setting]: _, ...env } = production;
    const reachedBefore = database.connections() + temporal.connections();
    const started = run(role, env);
    const code = await started.exited;
    expect(code, started.output()).toBe(1);
    expect(started.output()).toContain(`  ${setting}: missing — set it to `);
    expect(started.output()).toContain('Running in production');
    expect(await portAnswers(httpPort)).toBe(false);
    expect(database.connections() + temporal.connections()).toBe(reachedBefore);
  });

  it('names every missing setting at once', async () => {
    const started = run(role, { KYC_HTTP_PORT: String(httpPort) });
    expect(await started.exited).toBe(1);
    for (const setting of required) expect(started.output()).toContain(`  ${setting}: missing`);
  });

  it('with everything set, reaches for Temporal and says where, retrying', async () => {
    const before = temporal.connections();
    const started = run(role, production);
    try {
      await expect
        .poll(started.output, { timeout: 20_000, interval: 100 })
        .toContain(`no Temporal answers at ${temporal.address} (TEMPORAL_ADDRESS); retrying in 1 s`);
      expect(temporal.connections()).toBeGreaterThan(before);
      expect(started.output()).not.toMatch(/Failed to connect before the deadline\n\s+at /);
    } finally {
      started.child.kill('SIGKILL');
      await started.exited;
    }
  });
});

describe('production settings', () => {
  const load = (overrides: Record<string, string | undefined>) => () =>
    loadConfig({ ...production, ...overrides } as NodeJS.ProcessEnv, 'api');

  it.each([
    ['KYC_WEBHOOK_SECRET', 'short-secret-0123456789', 'too short (23 characters; at least 32)'],
    ['KYC_WEBHOOK_SECRET', 'local-only-secret-never-use-in-production', 'is the public local default'],
    [
      'KYC_PAYLOAD_KEYS',
      `local-1:${Buffer.alloc(32, 'local-only-payload-key-not-secret').toString('base64')}`,
      'holds the public local key',
    ],
    ['KYC_SERVICE_TOKENS', `demo:intake:${tokenDigest(LOCAL_SERVICE_TOKENS.intake)}`, 'holds a public local token'],
    ['KYC_SERVICE_TOKENS', `ui:ops:${tokenDigest('x'.repeat(40))}`, 'gives ui the ops role: people sign in'],
    ['DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/kyc', 'is the local default'],
    ['KYC_OIDC_JWKS_URL', 'http://idp.example.org/certs', 'must be an https:// URL'],
  ])('refuses %s = %j: %s', (setting, value, problem) => {
    expect(load({ [setting]: value })).toThrowError(ConfigError);
    expect(load({ [setting]: value })).toThrowError(`  ${setting}: ${problem}`);
  });

  it('takes a loopback JWKS over http, and refuses KYC_ENV=local', () => {
    expect(load({ KYC_OIDC_JWKS_URL: 'http://127.0.0.1:8080/certs' })().oidc?.jwksUrl).toBe(
      'http://127.0.0.1:8080/certs',
    );
    expect(load({ KYC_ENV: 'local' })).toThrowError('KYC_ENV: local is only for npm start on loopback');
  });

  it('npm start takes its defaults on loopback only', () => {
    const local = loadConfig({});
    expect(local.production).toBe(false);
    expect(local.KYC_WEBHOOK_SECRET).toBe('local-only-secret-never-use-in-production');
    expect(() => loadConfig({ KYC_HTTP_HOST: '0.0.0.0' })).toThrowError(
      /npm start listening beyond loopback \(KYC_HTTP_HOST=0\.0\.0\.0\) takes no defaults[\s\S]*KYC_WEBHOOK_SECRET: missing/,
    );
    expect(() => loadConfig({ KYC_ENV: 'production' })).toThrowError(/KYC_ENV=production takes no defaults/);
  });

  it('has no default for the encrypting key, and the retired KYC_API_TOKENS is refused', () => {
    expect(() => loadConfig({ KYC_PAYLOAD_KEYS: production.KYC_PAYLOAD_KEYS })).toThrowError(
      'KYC_PAYLOAD_KEY_ID: required with payload keys',
    );
    expect(() => loadConfig({ KYC_API_TOKENS: 'cs:some-token-0123456789' })).toThrowError('KYC_API_TOKENS: retired');
  });
});
