import { fileURLToPath } from 'node:url';

/** The workflows a worker registers, bundled from this file: the worker and the pre-deploy replay check share it. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
