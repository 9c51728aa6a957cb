import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandResult, exec, mustExec, SCRIPTS } from './command';
import { BuildImageOptions, BuildResult, ContainerEngine, RunImageOptions, RunningContainer, StartImageOptions } from './engine';

/** The client of scripts/docker-engine's dockerd (the root's own `docker`, with buildx and compose). */
const DOCKER = path.join(SCRIPTS, 'docker');

/**
 * dockerd's warning on every run on its bridge: this host forwards no IP traffic, which only
 * matters for a container reaching past the host (scripts/docker-engine says why).
 */
const FORWARDING_WARNING = /^WARNING: IPv4 forwarding is disabled\. Networking will not work\.\n/gm;

function docker(args: string[], input?: string): CommandResult {
  const r = exec(DOCKER, args, input === undefined ? {} : { input });
  return { ...r, stderr: r.stderr.replace(FORWARDING_WARNING, '') };
}

function mustDocker(args: string[]): CommandResult {
  return mustExec(DOCKER, args);
}

/** A Dockerfile for {@link Docker.checkDockerfiles}. */
export interface CheckTarget {
  /** The build context: the project's folder, its `.dockerignore` included (BuildKit's CopyIgnoredFile reads it). */
  readonly contextDir: string;
  /** Path of the Dockerfile, relative to contextDir. Default: Dockerfile. */
  readonly dockerfile?: string;
  /** The images its FROM lines name, as written (no variables): see {@link Docker.checkDockerfiles}. */
  readonly baseImages: string[];
}

/** One warning of BuildKit's build checks. */
export interface CheckWarning {
  /** BuildKit's rule, e.g. `UndefinedVar`. */
  readonly rule: string;
  /** 1-based line of the Dockerfile. */
  readonly line: number;
  /** BuildKit's message. */
  readonly detail: string;
}

/** What BuildKit's build checks said of one {@link CheckTarget}. */
export interface CheckResult {
  readonly target: CheckTarget;
  readonly warnings: CheckWarning[];
  /** Why BuildKit could not check the Dockerfile at all (a parse error, an image it could not resolve). */
  readonly error?: string;
}

/** How {@link Docker.checkDockerfiles} checks. */
export interface CheckOptions {
  /**
   * Every rule, the experimental ones included: the `BUILDKIT_DOCKERFILE_CHECK=experimental=all`
   * build arg, which replaces the Dockerfile's `# check=` directive (its `skip=` too).
   * @default false: the directive's rules
   */
  readonly experimentalRules?: boolean;
}

/**
 * Dockerfiles one `docker buildx bake` checks. All 264 of the lint corpus in one run failed here
 * once ("failed to receive status: ... no such job"). Measured on the corpus: 16, 32, 64 and 132 a
 * run took 17, 13, 14 and 11 s; one `docker build --check` a Dockerfile takes about 0.55 s, over
 * 2 minutes for the corpus.
 */
const CHECK_BATCH = 32;

/** The PATH the official base images set; the only variable the check's stand-in metadata declares. */
const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The real Docker engine (scripts/docker-engine): dockerd 28 with BuildKit, runc, containers on
 * its own bridge network. The stand-in base images are loaded into it by scripts/standin-images
 * --docker.
 */
export class Docker extends ContainerEngine {
  public readonly name = 'docker';
  public readonly hostNetwork = false;

