/**
 * Encrypts every Temporal payload (workflow inputs, signals, updates, query results, activity inputs and results,
 * memo, failure details) with AES-256-GCM before it leaves the process. The key id travels in the payload's
 * metadata, so keys rotate without a migration: new payloads use the encrypting key, older ones still decrypt with
 * the key that wrote them. Search attributes are not payloads and stay plain; they hold no PII.
 *
 * Format 1 (every payload written now) binds the encoding, the key id and the format name as GCM additional data,
 * so a payload relabelled with another key id or format fails authentication instead of being read some other way.
 * Payloads without a format (written before it existed, as in recorded histories) are read as before, without
 * additional data; stripping the format from a format-1 payload does not help an attacker, because its tag covers
 * the additional data.
 *
 * Crypto-shredding (README, Compliance): given a serialization context naming a user's KycWorkflow (`kyc-user-<id>`,
 * for the workflow's own payloads and its activities'), the codec encrypts under that user's data key, key id
 * `user/<id>` (master key ids cannot hold a slash). Decoding needs no context: the key id says whose key. Once erasure
 * destroyed the key, such payloads decode to a ValueError, or, for the codec server, to a payload saying "erased".
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import {
  METADATA_ENCODING_KEY,
  type Payload,
  type PayloadCodec,
  type SerializationContext,
  ValueError,
} from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding.js';
import { userIdFromWorkflowId } from '../contract/kyc-workflow.ts';
import type { UserKeyStore } from './user-keys.ts';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const FORMAT_METADATA = 'encryption-format';
/** AES-256-GCM, 96-bit random IV, 128-bit tag, with the encoding, key id and format as additional data. */
export const CURRENT_FORMAT = 'aes-256-gcm-aad-1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKeys {
  /** Key id → 32-byte AES key: every key that may still be needed to decrypt. */
  keys: ReadonlyMap<string, Uint8Array>;
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
}

export interface PayloadCodecOptions {
  /**
   * Pass unencrypted payloads through on decode. Off, they are refused: a plaintext payload where an encrypted one
   * belongs was written by something without the keys. On only while migrating histories from before encryption,
   * and for the codec server, which shows the Web UI whatever it is given.
   */
  acceptPlaintext?: boolean;
  /**
   * Users' data keys. Without a store (a process with no database) every payload is under the master key, and a
   * payload under a user's key does not decode.
   */
  userKeys?: UserKeyStore;
  /**
   * Decode a payload whose user's key was destroyed to a JSON string saying so, instead of refusing it: for the codec
   * server, so the Web UI shows "erased" where the person's data was.
   */
  showErased?: boolean;
}

const USER_KEY_ID = /^user\/([1-9][0-9]{0,15})$/;
const userKeyId = (userId: number) => `user/${userId}`;

/** The user a payload belongs to, from the workflow it is sent to or received from, or its activity's workflow. */
function userOf(context: SerializationContext | undefined): number | null {
  return context?.workflowId ? userIdFromWorkflowId(context.workflowId) : null;
}

function erasedPayload(destroyedAt: Date): Payload {
  const text = `erased: this person's data key was destroyed at erasure on ${destroyedAt.toISOString()}`;
  return { metadata: { [METADATA_ENCODING_KEY]: encode('json/plain') }, data: encode(JSON.stringify(text)) };
}

/** The plaintext payload, metadata and data, as bytes to encrypt. */
function serialize(payload: Payload): Buffer {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')]),
  );
  return Buffer.from(JSON.stringify({ metadata, data: Buffer.from(payload.data ?? []).toString('base64') }));
}

function deserialize(bytes: Buffer): Payload {
  const { metadata, data } = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
  return {
    metadata: Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name, Buffer.from(value, 'base64')])),
    data: Buffer.from(data, 'base64'),
  };
}

const additionalData = (keyId: string) => Buffer.from(`${ENCRYPTED_ENCODING}\n${keyId}\n${CURRENT_FORMAT}`);

export class EncryptionCodec implements PayloadCodec {
  readonly #currentKeyId: string;
  /** Imported once: a cipher given raw key bytes imports them again on every payload, at four times the cost. */
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly #acceptPlaintext: boolean;
  readonly #userKeys: UserKeyStore | undefined;
  readonly #showErased: boolean;

