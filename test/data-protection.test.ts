/**
 * The proof that PII stays where it belongs: after a seed-example flow and a MANUAL_REVIEW flow, neither the raw
 * workflow histories on the server nor anything the service logged holds a name, date of birth, document number,
 * registration number or email; with the codec the same histories decode to what was sent. Plus key rotation, the
 * codec server's access rules, and every endpoint's refusal of bad tokens.
 */
import { Client } from '@temporalio/client';
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { EncryptionCodec, KEY_ID_METADATA } from '../src/data-protection/payload-codec.ts';
import { createPostgresUserKeyStore } from '../src/data-protection/user-keys.ts';
import {
  type KycHarness,
  type Person,
  SEED_PERSON,
  startKycHarness,
  TOKEN,
  WEB_UI_TOKEN,
} from './support/kyc-harness.ts';
import { runtimeLog } from './support/runtime-log.ts';
import { testPayloadKeys } from './support/temporal.ts';

const JANE: Person = { ...SEED_PERSON, regNo: '6143219', email: 'dr.jane@example.com' };
const JOHN: Person = {
  ...SEED_PERSON,
  givenNames: 'JOHN PETER',
  surname: 'SMITHSON',
  birthDate: '1979-11-03',
  passportNumber: '531874209',
  regNo: '4987123',
  email: 'john.smithson@example.org',
};

/** Every way these people's PII could be written; each needle is long enough not to occur by chance in ciphertext. */
function needles(person: Person): string[] {
  const [year, month, day] = person.birthDate.split('-') as [string, string, string];
  const fullName = `${person.givenNames} ${person.surname}`;
  return [
    fullName,
    fullName.toLowerCase(),
    `${person.surname}<<${person.givenNames.replace(' ', '<')}`,
    person.birthDate,
    `${day}.${month}.${year}`,
    `${year.slice(2)}${month}${day}`,
    person.passportNumber,
    person.regNo,
    person.email,
  ];
}

let h: KycHarness;
const users: number[] = [];

function encodeBase64Payloads(payloads: Payload[]) {
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')]),
      ),
      data: Buffer.from(payload.data ?? []).toString('base64'),
    })),
  };
}

/** Every string in a history as the server stores it, each also read as base64 in case it holds payload bytes. */
function historyText(history: History): string {
  const parts: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') parts.push(value, Buffer.from(value, 'base64').toString('latin1'));
    else if (value && typeof value === 'object') for (const child of Object.values(value)) walk(child);
  };
  walk(JSON.parse(historyToJSON(history)));
  return parts.join('\n');
}

