/** Where uploaded ID documents and selfies live: S3, or a folder for on-prem and local use. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface ObjectStore {
  put(ref: ObjectRef, body: Uint8Array, contentType: string): Promise<void>;
  get(ref: ObjectRef): Promise<Uint8Array>;
  /** Erasure and retention: removes the object, every stored version of it included; a missing one is no error. */
  delete(ref: ObjectRef): Promise<void>;
}
