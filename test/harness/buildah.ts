import { spawn, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandResult, exec, mustExec, waitFor } from './command';
import { BuildImageOptions, BuildResult, ContainerEngine, RunImageOptions, RunningContainer, StartImageOptions } from './engine';

const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/**
 * containers/storage's re-exec of buildah (a sealed memfd copy of its own binary, made before a
 * RUN step in chroot isolation) failing with EBUSY: the kernel refused the seal, the step never ran.
 */
const REEXEC_FLAKE = /Close_Fd sealing memfd copy: Device or resource busy/;

/** buildah's own lines about a non-zero exit: the status says it already. */
const EXIT_NOISE = /^(subprocess exited with status \d+|Error: exit status \d+)\n/gm;

interface ContainerConfig {
  User?: string;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Env?: string[];
  WorkingDir?: string;
}

/**
 * buildah (scripts/install-engine), as root with chroot isolation: no OCI runtime, no network
 * namespace (`podman run` cannot start containers on these machines). Images are inspected with
 * podman, which shares buildah's storage.
 */
export class Buildah extends ContainerEngine {
  /**
   * buildah with a store of its own in `dir` (empty at first), for a measurement that the
   * machine's other images must not distort: buildah looks for a cached step among every image in
   * its store, so each cached step costs time in proportion to the store's size.
   */
  public static withOwnStore(dir: string): Buildah {
    // podman refuses a run root of more than 50 characters: that one is a short folder of its own.
    return new Buildah({ root: path.join(dir, 'root'), runroot: fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-store-run-')) });
  }

  public readonly name = 'buildah';
  public readonly hostNetwork = true;

  /** The global flags that select the store, before any command; none for the machine's store. */
  private readonly storeFlags: string[];

  public constructor(private readonly store?: { readonly root: string; readonly runroot: string }) {
    super();
    this.storeFlags = store ? ['--root', store.root, '--runroot', store.runroot] : [];
  }

  /** Copies `ref` from the machine's store into this engine's own store. */
  public copyImageFromMachine(ref: string): void {
    if (!this.store) {
      throw new Error('copyImageFromMachine: this buildah uses the machine\'s store already');
    }
    // By its full name (docker.io/library/python, not python): the copy keeps the name it is given.
    const name = mustExec('buildah', ['images', '--format', '{{.Name}}:{{.Tag}}', ref]).stdout.trim().split('\n')[0];
    const driver = mustExec('buildah', ['info', '--format', '{{.store.GraphDriverName}}']).stdout.trim();
    mustExec('buildah', ['push', '--quiet', name, `containers-storage:[${driver}@${this.store.root}+${this.store.runroot}]${name}`]);
  }

  /** Removes this engine's own store: its containers, images and folders. */
  public removeOwnStore(): void {
    if (!this.store) {
      throw new Error('removeOwnStore: this buildah uses the machine\'s store');
    }
    this.buildah(['rm', '--all']);
    this.buildah(['rmi', '--all', '--force']);
    // containers/storage mounts its overlay folder on itself (a private mount); unmounted, the rest is plain folders.
    exec('umount', ['--recursive', '--quiet', path.join(this.store.root, 'overlay')]);
    fs.rmSync(this.store.root, { recursive: true, force: true });
    fs.rmSync(this.store.runroot, { recursive: true, force: true });
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
  public buildImage(opts: BuildImageOptions): BuildResult {
    const dockerfile = path.resolve(opts.contextDir, opts.dockerfile ?? 'Dockerfile');
    const args = ['bud', '--isolation', 'chroot', '--layers', '--network', 'host', '--pull=never', '--format', 'docker',
      '--force-rm', '-f', dockerfile, '-t', opts.tag];
    if (fs.existsSync(HOST_CA)) {
      args.push('--volume', `${HOST_CA}:${HOST_CA}:ro`);
    }
    args.push(...ContainerEngine.sharedBuildFlags(opts), opts.contextDir);
    // buildah keeps RUN cache mounts under $TMPDIR/buildah-cache, shared by every build on the machine.
    const tmpdir = opts.emptyCacheMounts ? fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-buildah-tmp-')) : undefined;
    try {
      const start = process.hrtime.bigint();
      const build = () => this.buildah(args, tmpdir ? { env: { ...process.env, TMPDIR: tmpdir } } : {});
      let r = build();
      if (r.status !== 0 && REEXEC_FLAKE.test(r.stderr)) {
        // buildah's own re-exec failed before the step ran (seen once in CI, on a RUN that passes
        // on every other run): not the Dockerfile's failure, so the build runs once more.
        process.stderr.write(`buildah: ${opts.tag}: "${REEXEC_FLAKE.exec(r.stderr)![0]}" before a step ran; building once more\n`);
        r = build();
      }
      return { ...r, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
    } finally {
      if (tmpdir) {
        fs.rmSync(tmpdir, { recursive: true, force: true });
      }
    }
  }

  /**
   * buildah by name, with {@link buildImage}'s flags but `--layers`, which the task's own command
   * adds for buildah; the chroot isolation through BUILDAH_ISOLATION, which `buildah run`
   * (verify's) reads as `buildah bud` does.
   */
  public taskEnvironment(): Record<string, string> {
    if (this.store) {
      // A task runs `buildah build`: the store's flags go before the command, which a task cannot place.
      throw new Error('taskEnvironment: a buildah with its own store cannot run a project\'s tasks');
    }
    const flags = ['--network', 'host', '--pull=never', ...(fs.existsSync(HOST_CA) ? ['--volume', `${HOST_CA}:${HOST_CA}:ro`] : [])];
    return { CONTAINER_ENGINE: 'buildah', BUILDAH_ISOLATION: 'chroot', CONTAINER_BUILD_FLAGS: flags.join(' ') };
  }

  /** `buildah from` + `buildah run --isolation chroot` + `buildah rm`. No network isolation. */
  public runImage(tag: string, cmd?: string[], opts: RunImageOptions = {}): CommandResult {
    return this.withContainer(tag, (container) => {
      const config = this.containerConfig(container);
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
      const r = this.buildah([...flags, container, '--', ...argv], { input: opts.input ?? '' });
      return { ...r, stderr: r.stderr.replace(EXIT_NOISE, '') };
    });
  }

  /**
   * Chroot isolation shares the host's network and PID space: a service's port is reachable on
   * 127.0.0.1 as it is, and the PID is the app's own.
   */
  public async startImage(tag: string, cmd?: string[], opts: StartImageOptions = {}): Promise<RunningContainer> {
    const container = this.mustBuildah(['from', '--pull=never', '--quiet', tag]).stdout.trim().split('\n').pop()!;
    const config = this.containerConfig(container);
    const app = [...(config.Entrypoint ?? []), ...(cmd ?? config.Cmd ?? [])];
    const argv = opts.pipeOutput ? ['/bin/sh', '-c', 'exec "$@" 2>&1 | cat', 'sh', ...app] : app;
    const flags = ['run', '--isolation', 'chroot', ...(config.WorkingDir ? ['--workingdir', config.WorkingDir] : [])];
    const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-run-'));
    const outFile = path.join(logs, 'stdout');
    const errFile = path.join(logs, 'stderr');
    const out = fs.openSync(outFile, 'w');
    const err = fs.openSync(errFile, 'w');
    const child = spawn('buildah', [...this.storeFlags, ...flags, container, '--', ...argv], { stdio: ['ignore', out, err] });
    fs.closeSync(out);
    fs.closeSync(err);
    const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
    // The app is the process under this buildah run that runs the image's program.
    let pid: number;
    try {
      pid = await waitFor(() => (child.exitCode === null ? findDescendant(child.pid!, app[0]) : -1), 15000);
    } catch (e) {
      // The app may run all the same, unrecognised: it must not outlive the test (and hold its port).
      for (const descendant of descendants(child.pid!).reverse()) {
        try {
          process.kill(descendant, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      child.kill('SIGKILL');
      pid = -1;
    }
    if (pid === -1) {
      await exited;
      this.buildah(['rm', container]);
      const stderr = fs.readFileSync(errFile, 'utf-8');
      fs.rmSync(logs, { recursive: true, force: true });
      throw new Error(`${tag}: ${argv.join(' ')} did not start:\n${stderr.slice(-3000)}`);
    }
    return {
      pid,
      hostPort: (port: number) => port,
      exec: (probe: string[]) => {
        const r = this.buildah([...flags, container, '--', ...probe]);
        return { ...r, stderr: r.stderr.replace(EXIT_NOISE, '') };
      },
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
        this.buildah(['rm', container]);
        const stdout = fs.readFileSync(outFile, 'utf-8');
        const stderr = fs.readFileSync(errFile, 'utf-8').replace(EXIT_NOISE, '');
        fs.rmSync(logs, { recursive: true, force: true });
        return { status: status === -1 ? 137 : status, stdout, stderr };
      },
    };
  }

  /** `buildah mount` of a working container of the image. */
  public withImageRoot<T>(tag: string, fn: (root: string) => T): T {
    return this.withContainer(tag, (container) => fn(this.mustBuildah(['mount', container]).stdout.trim()));
  }

  public removeImage(tag: string): boolean {
    return this.buildah(['rmi', tag]).status === 0;
  }

  public tagImage(source: string, target: string): void {
    this.mustBuildah(['tag', source, target]);
  }

  protected inspectImage(tag: string): any {
    return JSON.parse(mustExec('podman', [...this.storeFlags, 'image', 'inspect', tag]).stdout)[0];
  }

  /** buildah in this engine's store. */
  private buildah(args: string[], options?: SpawnSyncOptions): CommandResult {
    return exec('buildah', [...this.storeFlags, ...args], options);
  }

  private mustBuildah(args: string[]): CommandResult {
    return mustExec('buildah', [...this.storeFlags, ...args]);
  }

  private containerConfig(container: string): ContainerConfig {
    const inspect = JSON.parse(this.mustBuildah(['inspect', '--type', 'container', container]).stdout);
    const config: ContainerConfig = inspect.OCIv1?.config ?? {};
    return { ...config, Entrypoint: config.Entrypoint?.length ? config.Entrypoint : undefined };
  }

  /** A working container of `tag` for the length of `fn`, then removed. */
  private withContainer<T>(tag: string, fn: (container: string) => T): T {
    const container = this.mustBuildah(['from', '--pull=never', '--quiet', tag]).stdout.trim().split('\n').pop()!;
    try {
      return fn(container);
    } finally {
      this.buildah(['rm', container]);
    }
  }
}

/** The host's processes: each one's children and command line. */
function processTable(): { children: Map<number, number[]>; argv: Map<number, string[]> } {
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
  return { children, argv };
}

/** Every descendant of `root`, parents before children. */
function descendants(root: number, children = processTable().children): number[] {
  const found: number[] = [];
  for (let queue = [...(children.get(root) ?? [])]; queue.length > 0;) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** A descendant of `root` whose command line starts with (or whose executable ends with) `program`. */
function findDescendant(root: number, program: string): number | undefined {
  const { children, argv } = processTable();
  const name = path.basename(program);
  return descendants(root, children).find((pid) => {
    // By executable, not argv: servers such as nginx rewrite their process title.
    let exe = '';
    try {
      exe = fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // gone, or a kernel thread
    }
    const args = argv.get(pid) ?? [];
    if (path.basename(exe) === name || (args[0] && (args[0] === program || path.basename(args[0]) === name))) {
      return true;
    }
    // A script run by its interpreter (a Python entry point: `python /app/.venv/bin/svc`); not
    // buildah's own chroot helper, whose title names the program it is about to run.
    return args[1] !== undefined && path.basename(args[1]) === name && !/buildah/.test(path.basename(exe) + path.basename(args[0] ?? ''));
  });
}