describe('data protection', () => {
  beforeAll(async () => {
    h = await startKycHarness({ captureLogs: true });
    const jane = await h.enrol(JANE);
    await jane.uploadBoth();
    const john = await h.enrol(JOHN, { liveness: null });
    await john.uploadBoth();
    await h.waitForStatus(jane.userId, (s) => s.stage === 'DECIDED', 'the PASS');
    await h.waitForStatus(john.userId, (s) => s.stage === 'AWAITING_REVIEW', 'the review');
    const review = await fetch(`${h.url}/cs/cases/${john.userId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN.cs}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        decision: 'PASS',
        note: `spoke to ${JOHN.givenNames} ${JOHN.surname}`,
      }),
    });
    expect(review.status).toBe(200);
    await h.waitForStatus(john.userId, (s) => s.stage === 'DECIDED', 'the CS decision');
    users.push(jane.userId, john.userId);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps every PII value out of the raw histories and out of all log output', async () => {
    // A client without the codec sees what the server stores.
    const raw = new Client({ connection: h.env.connection });
    const histories = await Promise.all(
      users.map((userId) => raw.workflow.getHandle(kycWorkflowId(userId)).fetchHistory()),
    );
    expect(histories.every((history) => (history.events?.length ?? 0) > 20)).toBe(true);
    const stored = histories.map(historyText).join('\n');
    const logged = [...h.logs, ...runtimeLog].join('\n');
    expect(h.logs.length).toBeGreaterThan(10);

    const found = [...needles(JANE), ...needles(JOHN)].filter(
      (needle) => stored.includes(needle) || logged.includes(needle),
    );
    console.log(
      `PII values searched: ${needles(JANE).length + needles(JOHN).length}, found in history or logs: ${found.length}`,
    );
    expect(found).toEqual([]);

    // The search can find what is there: the CS note naming John is in his history, readable only through the codec
    // with his data key.
    const accepted = histories[1]?.events?.find((event) => event.workflowExecutionUpdateAcceptedEventAttributes);
    const userKeys = createPostgresUserKeyStore(h.db.sql, testPayloadKeys);
    const [notePayload] = await new EncryptionCodec(testPayloadKeys, { userKeys }).decode(
      accepted?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads as Payload[],
    );
    expect(Buffer.from(notePayload?.data ?? []).toString()).toContain('JOHN PETER SMITHSON');
  });

  it('stores payloads encrypted, and decodes them through the codec server with an ops token', async () => {
    const raw = new Client({ connection: h.env.connection });
    const [started] = (await raw.workflow.getHandle(kycWorkflowId(users[1] as number)).fetchHistory()).events ?? [];
    const input = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] as Payload;
    expect(Buffer.from(input.metadata?.[METADATA_ENCODING_KEY] ?? []).toString()).toBe('binary/encrypted');
    // Under the user's own data key (crypto-shredding), which the codec server reads from the database.
    expect(Buffer.from(input.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe(`user/${users[1]}`);

    const signals = ((await raw.workflow.getHandle(kycWorkflowId(users[1] as number)).fetchHistory()).events ?? [])
      .map((event) => event.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0])
      .filter((payload): payload is Payload => Boolean(payload));
    const response = await fetch(`${h.url}/codec/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN.ops}`, 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify(encodeBase64Payloads([input, ...signals])),
    });
    expect(response.status).toBe(200);
    const decoded = ((await response.json()) as { payloads: { data: string }[] }).payloads.map((payload) =>
      JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')),
    );
    expect(decoded[0]).toEqual({ userId: users[1] });
    expect(decoded.slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'ID_DOCUMENT', key: `kyc-raw/${users[1]}/passport.jpg`, docType: 'passport' }),
        expect.objectContaining({ kind: 'SELFIE', key: `kyc-raw/${users[1]}/selfie.jpg` }),
      ]),
    );
  });

  it('still decodes a payload written under key 1 after rotating to key 2', async () => {
    const key1 = Buffer.alloc(32, 1);
    const key2 = Buffer.alloc(32, 2);
    const before = new EncryptionCodec({ keys: new Map([['key-1', key1]]), currentKeyId: 'key-1' });
    const after = new EncryptionCodec({
      keys: new Map([
        ['key-1', key1],
        ['key-2', key2],
      ]),
      currentKeyId: 'key-2',
    });
    const plain: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"userId":42}') };

    const [old] = await before.encode([plain]);
    const [fresh] = await after.encode([plain]);
    expect(Buffer.from(old?.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe('key-1');
    expect(Buffer.from(fresh?.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe('key-2');
    for (const encrypted of [old, fresh]) {
      const [decoded] = await after.decode([encrypted as Payload]);
      expect(Buffer.from(decoded?.data ?? []).toString()).toBe('{"userId":42}');
    }
    // A key that has been dropped cannot be guessed around, and tampering is detected.
    const onlyKey2 = new EncryptionCodec({ keys: new Map([['key-2', key2]]), currentKeyId: 'key-2' });
    await expect(onlyKey2.decode([old as Payload])).rejects.toThrow(/no payload key key-1/);
    const tampered = {
      ...fresh,
      data: Buffer.from(fresh?.data ?? []).map((byte, index) => (index === 20 ? byte ^ 1 : byte)),
    };
    await expect(after.decode([tampered as Payload])).rejects.toThrow();
  });

  it('lets only the ops role use the codec server, by header or by the token in the UI endpoint path', async () => {
    const body = JSON.stringify({ payloads: [] });
    const call = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }).then((response) => response.status);
    expect(await call('/codec/decode')).toBe(401);
    expect(await call('/codec/decode', { authorization: `Bearer ${TOKEN.cs}` })).toBe(403);
    expect(await call('/codec/encode', { authorization: `Bearer ${TOKEN.intake}` })).toBe(403);
    expect(await call('/codec/decode', { authorization: `Bearer ${TOKEN.ops.slice(0, -1)}x` })).toBe(401);
    expect(await call('/codec/decode', { authorization: `Bearer ${TOKEN.ops}` })).toBe(200);
    expect(await call(`/codec/${WEB_UI_TOKEN}/decode`)).toBe(200);
    expect(await call(`/codec/${TOKEN.intake}/decode`)).toBe(403);

    const preflight = (origin: string) =>
      fetch(`${h.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-namespace,content-type',
        },
      });
    const allowed = await preflight('http://localhost:8233');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  const endpoints: Array<{ method: string; path: (userId: number) => string; roles: Array<keyof typeof TOKEN> }> = [
    { method: 'POST', path: () => '/users', roles: ['intake'] },
    { method: 'POST', path: (id) => `/users/${id}/documents`, roles: ['intake'] },
    { method: 'POST', path: (id) => `/users/${id}/liveness-session`, roles: ['intake'] },
    { method: 'GET', path: (id) => `/users/${id}/kyc`, roles: ['intake', 'cs', 'ops'] },
    { method: 'GET', path: () => '/cs/cases', roles: ['cs'] },
    { method: 'POST', path: (id) => `/cs/cases/${id}/decision`, roles: ['cs'] },
    { method: 'POST', path: () => '/codec/decode', roles: ['ops'] },
    { method: 'POST', path: () => '/codec/encode', roles: ['ops'] },
  ];

  it.each(endpoints)(
    '$method $path refuses a missing token, a wrong role and a token off by its last byte',
    async (endpoint) => {
      const userId = users[0] as number;
      const status = async (token?: string) =>
        (
          await fetch(`${h.url}${endpoint.path(userId)}`, {
            method: endpoint.method,
            headers: token ? { authorization: `Bearer ${token}` } : {},
          })
        ).status;
      expect(await status()).toBe(401);
      for (const role of endpoint.roles) expect(await status(`${TOKEN[role].slice(0, -1)}#`)).toBe(401);
      for (const role of (['intake', 'cs', 'ops'] as const).filter((role) => !endpoint.roles.includes(role))) {
        expect(await status(TOKEN[role])).toBe(403);
      }
    },
  );
});
