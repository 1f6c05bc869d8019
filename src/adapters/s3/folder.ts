/** The object store as a folder: `<root>/<bucket>/<key>`, for on-prem sites and `npm start` without AWS. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { PermanentAdapterError } from '../errors.ts';
import type { ObjectRef, ObjectStore } from './index.ts';

export function createFolderObjectStore(root: string): ObjectStore {
  const base = resolve(root);
  const pathOf = ({ bucket, key }: ObjectRef): string => {
    const path = resolve(base, bucket, key);
    // Keys come from outside; one with `..` must not reach beyond the store.
    if (!path.startsWith(base + sep))
      throw new PermanentAdapterError('INVALID_REQUEST', 'object key escapes the store');
    return path;
  };
  return {
    async put(ref, body) {
      const path = pathOf(ref);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a reader never sees half an image.
      const partial = `${path}.partial-${process.pid}`;
      await writeFile(partial, body);
      await rename(partial, path);
    },
    async get(ref) {
      try {
        return await readFile(pathOf(ref));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new PermanentAdapterError('OBJECT_NOT_FOUND', `no object at ${join(ref.bucket, ref.key)}`);
        }
        throw error;
      }
    },
    async delete(ref) {
      await rm(pathOf(ref), { force: true });
    },
  };
}