  constructor(keys: PayloadKeys, options: PayloadCodecOptions = {}) {
    if (!keys.keys.has(keys.currentKeyId))
      throw new Error(`the current payload key ${keys.currentKeyId} is not loaded`);
    for (const [keyId, key] of keys.keys) {
      if (key.length !== 32) throw new Error(`payload key ${keyId} is ${key.length} bytes; AES-256 needs 32`);
    }
    this.#currentKeyId = keys.currentKeyId;
    this.#keys = new Map([...keys.keys].map(([keyId, key]) => [keyId, createSecretKey(key)]));
    this.#acceptPlaintext = options.acceptPlaintext ?? false;
    this.#userKeys = options.userKeys;
    this.#showErased = options.showErased ?? false;
  }

  /** The user's key for a user's payload; the master key for any other, and for a user whose key was destroyed. */
  async #encryptingKey(context: SerializationContext | undefined): Promise<{ keyId: string; key: KeyObject }> {
    const userId = userOf(context);
    const userKey = userId && this.#userKeys ? await this.#userKeys.get(userId, { create: true }) : null;
    // Nothing of an erased person is written after erasure (the KycWorkflow is closed and the writers refuse them);
    // a signal still addressed to them (by the expiry pass, say) goes under the master key rather than failing.
    if (userId && userKey?.state === 'held') return { keyId: userKeyId(userId), key: userKey.key };
    return { keyId: this.#currentKeyId, key: this.#keys.get(this.#currentKeyId) as KeyObject };
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const { keyId, key } = await this.#encryptingKey(context);
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(keyId));
      const ciphertext = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: encode(keyId),
          [FORMAT_METADATA]: encode(CURRENT_FORMAT),
        },
        data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return await Promise.all(payloads.map((payload) => this.#decodeOne(payload)));
  }

  /** The key a payload names: a master key, or a user's data key. */
  async #decryptingKey(keyId: string): Promise<KeyObject | { erasedAt: Date }> {
    const userMatch = USER_KEY_ID.exec(keyId);
    if (!userMatch) {
      const key = this.#keys.get(keyId);
      if (!key)
        throw new ValueError(`no payload key ${keyId} is loaded; keep retired keys until their payloads expire`);
      return key;
    }
    if (!this.#userKeys) throw new ValueError(`a payload under ${keyId} needs the users' data keys (the database)`);
    const userKey = await this.#userKeys.get(Number(userMatch[1]), { create: false });
    if (!userKey) throw new ValueError(`there is no data key ${keyId}`);
    if (userKey.state === 'destroyed') return { erasedAt: userKey.destroyedAt };
    return userKey.key;
  }

  async #decodeOne(payload: Payload): Promise<Payload> {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || decode(encoding) !== ENCRYPTED_ENCODING) {
      if (this.#acceptPlaintext) return payload;
      throw new ValueError(
        'an unencrypted payload was refused: it was written without the payload keys (KYC_PAYLOAD_ACCEPT_PLAINTEXT=true reads such histories while migrating)',
      );
    }
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!keyIdBytes || !payload.data) throw new ValueError('encrypted payload without key id or data');
    const keyId = decode(keyIdBytes);
    const key = await this.#decryptingKey(keyId);
    if ('erasedAt' in key) {
      if (this.#showErased) return erasedPayload(key.erasedAt);
      throw new ValueError(`a payload under ${keyId} is erased: the data key was destroyed at erasure`);
    }
    const formatBytes = payload.metadata?.[FORMAT_METADATA];
    const format = formatBytes ? decode(formatBytes) : undefined;
    if (format !== undefined && format !== CURRENT_FORMAT) {
      throw new ValueError(`unknown payload encryption format ${format.slice(0, 40)}`);
    }
    const bytes = Buffer.from(payload.data);
    if (bytes.length < IV_BYTES + TAG_BYTES)
      throw new ValueError(`encrypted payload of ${bytes.length} bytes is too short`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      if (format) decipher.setAAD(additionalData(keyId));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return deserialize(
        Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]),
      );
    } catch {
      throw new ValueError(`a payload under key ${keyId} does not decrypt: altered, truncated or not written with it`);
    }
  }
}
