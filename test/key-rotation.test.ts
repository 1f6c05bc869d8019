/**
 * Payload keys rotate in two phases without stopping the service. Phase 1 (already deployed everywhere): every
 * process holds the new key, decrypt-only. Phase 2, as a rolling deploy: processes switch their encrypting key one by
 * one. Here an old worker (encrypting with key 1) and a new worker (encrypting with key 2) poll the same task queue,
 * with no workflow cache so that every workflow task replays the whole history on whichever worker takes it, while
 * clients on both configurations start, signal, update and query workflows; the old worker is then stopped as the
 * deploy finishes. Every payload decodes everywhere, and the histories hold payloads under both keys.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { type Payload, ValueError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDataConverter } from '../src/data-protection/data-converter.ts';
import { EncryptionCodec, KEY_ID_METADATA, type PayloadKeys } from '../src/data-protection/payload-codec.ts';
import { connectDevServer, testPayloadKeys } from './support/temporal.ts';
import { rotationNote, rotationState, rotationUpdate } from './workflows/rotation.ts';

const key1 = randomBytes(32);
const key2 = randomBytes(32);
const BEFORE: PayloadKeys = { keys: new Map([['key-1', key1]]), currentKeyId: 'key-1' };
/** Phase 1 everywhere: key 2 is loaded, decrypt-only. */
const OLD: PayloadKeys = {
  keys: new Map([
    ['key-1', key1],
    ['key-2', key2],
  ]),
  currentKeyId: 'key-1',
};
/** Phase 2: key 2 encrypts. */
const NEW: PayloadKeys = { keys: OLD.keys, currentKeyId: 'key-2' };

let env: TestWorkflowEnvironment;
const taskQueue = `rotation-${randomUUID()}`;
const clientFor = (keys: PayloadKeys) =>
  new Client({ connection: env.connection, dataConverter: createDataConverter(keys) });

/** A worker with a connection of its own, as a separate process would have. */
function startWorker(name: string, keys: PayloadKeys): { worker: Worker; running: Promise<void> } {
  const connecting = NativeConnection.connect({ address: inject('temporalAddress') });
  const created = connecting.then((connection) =>
    Worker.create({
      connection,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      taskQueue,
      identity: name,
      dataConverter: createDataConverter(keys),
      // No cache: every workflow task replays the history from the start, on whichever worker polls it.
      maxCachedWorkflows: 0,
      activities: { echo: async ({ label }: { label: string }) => ({ by: name, label }) },
    }),
  );
  const handle = { worker: undefined as unknown as Worker, running: Promise.resolve() };
  handle.running = created.then(async (worker) => {
    handle.worker = worker;
    await worker.run();
    await (await connecting).close();
  });
  return handle;
}

beforeAll(async () => {
  env = await connectDevServer();
});
afterAll(async () => {
  await env?.teardown();
});

