/**
 * Real-tool test harness: a container engine (buildah, as root, chroot isolation), stand-in base
 * images, a Debian 13 tool root (Poetry 2, Python 3.13, Go 1.24, Node) and a local Python package
 * index, all made by scripts/ and cached. No Docker daemon, container registry or PyPI is needed.
 *
 * Call {@link ensureEngineReady} in a beforeAll; everything else assumes it ran.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository's scripts/ folder. */
export const SCRIPTS = path.resolve(__dirname, '../../scripts');

const MAX_BUFFER = 512 * 1024 * 1024;

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BuildResult extends CommandResult {
  /** Wall-clock seconds the build took. */
  readonly seconds: number;
}

function exec(command: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  const r = spawnSync(command, args, { encoding: 'utf-8', maxBuffer: MAX_BUFFER, ...options });
  const stderr = String(r.stderr ?? '') + (r.error ? `${r.error.message}\n` : '');
  // A signal-killed or unstartable process has no exit status: report it as a failure.
  const status = r.status ?? (r.signal ? 128 + (os.constants.signals[r.signal] ?? 0) : 127);
  return { status, stdout: String(r.stdout ?? ''), stderr };
}

function mustExec(command: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  const r = exec(command, args, options);
  if (r.status !== 0) {
    const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-15).join('\n');
    throw new Error(`${path.basename(command)} ${args.join(' ')} exited ${r.status}:\n${tail}`);
  }
  return r;
}

/** The cache root the scripts use (STAGECRAFT_CACHE, else $XDG_CACHE_HOME/stagecraft, else ~/.cache/stagecraft). */
export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return process.env.STAGECRAFT_CACHE || path.join(xdg, 'stagecraft');
}

let ready = false;

/**
 * Installs buildah/podman/debootstrap if missing, and builds (or finds up to date) the tool root,
 * the wheel index and the stand-in images. Each script is idempotent and takes about a second
 * when its cache is current; a cold machine takes several minutes (debootstrap, apt-get).
 * Throws with the failing script's last lines.
 */
export function ensureEngineReady(): void {
  if (ready) {
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the engine tests need root (debootstrap, chroot and buildah run as root)');
  }
  for (const script of ['install-engine', 'toolroot', 'wheel-index', 'standin-images']) {
    mustExec(path.join(SCRIPTS, script), []);
  }
  ready = true;
}

