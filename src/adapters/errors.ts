/**
 * An answer that no retry can change (an image the service cannot decode, an object that does not exist, a request
 * the service rejects as invalid). Adapters translate their SDK's errors into this; activities turn it into an
 * outcome with a reason code instead of retrying. Anything else an adapter throws is treated as transient.
 */
export type PermanentErrorCause =
  | 'UNSUPPORTED_IMAGE'
  | 'OBJECT_NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'NOT_CONFIGURED'
  /** The other side refused the request for good: a 4xx other than 408 or 429. */
  | 'REFUSED';

/** HTTP answers no retry changes: 4xx, except Request Timeout and Too Many Requests. */
export function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export class PermanentAdapterError extends Error {
  override name = 'PermanentAdapterError';
  readonly reason: PermanentErrorCause;

  constructor(reason: PermanentErrorCause, message: string) {
    super(message);
    this.reason = reason;
  }
}