type Probe = WorkflowHandle;
const waitFor = async (what: string, check: () => Promise<boolean>) => {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('payload key rotation', () => {
  it('survives a rolling deploy: old and new workers on one task queue decode every payload', {
    timeout: 60_000,
  }, async () => {
    const before = clientFor(BEFORE);
    const oldClient = clientFor(OLD);
    const newClient = clientFor(NEW);
    const oldWorker = startWorker('old-worker', OLD);

    // Workflows started before the rotation began, and during it by a door still on the old configuration.
    const probes: Probe[] = [];
    for (const [index, client] of [before, before, before, oldClient, oldClient, oldClient].entries()) {
      probes.push(
        await client.workflow.start('rotationProbe', {
          taskQueue,
          workflowId: `rotation-${index}-${randomUUID()}`,
          args: [{ label: `probe-${index}`, rounds: 3 }],
        }),
      );
    }
    const newWorker = startWorker('new-worker', NEW);
    const handledBy = async (probe: Probe, client: Client) =>
      (await client.workflow.getHandle(probe.workflowId).query(rotationState)).handledBy.length;

    // Round 1 notes come from doors on the old configuration, round 2 (an update) from doors on the new one.
    await Promise.all(
      probes.map((probe) => oldClient.workflow.getHandle(probe.workflowId).signal(rotationNote, { note: 'one' })),
    );
    await waitFor('round 2', async () =>
      (await Promise.all(probes.map((p) => handledBy(p, newClient)))).every((n) => n >= 2),
    );
    const echoes = await Promise.all(
      probes.map((probe) =>
        newClient.workflow.getHandle(probe.workflowId).executeUpdate(rotationUpdate, { args: [{ note: 'two' }] }),
      ),
    );
    expect(echoes).toEqual(probes.map(() => ({ echoed: 'two' })));
    await waitFor('round 3', async () =>
      (await Promise.all(probes.map((p) => handledBy(p, oldClient)))).every((n) => n >= 3),
    );

    // The deploy finishes: the old worker stops; what it wrote is read by the new one.
    oldWorker.worker.shutdown();
    await oldWorker.running;
    await Promise.all(
      probes.map((probe) => newClient.workflow.getHandle(probe.workflowId).signal(rotationNote, { note: 'three' })),
    );
    const results = await Promise.all(probes.map((probe) => newClient.workflow.getHandle(probe.workflowId).result()));
    newWorker.worker.shutdown();
    await newWorker.running;

    results.forEach((result, index) => {
      expect(result).toMatchObject({ label: `probe-${index}`, notes: ['one', 'two', 'three'] });
    });
    const workers = new Set(results.flatMap((result) => result.handledBy as string[]));
    expect([...workers].sort()).toEqual(['new-worker', 'old-worker']);

    // The histories as the server stores them hold payloads under both keys, and all of them decode.
    const raw = new Client({ connection: env.connection });
    const payloads = (
      await Promise.all(probes.map((probe) => raw.workflow.getHandle(probe.workflowId).fetchHistory()))
    ).flatMap((history) => payloadsIn(history));
    const keyIds = new Set(
      payloads.map((payload) => Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString()),
    );
    expect([...keyIds].sort()).toEqual(['key-1', 'key-2']);
    const decoded = await new EncryptionCodec(NEW).decode(payloads);
    expect(decoded).toHaveLength(payloads.length);
    console.log(`rotation: ${probes.length} workflows, ${payloads.length} payloads under key-1 and key-2, all decoded`);

    // Why the phases: a process that never loaded key 2 cannot read what the new worker wrote.
    const underKey2 = payloads.filter(
      (payload) => Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString() === 'key-2',
    );
    await expect(new EncryptionCodec(BEFORE).decode(underKey2.slice(0, 1))).rejects.toThrow(ValueError);
  });

  it('refuses a payload relabelled with another key id, and an unencrypted one unless migrating', async () => {
    const plain: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"userId":42}') };
    const sameKeyTwice: PayloadKeys = {
      keys: new Map([
        ['a', key1],
        ['b', key1],
      ]),
      currentKeyId: 'a',
    };
    const [encrypted] = await new EncryptionCodec(sameKeyTwice).encode([plain]);
    const relabelled = { ...encrypted, metadata: { ...encrypted?.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    // The same key bytes under another id: only the additional data tells them apart.
    await expect(new EncryptionCodec(sameKeyTwice).decode([relabelled])).rejects.toThrow(/does not decrypt/);
    await expect(new EncryptionCodec(OLD).decode([plain])).rejects.toThrow(/unencrypted payload was refused/);
    expect(await new EncryptionCodec(OLD, { acceptPlaintext: true }).decode([plain])).toEqual([plain]);
  });

  it('still reads the recorded history, written before the format bound additional data', async () => {
    const history = JSON.parse(
      await readFile(new URL('./fixtures/histories/c4e39df-kyc-seed-pass.json', import.meta.url), 'utf8'),
    );
    const payloads = payloadsIn(history).map(fromProtoJson);
    expect(payloads.length).toBeGreaterThan(20);
    const decoded = await new EncryptionCodec(testPayloadKeys).decode(payloads);
    expect(
      decoded.every((payload) => Buffer.from(payload.metadata?.encoding ?? []).toString() !== 'binary/encrypted'),
    ).toBe(true);
  });
});

/** Every payload in a history that the codec encodes, wherever it sits in an event (search attributes are plain). */
function payloadsIn(value: unknown): Payload[] {
  if (!value || typeof value !== 'object') return [];
  if ('indexedFields' in value) return [];
  if ('metadata' in value && 'data' in value && typeof (value as { metadata: unknown }).metadata === 'object') {
    return [value as Payload];
  }
  return Object.values(value).flatMap(payloadsIn);
}

/** A payload from a history's JSON file: metadata and data in base64. */
function fromProtoJson(payload: Payload): Payload {
  const text = (value: unknown) => Buffer.from(value as string, 'base64');
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, text(value)])),
    data: text(payload.data ?? ''),
  };
}