export interface PackageIndex {
  /** The PEP 503 index URL, `http://127.0.0.1:PORT/simple/`: for PIP_INDEX_URL and `[[tool.poetry.source]]`. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves the local wheel index (Poetry 2.1.2, pytest, requests, httpx, ... repacked from Debian 13)
 * on a free port of 127.0.0.1. Each call starts its own server.
 * Poetry records the source URL in poetry.lock's content-hash: lock against the same server
 * you build with.
 */
export async function startPackageIndex(): Promise<PackageIndex> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-index-'));
  const pidFile = path.join(dir, 'serve-index.pid');
  const script = path.join(SCRIPTS, 'serve-index');
  const url = mustExec(script, ['--pid-file', pidFile]).stdout.trim().split('\n').pop()!;
  return {
    url,
    stop: async () => {
      mustExec(script, ['--stop', '--pid-file', pidFile]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `cmd` inside the Debian 13 tool root with `dir` mounted at the same path and as cwd; host
 * network (so a {@link startPackageIndex} URL works), the caller's environment plus `env`.
 * Tip: set POETRY_VIRTUALENVS_IN_PROJECT=true, or Poetry keeps venvs in the tool root's ~/.cache.
 */
export function inToolroot(dir: string, cmd: string[], env: Record<string, string> = {}): CommandResult {
  return exec(path.join(SCRIPTS, 'in-toolroot'), [dir, '--', ...cmd], { env: { ...process.env, ...env } });
}

export interface BuildImageOptions {
  readonly contextDir: string;
  /** Path of the Dockerfile, relative to contextDir unless absolute. Default: contextDir/Dockerfile. */
  readonly dockerfile?: string;
  readonly tag: string;
  readonly buildArgs?: Record<string, string>;
  readonly target?: string;
  /**
   * Ignore cached layers (default false: layer caching on, so rebuilds are fast). buildah 1.28
   * quirk: the next cached build after a --no-cache one may miss the cache once.
   */
  readonly noCache?: boolean;
  /**
   * e.g. 'linux/amd64'. Without it TARGETOS/TARGETARCH are still set (to the host's), but buildah
   * 1.28 warns 'missing "TARGETOS" build argument' on stderr.
   */
  readonly platform?: string;
  /** More `buildah bud` arguments, before the context folder. */
  readonly extraArgs?: string[];
}

/**
 * `buildah bud` of a Dockerfile, unchanged, as Docker would build it:
 * - `--format docker`: the OCI format drops HEALTHCHECK (and SHELL, ONBUILD) with a warning;
 * - `--layers`: layer cache, like Docker's; `RUN --mount=type=cache` works without flags;
 * - `--pull=never`: base images are the local stand-ins; a missing one fails at once rather than
 *   after trying an unreachable registry;
 * - `--network host`: RUN steps reach 127.0.0.1 (the package index);
 * - `--isolation chroot`: no OCI runtime (crun/runc cannot start containers on these machines);
 * - `--force-rm`: a failed build leaves no working container behind.
 */
export function buildImage(opts: BuildImageOptions): BuildResult {
  const dockerfile = path.resolve(opts.contextDir, opts.dockerfile ?? 'Dockerfile');
  const args = ['bud', '--isolation', 'chroot', '--layers', '--network', 'host', '--pull=never', '--format', 'docker',
    '--force-rm', '-f', dockerfile, '-t', opts.tag];
  for (const [key, value] of Object.entries(opts.buildArgs ?? {})) {
    args.push('--build-arg', `${key}=${value}`);
  }
  if (opts.target) {
    args.push('--target', opts.target);
  }
  if (opts.noCache) {
    args.push('--no-cache');
  }
  if (opts.platform) {
    args.push('--platform', opts.platform);
  }
  args.push(...opts.extraArgs ?? [], opts.contextDir);
  const start = process.hrtime.bigint();
  const r = exec('buildah', args);
  return { ...r, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** A working container of `tag` for the length of `fn`, then removed. */
function withContainer<T>(tag: string, fn: (container: string) => T): T {
  const container = mustExec('buildah', ['from', '--pull=never', '--quiet', tag]).stdout.trim().split('\n').pop()!;
  try {
    return fn(container);
  } finally {
    exec('buildah', ['rm', container]);
  }
}

export interface RunImageOptions {
  /** Replaces the image's ENTRYPOINT (and, as `docker run --entrypoint` does, its CMD). [] clears it. */
  readonly entrypoint?: string[];
  /** More environment variables, over the image's own. */
  readonly env?: Record<string, string>;
  /** Overrides the image's USER. */
  readonly user?: string;
  /** Sent to the command's stdin. */
  readonly input?: string;
}

/**
 * Runs an image as `docker run` would: ENTRYPOINT + (cmd, or the image's CMD), as the image's
 * USER, in its WORKDIR, with its ENV. Implemented as `buildah from` + `buildah run --isolation
 * chroot` + `buildah rm` (`podman run` does not work on these machines). No network isolation.
 */
export function runImage(tag: string, cmd?: string[], opts: RunImageOptions = {}): CommandResult {
  return withContainer(tag, (container) => {
    const config = containerConfig(container);
    const entrypoint = opts.entrypoint ?? config.Entrypoint ?? [];
    const args = cmd ?? (opts.entrypoint !== undefined ? [] : config.Cmd ?? []);
    const argv = [...entrypoint, ...args];
    if (argv.length === 0) {
      throw new Error(`${tag} has no ENTRYPOINT or CMD, and no command was given`);
    }
    const flags = ['run', '--isolation', 'chroot'];
    if (config.WorkingDir) {
      flags.push('--workingdir', config.WorkingDir);
    }
    if (opts.user !== undefined) {
      flags.push('--user', opts.user);
    }
    for (const [key, value] of Object.entries(opts.env ?? {})) {
      flags.push('--env', `${key}=${value}`);
    }
    const r = exec('buildah', [...flags, container, '--', ...argv], { input: opts.input ?? '' });
    // buildah adds its own lines about a non-zero exit; the status says it already.
    const stderr = r.stderr.replace(/^(subprocess exited with status \d+|Error: exit status \d+)\n/gm, '');
    return { ...r, stderr };
  });
}

interface ContainerConfig {
  User?: string;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Env?: string[];
  WorkingDir?: string;
}

function containerConfig(container: string): ContainerConfig {
  const inspect = JSON.parse(mustExec('buildah', ['inspect', '--type', 'container', container]).stdout);
  const config: ContainerConfig = inspect.OCIv1?.config ?? {};
  return { ...config, Entrypoint: config.Entrypoint?.length ? config.Entrypoint : undefined };
}

export interface ImageInfo {
  readonly id: string;
  /** Uncompressed size in bytes, as `podman images` counts it. */
  readonly size: number;
  readonly user: string;
  readonly cmd: string[];
  readonly entrypoint: string[];
  /** ENV as a map (later values win, as in the image config). */
  readonly env: Record<string, string>;
  readonly labels: Record<string, string>;
  /** e.g. ['8080/tcp']. */
  readonly exposedPorts: string[];
  readonly workingDir: string;
  readonly stopSignal?: string;
  /** As the image config has it, e.g. { Test: ['CMD-SHELL', 'curl -f ...'], Interval: 30000000000 }. */
  readonly healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  readonly layers: number;
  /** The full `podman image inspect` record, for anything else. */
  readonly raw: any;
}

/** What `podman image inspect` says of an image. Throws if there is no such image. */
export function imageInfo(tag: string): ImageInfo {
  const raw = JSON.parse(mustExec('podman', ['image', 'inspect', tag]).stdout)[0];
  const config = raw.Config ?? {};
  const env: Record<string, string> = {};
  for (const entry of (config.Env ?? []) as string[]) {
    const eq = entry.indexOf('=');
    env[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return {
    id: raw.Id,
    size: Number(raw.Size),
    user: config.User ?? '',
    cmd: config.Cmd ?? [],
    entrypoint: config.Entrypoint ?? [],
    env,
    labels: config.Labels ?? {},
    exposedPorts: Object.keys(config.ExposedPorts ?? {}),
    workingDir: config.WorkingDir ?? '',
    stopSignal: config.StopSignal || undefined,
    healthcheck: raw.Healthcheck ?? config.Healthcheck ?? undefined,
    layers: raw.RootFS?.Layers?.length ?? 0,
    raw,
  };
}

/**
 * Calls `fn` with the folder where the image's filesystem is mounted (`buildah mount`), read-only
 * by convention; unmounted afterwards. Absolute symlinks in there point into the image, not the
 * host: use {@link resolveInImage} to follow them.
 */
export function withImageRoot<T>(tag: string, fn: (root: string) => T): T {
  return withContainer(tag, (container) => fn(mustExec('buildah', ['mount', container]).stdout.trim()));
}

/**
 * The host path of `imagePath` inside a mounted image root, following symlinks as the image would
 * (an absolute link target is relative to the image root); undefined if it does not exist.
 */
export function resolveInImage(root: string, imagePath: string): string | undefined {
  const todo = imagePath.split('/').filter((p) => p && p !== '.');
  let current: string[] = [];
  for (let hops = 0; todo.length > 0;) {
    const part = todo.shift()!;
    if (part === '..') {
      current.pop();
      continue;
    }
    const candidate = path.join(root, ...current, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(candidate);
    } catch {
      return undefined;
    }
    if (stat.isSymbolicLink()) {
      if (++hops > 40) {
        return undefined;
      }
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) {
        current = [];
      }
      todo.unshift(...target.split('/').filter((p) => p && p !== '.'));
      continue;
    }
    current.push(part);
  }
  return path.join(root, ...current);
}

/** Whether a path exists in the image (like `test -e` in it; works on images without a shell). */
export function imageFileExists(tag: string, imagePath: string): boolean {
  return withImageRoot(tag, (root) => resolveInImage(root, imagePath) !== undefined);
}

/** A file's content in the image, or undefined if it is not there. */
export function readImageFile(tag: string, imagePath: string): string | undefined {
  return withImageRoot(tag, (root) => {
    const file = resolveInImage(root, imagePath);
    return file && fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf-8') : undefined;
  });
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/**
 * Image paths matching an absolute glob: `*` and `?` within a name, `**` across folders, e.g.
 * '/usr/bin/*gcc*', '/**\/bin/poetry', '/root/.cache/**'. Files, folders and symlinks (not
 * followed below the glob's literal prefix). Sorted.
 */
export function listImagePaths(tag: string, glob: string): string[] {
  if (!glob.startsWith('/')) {
    throw new Error(`listImagePaths wants an absolute glob, got ${glob}`);
  }
  const parts = glob.split('/');
  const literal = parts.findIndex((p) => /[*?]/.test(p));
  const prefix = (literal < 0 ? parts : parts.slice(0, literal)).join('/') || '/';
  const matcher = globToRegExp(glob);
  return withImageRoot(tag, (root) => {
    const start = resolveInImage(root, prefix);
    if (!start) {
      return [];
    }
    const found: string[] = [];
    const visit = (hostPath: string, imagePath: string) => {
      if (matcher.test(imagePath)) {
        found.push(imagePath);
      }
      const stat = fs.lstatSync(hostPath);
      if (stat.isDirectory()) {
        for (const name of fs.readdirSync(hostPath)) {
          visit(path.join(hostPath, name), path.posix.join(imagePath, name));
        }
      }
    };
    visit(start, prefix);
    return found.sort();
  });
}

/** Removes an image (tag or id); true if it was there and is gone. */
export function removeImage(tag: string): boolean {
  return exec('buildah', ['rmi', tag]).status === 0;
}
