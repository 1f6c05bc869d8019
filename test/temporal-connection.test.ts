/**
 * Reaching Temporal in production: mTLS (client certificate and key, a private CA, a server name) and an API key
 * (Temporal Cloud's way), from settings. The local dev server speaks neither, so this test puts a gRPC proxy of its
 * own in front of the run's dev server: HTTP/2 over TLS, demanding a client certificate signed by the test's CA, or
 * a bearer API key, and forwarding every call. The client and the worker's native connection both get through with
 * the settings, and are turned away without them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { temporalConnectionOptions } from '../src/starters/temporal-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'kyc-temporal-tls-'));
const file = (name: string) => join(dir, name);

/** A CA, a server certificate for localhost, and a client certificate, all from the openssl CLI. */
function makeCertificates(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=kyc-test-ca',
  );
  for (const [name, extensions] of [
    ['server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE'],
    ['client', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE'],
  ] as const) {
    writeFileSync(file(`${name}.ext`), `${extensions}\n`);
    openssl('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=kyc-test-${name}`);
    openssl(
      ...['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key')],
      ...['-CAcreateserial', '-out', file(`${name}.pem`), '-days', '1', '-extfile', file(`${name}.ext`)],
    );
  }
}

interface GrpcProxy {
  address: string;
  calls: number;
  close(): Promise<void>;
}

/** Terminates TLS, checks the caller, and forwards each gRPC call (headers, messages, trailers) to the dev server. */
async function startProxy(options: { requireClientCert?: boolean; apiKey?: string }): Promise<GrpcProxy> {
  const upstream = http2.connect(`http://${inject('temporalAddress')}`);
  const server = http2.createSecureServer({
    key: readFileSync(file('server.key')),
    cert: readFileSync(file('server.pem')),
    ca: readFileSync(file('ca.pem')),
    requestCert: options.requireClientCert ?? false,
    rejectUnauthorized: options.requireClientCert ?? false,
  });
  const proxy: GrpcProxy = { address: '', calls: 0, close: async () => {} };
  server.on('stream', (stream, headers) => {
    if (options.apiKey && headers.authorization !== `Bearer ${options.apiKey}`) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'bad API key' },
        { endStream: true },
      );
      return;
    }
    proxy.calls += 1;
    const forwarded = Object.fromEntries(
      Object.entries(headers).filter(([name]) => name !== ':scheme' && name !== ':authority'),
    );
    const call = upstream.request(forwarded);
    let trailers: http2.IncomingHttpHeaders = {};
    call.on('response', (responseHeaders) => stream.respond(responseHeaders, { waitForTrailers: true }));
    call.on('trailers', (received) => {
      trailers = received;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    stream.pipe(call);
    call.pipe(stream);
    call.on('error', () => stream.destroy());
    stream.on('error', () => call.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      upstream.close();
      server.close(() => resolve());
    });
  return proxy;
}

/** Connects the client and the worker's native connection with these settings, and makes one call each. */
async function reach(settings: Record<string, string>): Promise<void> {
  const options = temporalConnectionOptions(loadConfig(settings));
  const client = await Connection.connect({ ...options, connectTimeout: 3_000 });
  try {
    await client.workflowService.getSystemInfo({});
  } finally {
    await client.close();
  }
  const native = await NativeConnection.connect(options);
  await native.close();
}

let mtls: GrpcProxy;
let apiKeyed: GrpcProxy;
beforeAll(async () => {
  makeCertificates();
  [mtls, apiKeyed] = await Promise.all([
    startProxy({ requireClientCert: true }),
    startProxy({ apiKey: 'test-api-key-0123456789' }),
  ]);
});
afterAll(async () => {
  await Promise.all([mtls?.close(), apiKeyed?.close()]);
});

describe('Temporal over mTLS and with an API key', () => {
  const tls = () => ({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem'), TEMPORAL_TLS_SERVER_NAME: 'localhost' });

  it('gets through mTLS with a client certificate, and not without one', async () => {
    const before = mtls.calls;
    await reach({
      TEMPORAL_ADDRESS: mtls.address,
      ...tls(),
      TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key'),
    });
    expect(mtls.calls).toBeGreaterThan(before);
    await expect(reach({ TEMPORAL_ADDRESS: mtls.address, ...tls() })).rejects.toThrow();
  });

  it('gets through with the API key over TLS, and not with another', async () => {
    await reach({ TEMPORAL_ADDRESS: apiKeyed.address, ...tls(), TEMPORAL_API_KEY: 'test-api-key-0123456789' });
    expect(apiKeyed.calls).toBeGreaterThan(0);
    await expect(
      reach({ TEMPORAL_ADDRESS: apiKeyed.address, ...tls(), TEMPORAL_API_KEY: 'another-key-0123456789' }),
    ).rejects.toThrow();
  });

  it.each([
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem' }, 'TEMPORAL_TLS_CLIENT_KEY_PATH: required with'],
    [{ TEMPORAL_TLS_CLIENT_KEY_PATH: '/c.key' }, 'TEMPORAL_TLS_CLIENT_CERT_PATH: required with'],
    [
      { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/c.key' },
      'TEMPORAL_API_KEY: set either an API key or a client certificate',
    ],
    [{ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, 'TEMPORAL_TLS: is false, but TEMPORAL_API_KEY needs TLS'],
  ])('refuses inconsistent settings %j', (settings, message) => {
    expect(() => loadConfig(settings)).toThrowError(message);
  });

  it('names the setting whose file cannot be read', () => {
    expect(() =>
      temporalConnectionOptions(loadConfig({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') })),
    ).toThrowError(/^TEMPORAL_TLS_SERVER_CA_CERT_PATH=.*missing\.pem cannot be read/);
  });
});
