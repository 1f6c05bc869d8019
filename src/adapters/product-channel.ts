/** A way to tell the product about a decision: a signed webhook, an SNS topic. */
export interface ProductChannel {
  name: string;
  /** `idempotencyKey` travels with the message so the receiver can drop a resend. */
  publish(event: object, idempotencyKey: string): Promise<void>;
}
