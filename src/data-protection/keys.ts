/**
 * The payload keys: straight from KYC_PAYLOAD_KEYS, or — in AWS mode — data keys kept encrypted under a KMS key in
 * KYC_PAYLOAD_KEYS_KMS and decrypted once at start-up, so the plaintext keys never sit in configuration.
 */
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Config } from '../config.ts';
import type { PayloadKeys } from './payload-codec.ts';

export async function loadPayloadKeys(config: Config): Promise<PayloadKeys> {
  const encrypted = config.KYC_PAYLOAD_KEYS_KMS;
  if (!encrypted) return config.payloadKeys;
  const kms = new KMSClient({ region: config.AWS_REGION });
  const keys = new Map<string, Uint8Array>(config.KYC_PAYLOAD_KEYS ?? []);
  for (const { keyId, ciphertext } of encrypted) {
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(ciphertext, 'base64') }));
    if (!Plaintext) throw new Error(`KMS returned no plaintext for payload key ${keyId}`);
    keys.set(keyId, Plaintext);
  }
  const { currentKeyId } = config.payloadKeys;
  if (!keys.has(currentKeyId)) throw new Error(`payload key ${currentKeyId} is not among the loaded keys`);
  return { keys, currentKeyId };
}
