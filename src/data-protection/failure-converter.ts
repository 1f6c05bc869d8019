/**
 * Failure messages and stack traces go through the payload codec too (`encodeCommonAttributes`), so an error that
 * quotes its input cannot leak it into history in clear. Loaded inside the workflow sandbox by path.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
