/**
 * The service's own processes as the chaos run keeps them: `npm run worker` and `npm run api`, each a child it can
 * SIGKILL and start again. A child that dies on its own (not killed by us) is restarted too and counted, so that the
 * report tells planned kills from crashes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** A child that is not serving within this long is reported as a failure of the run. */
const READY_TIMEOUT_MS = 120_000;
/** A crash loop (e.g. while Temporal is down) is retried this often at most, one second apart. */
const MAX_UNPLANNED_RESTARTS = 60;

export interface UnplannedExit {
  at: number;
  code: number | null;
  signal: string | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly kills: number;
  readonly unplannedExits: readonly UnplannedExit[];
  /** Starts the process and resolves once it logs `readyMessage`. */
  start(): Promise<void>;
  /** SIGKILL, as a crash or an OOM killer would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Stops for good: no restart after this. */
  stop(): Promise<void>;
  /** Whether it is running and has said it is ready. */
  isReady(): boolean;
  /** For an exiting harness, which cannot wait: SIGKILL now, no restart. */
  killAtExit(): void;
}

export function superviseServiceProcess(options: {
  name: string;
  /** A script under the project root, e.g. `src/workers/main.ts`. */
  script: string;
  env: NodeJS.ProcessEnv;
  /** The pino `msg` the process logs once it serves. */
  readyMessage: string;
  logFile: string;
  /** Where to print lines the run should see (crashes). */
  warn: (line: string) => void;
}): ServiceProcess {
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  let child: ChildProcess | null = null;
  let ready = false;
  let stopped = false;
  let kills = 0;
  const unplannedExits: UnplannedExit[] = [];
  const killedByUs = new WeakSet<ChildProcess>();

  function launch(): Promise<void> {
    const started = spawn(process.execPath, [options.script], {
      cwd: projectRoot,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    ready = false;
    started.stderr?.pipe(log, { end: false });
    const lines = createInterface({ input: started.stdout as NodeJS.ReadableStream });
    const readiness = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} did not log "${options.readyMessage}" within ${READY_TIMEOUT_MS}ms`)),
        READY_TIMEOUT_MS,
      );
      lines.on('line', (line) => {
        log.write(`${line}\n`);
        if (!ready && line.includes(`"msg":"${options.readyMessage}"`)) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code, signal) => {
        clearTimeout(timer);
        ready = false;
        if (child === started) child = null;
        if (killedByUs.has(started) || stopped)
          return reject(new Error(`${options.name} was stopped before it was ready`));
        unplannedExits.push({ at: Date.now(), code, signal });
        options.warn(`${options.name} exited on its own (code ${code}, signal ${signal}); restarting it`);
        if (unplannedExits.length > MAX_UNPLANNED_RESTARTS) {
          return reject(new Error(`${options.name} keeps exiting: ${unplannedExits.length} unplanned exits`));
        }
        setTimeout(() => {
          if (!stopped && child === null) launch().then(resolve, reject);
        }, 1_000);
      });
    });
    return readiness;
  }

  function killChild(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      running.once('exit', () => resolve());
      killedByUs.add(running);
      running.kill('SIGKILL');
    });
  }

  return {
    name: options.name,
    get kills() {
      return kills;
    },
    unplannedExits,
    start: launch,
    async kill() {
      kills += 1;
      await killChild();
    },
    async stop() {
      stopped = true;
      await killChild();
      await new Promise<void>((resolve) => log.end(resolve));
    },
    isReady: () => ready && child !== null,
    killAtExit() {
      stopped = true;
      child?.kill('SIGKILL');
    },
  };
}
