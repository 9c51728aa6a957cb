/**
 * Real-tool test harness: a container engine (buildah, as root, chroot isolation), stand-in base
 * images, a Debian 13 tool root (Poetry 2, Python 3.13, Go 1.24, Node) and a local Python package
 * index, all made by scripts/ and cached. No Docker daemon, container registry or PyPI is needed.
 *
 * Call {@link ensureEngineReady} in a beforeAll; everything else assumes it ran.
 */
import { spawn, spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
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
 * - `--force-rm`: a failed build leaves no working container behind;
 * - the host's CA bundle, read-only in every RUN (never in a layer): this machine reaches the npm
 *   registry through a TLS-inspecting proxy only the host trusts, as a corporate build host does.
 */
export function buildImage(opts: BuildImageOptions): BuildResult {
  const dockerfile = path.resolve(opts.contextDir, opts.dockerfile ?? 'Dockerfile');
  const args = ['bud', '--isolation', 'chroot', '--layers', '--network', 'host', '--pull=never', '--format', 'docker',
    '--force-rm', '-f', dockerfile, '-t', opts.tag, ...hostCaMount()];
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

/** Like {@link buildImage}, but a failed build fails the test with the end of the engine's output. */
export function mustBuildImage(opts: BuildImageOptions): BuildResult {
  const r = buildImage(opts);
  if (r.status !== 0) {
    throw new Error(`build of ${opts.tag} failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  }
  return r;
}

const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/** `--volume` of the host's CA bundle for RUN steps, when the host has one. */
export function hostCaMount(): string[] {
  return fs.existsSync(HOST_CA) ? ['--volume', `${HOST_CA}:${HOST_CA}:ro`] : [];
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

export interface RunningContainer {
  /** The host PID of the image's main process (chroot isolation shares the host's PID space). */
  readonly pid: number;
  /** Sends a signal to the image's main process (default SIGTERM) and waits for the run to end. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CommandResult>;
}

/**
 * Starts an image's ENTRYPOINT + CMD (or `cmd`) in the background, as `docker run -d` would,
 * as the image's USER in its WORKDIR with its ENV. Chroot isolation shares the host's network
 * and PID space: a service's port is reachable from the test on 127.0.0.1, and {@link
 * RunningContainer.stop} signals the app itself, so a test sees how it handles SIGTERM.
 */
export interface StartImageOptions {
  /**
   * Run the command under the image's /bin/sh with its output through a pipe the app's user owns.
   * Under buildah the app's stdout/stderr are root-owned pipes, so a non-root server that reopens
   * /dev/stdout (nginx's log files are links to it) cannot; Docker gives the container its own.
   * The run's exit status is then the shell's, not the app's.
   * @default false
   */
  readonly pipeOutput?: boolean;
}

export async function startImage(tag: string, cmd?: string[], opts: StartImageOptions = {}): Promise<RunningContainer> {
  const container = mustExec('buildah', ['from', '--pull=never', '--quiet', tag]).stdout.trim().split('\n').pop()!;
  const config = containerConfig(container);
  const app = [...(config.Entrypoint ?? []), ...(cmd ?? config.Cmd ?? [])];
  const argv = opts.pipeOutput ? ['/bin/sh', '-c', 'exec "$@" 2>&1 | cat', 'sh', ...app] : app;
  const flags = ['run', '--isolation', 'chroot', ...(config.WorkingDir ? ['--workingdir', config.WorkingDir] : [])];
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-run-'));
  const outFile = path.join(logs, 'stdout');
  const errFile = path.join(logs, 'stderr');
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(errFile, 'w');
  const child = spawn('buildah', [...flags, container, '--', ...argv], { stdio: ['ignore', out, err] });
  fs.closeSync(out);
  fs.closeSync(err);
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  // The app is the process under this buildah run that runs the image's program.
  let pid: number;
  try {
    pid = await waitFor(() => (child.exitCode === null ? findDescendant(child.pid!, app[0]) : -1), 15000);
  } catch (e) {
    child.kill('SIGKILL');
    pid = -1;
  }
  if (pid === -1) {
    await exited;
    exec('buildah', ['rm', container]);
    const stderr = fs.readFileSync(errFile, 'utf-8');
    fs.rmSync(logs, { recursive: true, force: true });
    throw new Error(`${tag}: ${argv.join(' ')} did not start:\n${stderr.slice(-3000)}`);
  }
  return {
    pid,
    stop: async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000) => {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
      // Cleared once the app has exited: a pending timer keeps jest from exiting after the last test.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)));
      const status = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (status === -1) {
        child.kill('SIGKILL');
        await exited;
      }
      exec('buildah', ['rm', container]);
      const stdout = fs.readFileSync(outFile, 'utf-8');
      const stderr = fs.readFileSync(errFile, 'utf-8').replace(/^(subprocess exited with status \d+|Error: exit status \d+)\n/gm, '');
      fs.rmSync(logs, { recursive: true, force: true });
      return { status: status === -1 ? 137 : status, stdout, stderr };
    },
  };
}

/** Polls `probe` until it returns a value or the time is up. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitFor: nothing after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A descendant of `root` whose command line starts with (or whose executable ends with) `program`. */
function findDescendant(root: number, program: string): number | undefined {
  const children = new Map<number, number[]>();
  const argv = new Map<number, string[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf-8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const pid = Number(entry);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      argv.set(pid, fs.readFileSync(`/proc/${entry}/cmdline`, 'utf-8').split('\0').filter(Boolean));
    } catch {
      // the process ended while we looked
    }
  }
  const queue = [...(children.get(root) ?? [])];
  const name = path.basename(program);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    // By executable, not argv: servers such as nginx rewrite their process title.
    let exe = '';
    try {
      exe = fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // gone, or a kernel thread
    }
    const args = argv.get(pid) ?? [];
    if (path.basename(exe) === name || (args[0] && (args[0] === program || path.basename(args[0]) === name))) {
      return pid;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return undefined;
}

/** An HTTP GET from the test process; resolves with the status and body, or rejects on a network error. */
export function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
    req.on('error', reject);
  });
}