  /**
   * `docker build` (BuildKit, through buildx) of a Dockerfile, unchanged:
   * - `--network host`: RUN steps reach 127.0.0.1 (the package index) and, through the host, the
   *   npm registry (containers on dockerd's bridge reach no further than the host);
   * - `--progress plain`: a failed step's output in full, for the test's message.
   * Base images are the stand-ins in dockerd's store; BuildKit pulls nothing it has.
   * A `# syntax=` directive makes BuildKit fetch that frontend image, which fails here
   * (test projects leave it out: see BUILT_IN_FRONTEND).
   */
  public buildImage(opts: BuildImageOptions): BuildResult {
    if (opts.emptyCacheMounts && !opts.noCache) {
      throw new Error(`${opts.tag}: Docker starts with empty cache mounts only in a --no-cache build (noCache)`);
    }
    const dockerfile = path.resolve(opts.contextDir, opts.dockerfile ?? 'Dockerfile');
    const args = ['build', '--network', 'host', '--progress', 'plain', '-f', dockerfile, '-t', opts.tag,
      ...ContainerEngine.sharedBuildFlags(opts), opts.contextDir];
    const start = process.hrtime.bigint();
    const r = docker(args);
    return { ...r, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  }

  /** The client wrapper (its name ends in "docker", as docker:build matches engines), with {@link buildImage}'s network. */
  public taskEnvironment(): Record<string, string> {
    return { CONTAINER_ENGINE: DOCKER, CONTAINER_BUILD_FLAGS: '--network host' };
  }

  /** `docker run --rm -i`, on dockerd's default (bridge) network. */
  public runImage(tag: string, cmd?: string[], opts: RunImageOptions = {}): CommandResult {
    const args = ['run', '--rm', '-i'];
    let command = cmd ?? [];
    if (opts.entrypoint !== undefined) {
      // `--entrypoint` takes one program; the rest of ours goes before the command's arguments.
      args.push('--entrypoint', opts.entrypoint[0] ?? '');
      command = [...opts.entrypoint.slice(1), ...command];
      if (opts.entrypoint.length === 0 && command.length === 0) {
        throw new Error(`${tag}: an empty entrypoint and no command`);
      }
    }
    if (opts.user !== undefined) {
      args.push('--user', opts.user);
    }
    for (const [key, value] of Object.entries(opts.env ?? {})) {
      args.push('--env', `${key}=${value}`);
    }
    return docker([...args, tag, ...command], opts.input ?? '');
  }

  /**
   * `docker run -d` with every EXPOSEd port published, as `docker:run`'s `--publish` does, on a
   * free port of the host's 127.0.0.1: the app must listen on the container's own address, not
   * only on its loopback, as under any Docker. `pipeOutput` is buildah's workaround and is not
   * needed here: the container's stdout and stderr are its own.
   */
  public async startImage(tag: string, cmd?: string[], _opts: StartImageOptions = {}): Promise<RunningContainer> {
    const publish = this.imageInfo(tag).exposedPorts.flatMap((p) => ['--publish', `127.0.0.1::${p}`]);
    const id = mustDocker(['run', '-d', ...publish, tag, ...(cmd ?? [])]).stdout.trim();
    const state = JSON.parse(mustDocker(['inspect', '--format', '{{json .State}}', id]).stdout);
    const logs = () => {
      const r = docker(['logs', id]);
      return { stdout: r.stdout, stderr: r.stderr };
    };
    if (!state.Running) {
      const { stderr } = logs();
      docker(['rm', '-f', id]);
      throw new Error(`${tag}: ${cmd?.join(' ') ?? 'its command'} did not start (exit ${state.ExitCode}):\n${stderr.slice(-3000)}`);
    }
    return {
      pid: state.Pid,
      hostPort: (port: number) => {
        // `docker port` prints "127.0.0.1:32768".
        const published = mustDocker(['port', id, `${port}/tcp`]).stdout.trim().split('\n')[0];
        return Number(published.slice(published.lastIndexOf(':') + 1));
      },
      exec: (probe: string[]) => docker(['exec', id, ...probe]),
      stop: async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000) => {
        docker(['kill', '--signal', signal, id]);
        let wait = exec(DOCKER, ['wait', id], { timeout: timeoutMs });
        if (wait.status !== 0) {
          docker(['kill', id]);
          wait = exec(DOCKER, ['wait', id]);
        }
        const status = Number(wait.stdout.trim());
        const out = logs();
        docker(['rm', '-f', id]);
        return { status, ...out };
      },
    };
  }

