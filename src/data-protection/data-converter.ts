/** The one data converter of every client, worker, bridge and CLI: encrypted payloads, encrypted failure text. */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, type PayloadCodecOptions, type PayloadKeys } from './payload-codec.ts';

/** Loaded by path, because the workflow sandbox imports the failure converter itself. */
export const failureConverterPath = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

export function createDataConverter(keys: PayloadKeys, options: PayloadCodecOptions = {}): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys, options)], failureConverterPath };
}
