/**
 * The key a caller of a door sends with a request that creates something, and repeats unchanged on every retry of
 * it: the uploads' object keys and the CS decision's update id are made from it, so it is kept to a safe alphabet.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{8,100}$/;
export const IDEMPOTENCY_KEY_RULE = '8–100 letters, digits, - or _';
