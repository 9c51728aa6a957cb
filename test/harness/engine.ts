import * as fs from 'fs';
import * as path from 'path';
import { CommandResult } from './command';

export interface BuildResult extends CommandResult {
  /** Wall-clock seconds the build took. */
  readonly seconds: number;
}

export interface BuildImageOptions {
  readonly contextDir: string;
  /** Path of the Dockerfile, relative to contextDir unless absolute. Default: contextDir/Dockerfile. */
  readonly dockerfile?: string;
  readonly tag: string;
  readonly buildArgs?: Record<string, string>;
  /** Named build contexts, name to folder (`--build-context NAME=FOLDER`, relative to the process's cwd unless absolute). */
  readonly buildContexts?: Record<string, string>;
  readonly target?: string;
  /**
   * Ignore cached layers (default false: layer caching on, so rebuilds are fast). The engines
   * differ on RUN cache mounts: buildah keeps them; BuildKit starts the build's cache mounts
   * empty too (moby/buildkit#1213). buildah 1.28 quirk: the next cached build after a
   * --no-cache one may miss the cache once.
   */
  readonly noCache?: boolean;
  /**
   * Start with empty RUN cache mounts, without touching anyone else's (default false), for a
   * build as a fresh machine's first. buildah: its cache mounts live under $TMPDIR, so the build
   * gets a TMPDIR of its own, removed afterwards. Docker: only with `noCache` (BuildKit has no
   * other per-build switch, and `--no-cache` empties them).
   */
  readonly emptyCacheMounts?: boolean;
  /**
   * e.g. 'linux/amd64'. Without it TARGETOS/TARGETARCH are still set (to the host's), but buildah
   * 1.28 warns 'missing "TARGETOS" build argument' on stderr.
   */
  readonly platform?: string;
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

/** How {@link ContainerEngine.startImage} runs the image. */
export interface StartImageOptions {
  /**
   * buildah only: run the command under the image's /bin/sh with its output through a pipe the
   * app's user owns. Under buildah the app's stdout/stderr are root-owned pipes, so a non-root
   * server that reopens /dev/stdout (nginx's log files are links to it) cannot; Docker gives the
   * container its own, and runs the command as it is. The run's exit status is then the shell's.
   * @default false
   */
  readonly pipeOutput?: boolean;
}

/** An image started in the background by {@link ContainerEngine.startImage}. */
export interface RunningContainer {
  /** The host PID of the image's main process. */
  readonly pid: number;
  /**
   * The port of the host's 127.0.0.1 where the container's `port` is reached: the same under
   * buildah (the host's network), a free one that Docker publishes it on (a fixed one would clash
   * with whatever else listens there on a shared machine).
   */
  hostPort(port: number): number;
  /**
   * Runs a command in the running container, as its USER in its WORKDIR: as Docker runs the
   * image's HEALTHCHECK (and `docker exec`). On the container's network, so 127.0.0.1 is the app's.
   */
  exec(cmd: string[]): CommandResult;
  /** Sends a signal to the image's main process (default SIGTERM) and waits for the run to end. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CommandResult>;
}

export interface ImageInfo {
  readonly id: string;
  /** Uncompressed size in bytes, as the engine counts it (`podman images`, `docker images`). */
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
  /** The engine's full inspect record, for anything else. */
  readonly raw: any;
}

/**
 * A container engine the engine tests build and run images with, each its own way
 * (test/harness/buildah.ts, test/harness/docker.ts), behind the same calls: a test
 * runs with every engine in {@link ENGINES} (`describe.each(ENGINES)('%s', (engine) => ...)`).
 * Each engine has its own image store: an image built by one is not in the other.
 */
export abstract class ContainerEngine {
  /** The flags `buildah bud` and `docker build` spell alike: build args, named contexts, target, no cache, platform. */
  protected static sharedBuildFlags(opts: BuildImageOptions): string[] {
    const flags = Object.entries(opts.buildArgs ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
    flags.push(...Object.entries(opts.buildContexts ?? {}).flatMap(([name, folder]) => ['--build-context', `${name}=${folder}`]));
    if (opts.target) {
      flags.push('--target', opts.target);
    }
    if (opts.noCache) {
      flags.push('--no-cache');
    }
    if (opts.platform) {
      flags.push('--platform', opts.platform);
    }
    return flags;
  }

  /** `buildah` or `docker`: what test names show. */
  public abstract readonly name: string;

  /**
   * Whether a running image shares the host's network namespace (buildah's chroot isolation): a
   * server's port is then the host's own. Otherwise (Docker) a server is reached through the
   * ports it EXPOSEs, which {@link startImage} publishes on the host (see {@link RunningContainer.hostPort}).
   */
  public abstract readonly hostNetwork: boolean;

  /**
   * The environment in which a generated project's own tasks (`docker:build`, `verify`) use this
   * engine on this machine: CONTAINER_ENGINE, and the build flags {@link buildImage} passes too.
   */
  public abstract taskEnvironment(): Record<string, string>;

  /** Builds a Dockerfile unchanged, as `docker build` would. */
  public abstract buildImage(opts: BuildImageOptions): BuildResult;

  /**
   * Runs an image as `docker run` would: ENTRYPOINT + (cmd, or the image's CMD), as the image's
   * USER, in its WORKDIR, with its ENV; stdin from `opts.input`.
   */
  public abstract runImage(tag: string, cmd?: string[], opts?: RunImageOptions): CommandResult;

  /**
   * Starts an image's ENTRYPOINT + CMD (or `cmd`) in the background, as `docker run -d` would,
   * as the image's USER in its WORKDIR with its ENV, its EXPOSEd ports reachable on the host's
   * 127.0.0.1 ({@link RunningContainer.hostPort}). {@link RunningContainer.stop} signals the app
   * itself, so a test sees how it handles SIGTERM.
   */
  public abstract startImage(tag: string, cmd?: string[], opts?: StartImageOptions): Promise<RunningContainer>;

  /**
   * Calls `fn` with a folder holding the image's filesystem, read-only by convention; gone
   * afterwards. Absolute symlinks in there point into the image, not the host: use {@link
   * resolveInImage} to follow them.
   */
  public abstract withImageRoot<T>(tag: string, fn: (root: string) => T): T;

  /** Removes an image (tag or id); true if it was there and is gone. */
  public abstract removeImage(tag: string): boolean;

  /** Gives an image another name. */
  public abstract tagImage(source: string, target: string): void;

  /** The engine's own inspect record of an image (Docker's format). Throws if there is no such image. */
  protected abstract inspectImage(tag: string): any;

  /** Like {@link buildImage}, but a failed build fails the test with the end of the engine's output. */
  public mustBuildImage(opts: BuildImageOptions): BuildResult {
    const r = this.buildImage(opts);
    if (r.status !== 0) {
      throw new Error(`${this.name}: build of ${opts.tag} failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    }
    return r;
  }

  /** What the engine says of an image. Throws if there is no such image. */
  public imageInfo(tag: string): ImageInfo {
    const raw = this.inspectImage(tag);
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

  /** Whether a path exists in the image (like `test -e` in it; works on images without a shell). */
  public imageFileExists(tag: string, imagePath: string): boolean {
    return this.withImageRoot(tag, (root) => resolveInImage(root, imagePath) !== undefined);
  }

  /** A file's content in the image, or undefined if it is not there. */
  public readImageFile(tag: string, imagePath: string): string | undefined {
    return this.withImageRoot(tag, (root) => {
      const file = resolveInImage(root, imagePath);
      return file && fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf-8') : undefined;
    });
  }

  /**
   * Image paths matching an absolute glob: `*` and `?` within a name, `**` across folders, e.g.
   * '/usr/bin/*gcc*', '/**\/bin/poetry', '/root/.cache/**'. Files, folders and symlinks (not
   * followed below the glob's literal prefix). Sorted.
   */
  public listImagePaths(tag: string, glob: string): string[] {
    if (!glob.startsWith('/')) {
      throw new Error(`listImagePaths wants an absolute glob, got ${glob}`);
    }
    const parts = glob.split('/');
    const literal = parts.findIndex((p) => /[*?]/.test(p));
    const prefix = (literal < 0 ? parts : parts.slice(0, literal)).join('/') || '/';
    const matcher = globToRegExp(glob);
    return this.withImageRoot(tag, (root) => {
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

  /** The engine's name, for test titles (`describe.each(ENGINES)('%s', ...)`). */
  public toString(): string {
    return this.name;
  }
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