  /**
   * The image's overlay2 layers, mounted read-only and together as the container would see them
   * (dockerd's data root is at the same path on the host: scripts/docker-engine).
   */
  public withImageRoot<T>(tag: string, fn: (root: string) => T): T {
    const graph = this.inspectImage(tag).GraphDriver;
    if (graph?.Name !== 'overlay2') {
      throw new Error(`${tag}: storage driver ${graph?.Name}, not overlay2`);
    }
    const top = path.dirname(graph.Data.UpperDir);
    const lower = fs.existsSync(path.join(top, 'lower')) ? fs.readFileSync(path.join(top, 'lower'), 'utf-8').trim() : '';
    if (!lower) {
      return fn(graph.Data.UpperDir); // one layer: nothing to merge
    }
    // dockerd's short links (l/ID, relative to overlay2/) keep the option within a page, as it does.
    const link = fs.readFileSync(path.join(top, 'link'), 'utf-8').trim();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-image-'));
    mustExec('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=l/${link}:${lower}`, root], { cwd: path.dirname(top) });
    try {
      return fn(root);
    } finally {
      mustExec('umount', [root]);
      fs.rmdirSync(root);
    }
  }

  /**
   * BuildKit's build checks on Dockerfiles, without building: what `docker build --check` runs
   * (`--call check`), as each Dockerfile's `# check=` directive says, or with every rule on, the
   * experimental ones too ({@link CheckOptions.experimentalRules}). The targets are checked by
   * `docker buildx bake`, in parallel, {@link CHECK_BATCH} a run (one `docker build --check` a
   * Dockerfile takes about half a second of client start-up alone).
   *
   * The checks read each FROM image's config: its ENV decides UndefinedVar, its platform
   * InvalidBaseImagePlatform. No registry is reachable and only a few stand-ins exist, so every
   * FROM image is replaced, for the check only, by a named build context (`--build-context
   * NAME=docker-image://...`) pointing at an image with no files whose config declares only PATH,
   * for linux/amd64: at most what an official image declares, so UndefinedVar is as strict as
   * with the real image or stricter. Nothing is tagged under an official name; the image is
   * removed afterwards. The Dockerfiles must have no `# syntax=` directive (BUILT_IN_FRONTEND).
   */
  public checkDockerfiles(targets: CheckTarget[], options: CheckOptions = {}): CheckResult[] {
    const metadata = `localhost/stagecraft-check/from-metadata:${process.pid}`;
    // An empty tar archive: two zero blocks.
    mustExec(DOCKER, ['import', '--platform', 'linux/amd64', '--change', `ENV PATH=${IMAGE_PATH}`, '-', metadata], { input: Buffer.alloc(1024) });
    try {
      const results: CheckResult[] = [];
      for (let i = 0; i < targets.length; i += CHECK_BATCH) {
        results.push(...this.bakeCheck(targets.slice(i, i + CHECK_BATCH), metadata, options.experimentalRules ?? false));
      }
      return results;
    } finally {
      docker(['image', 'rm', metadata]);
    }
  }

  /** One `docker buildx bake --call check` of `targets`, each FROM image replaced by `metadata`. */
  private bakeCheck(targets: CheckTarget[], metadata: string, experimentalRules: boolean): CheckResult[] {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-check-'));
    try {
      const names = targets.map((_t, i) => `dockerfile-${i}`);
      const bake = {
        group: { default: { targets: names } },
        target: Object.fromEntries(targets.map((t, i) => {
          const variable = t.baseImages.find((image) => image.includes('$'));
          if (variable) {
            throw new Error(`${t.contextDir}: FROM ${variable}: a named build context cannot stand in for an image named by a variable`);
          }
          return [names[i], {
            context: t.contextDir,
            dockerfile: t.dockerfile ?? 'Dockerfile',
            contexts: Object.fromEntries(t.baseImages.map((image) => [image, `docker-image://${metadata}`])),
            ...(experimentalRules ? { args: { BUILDKIT_DOCKERFILE_CHECK: 'experimental=all' } } : {}),
          }];
        })),
      };
      const file = path.join(work, 'docker-bake.json');
      fs.writeFileSync(file, JSON.stringify(bake));
      // bake reads a context outside the bake file's folder only when allowed to, each by name.
      const allow = [...new Set(targets.map((t) => path.resolve(t.contextDir)))].map((dir) => `--allow=fs.read=${dir}`);
      // Exit status 1 when there are warnings: the JSON says which.
      const r = docker(['buildx', 'bake', '--file', file, ...allow, '--progress', 'quiet', '--call', 'check,format=json']);
      let report: any;
      try {
        report = JSON.parse(r.stdout);
      } catch {
        throw new Error(`docker buildx bake --call check exited ${r.status} without a report:\n${r.stderr.slice(-4000)}`);
      }
      return targets.map((target, i) => {
        const check = report.target?.[names[i]]?.check;
        if (check === undefined) {
          return { target, warnings: [], error: `no check result for ${target.contextDir}` };
        }
        return {
          target,
          warnings: (check.warnings ?? []).map((w: any) => ({ rule: w.ruleName, line: w.location?.ranges?.[0]?.start?.line ?? 0, detail: w.detail })),
          error: check.buildError?.message,
        };
      });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  public removeImage(tag: string): boolean {
    return docker(['image', 'rm', tag]).status === 0;
  }

  public tagImage(source: string, target: string): void {
    mustDocker(['tag', source, target]);
  }

  /**
   * Loads an image from buildah's storage (`podman save | docker load`): an image made with
   * buildah that the Docker tests take as given, as a registry would serve it.
   */
  public loadFromBuildah(tag: string): void {
    mustExec('bash', ['-o', 'pipefail', '-c', 'podman save --format docker-archive "$1" | "$2" load -q', 'bash', tag, DOCKER]);
  }

  protected inspectImage(tag: string): any {
    return JSON.parse(mustDocker(['image', 'inspect', tag]).stdout)[0];
  }
}
