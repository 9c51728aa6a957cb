import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './temp';

export const REPO = path.resolve(__dirname, '..');

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
}

function runOnce(command: string, args: string[], options: SpawnSyncOptions): Run {
  const r = spawnSync(command, args, { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, ...options });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '') + (r.error ? `\n${r.error.message}` : '');
  return { status: r.status, stdout, stderr, output: stdout + stderr };
}

/**
 * npm's error when the registry answers with a package's metadata from before a release that
/* 7.29.17, a day and a half after its
 * release, in one `npm install` in two (the same request, answered by different registry caches).
 * Not the project's failure: the install runs again.
 */
const REGISTRY_LAG = /npm error code ETARGET/;
const REGISTRY_LAG_ATTEMPTS = 4;
const REGISTRY_LAG_PAUSE_MS = 15000;

/**
 * Runs `attempt` again while it fails with {@link REGISTRY_LAG}, at most
 * {@link REGISTRY_LAG_ATTEMPTS} times, after `reset` (what a failed attempt left behind).
 */
export function retryingRegistryLag(what: string, attempt: () => Run, reset: () => void = () => undefined, pauseMs = REGISTRY_LAG_PAUSE_MS): Run {
  for (let i = 1; ; i++) {
    const r = attempt();
    if (r.status === 0 || i === REGISTRY_LAG_ATTEMPTS || !REGISTRY_LAG.test(r.output)) {
      return r;
    }
    process.stderr.write(`${what}: ${/No matching version found for \S+/.exec(r.output)?.[0] ?? 'ETARGET'} (registry lag); again in ${pauseMs / 1000} s\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    reset();
  }
}

/** Runs a command, capturing its output; never throws. An npm install that meets registry lag runs again. */
export function run(command: string, args: string[], options: SpawnSyncOptions = {}): Run {
  return retryingRegistryLag(`${command} ${args.join(' ')}`, () => runOnce(command, args, options));
}

/** Like {@link run}, but fails the test with the command's output when it exits non-zero. */
export function mustRun(command: string, args: string[], options: SpawnSyncOptions = {}): Run {
  const r = run(command, args, options);
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${r.output.slice(-6000)}`);
  }
  return r;
}

let packed: string | undefined;

/**
 * The package as users get it: `npm pack` of the compiled repository
 * (lib/, .jsii, templates/, bundled dependencies), made once per test run.
 */
export function packStagecraft(): string {
  if (packed) {
    return packed;
  }
  if (!fs.existsSync(path.join(REPO, '.jsii')) || !fs.existsSync(path.join(REPO, 'lib', 'index.js'))) {
    throw new Error('stagecraft is not compiled: run "npx projen compile" (the test command does) before the real-tool tests.');
  }
  const dest = tempDir('stagecraft-pack-');
  const r = mustRun('npm', ['pack', '--pack-destination', dest, '--silent'], { cwd: REPO });
  packed = path.join(dest, r.stdout.trim().split('\n').pop()!.trim());
  return packed;
}

/** projen's version as stagecraft's peer range pins it, so `projen new` uses the projen stagecraft is built for. */
export function projenVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf-8'));
  return String(pkg.devDependencies.projen).replace(/^[\^~]/, '');
}

/** PATH without any folder that holds a `poetry` executable: "a machine with Node and no Poetry". */
export function pathWithoutPoetry(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !fs.existsSync(path.join(dir, 'poetry')))
    .join(path.delimiter);
}

/**
 * The environment a user's shell has: jest's NODE_ENV=test would silence
 * projen's logging in child processes and move their outdir to a temp dir,
 * and the CI runner's CI=true would make projen's NodePackage install with
 * its frozen `install:ci` task (`npm ci`), which fails in a project that
 * `projen new` has just created and that has no lock file yet.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutPoetry() };
  delete env.NODE_ENV;
  delete env.JEST_WORKER_ID;
  delete env.CI;
  return { ...env, ...extra };
}

/** Creates a project the way a user does: `npx projen new --from <tarball> <type> [flags]` in an empty folder. */
export function projenNew(dir: string, type: string, flags: string[], env: NodeJS.ProcessEnv = {}, tarball = packStagecraft()): Run {
  fs.mkdirSync(dir, { recursive: true });
  const args = ['-y', `projen@${projenVersion()}`, 'new', '--from', tarball, type, '--no-git', ...flags];
  // A new project's install can meet registry lag too; it runs again in the folder emptied.
  const empty = () => fs.readdirSync(dir).forEach((entry) => fs.rmSync(path.join(dir, entry), { recursive: true, force: true }));
  return retryingRegistryLag(`projen new ${type}`, () => runOnce('npx', args, { cwd: dir, env: userEnv(env) }), empty);
}

/** `npx projen [task]` in a generated project. */
export function npxProjen(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
  return run('npx', ['projen', ...args], { cwd: dir, env: userEnv(env) });
}
