/**
 * `npx projen verify`: the program that proves a project's image. stagecraft writes it into every
 * app project (`.stagecraft/verify.js`), so it runs with Node alone, however stagecraft was
 * installed: Node built-ins only, no import of stagecraft.
 *
 *   node verify.js engine           prints the container engine to use: $CONTAINER_ENGINE, else
 *                                   the first of docker (with a daemon that answers), podman and
 *                                   buildah on the PATH
 *   node verify.js check FILE       checks the built image against FILE's expectations (written
 *                                   from stagecraft's model), prints a report; exit 0 pass, 1 fail,
 *                                   2 when it could not check (no engine, no image)
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
// Named imports: the compiled file then needs no interop helpers, and stays readable in the project.
import { accessSync, constants, readdirSync, readFileSync } from 'fs';
import { delimiter, join, posix } from 'path';

/** What the image must be, from stagecraft's model: `.stagecraft/verify.json`. */
export interface ImageExpectations {
  /** The reference `docker:build` tags. */
  readonly image: string;
  /** The runtime user, as USER writes it: `uid:gid`. */
  readonly user: string;
  /** ENTRYPOINT + CMD: what a plain `docker run IMAGE` runs. */
  readonly command: string[];
  /** For a service: its port and the HEALTHCHECK's probe (exec form, port and path filled in). */
  readonly service?: { readonly port: number; readonly healthCheck?: string[] };
  /** Programs only the build stages need (compilers, package managers): none may be in the image. */
  readonly buildOnlyTools: string[];
  /** Largest image size allowed, in MB of 10^6 bytes (as `docker images` counts). */
  readonly sizeBudgetMb: number;
  /** How long the command gets to be healthy (a service) or to exit (a command-line app). */
  readonly startSeconds: number;
}

/** The rules, as the report names them. */
export const RULES = {
  user: 'non-root user',
  tools: 'no build tools',
  size: 'size budget',
  command: 'command starts',
  health: 'health probe',
} as const;

/** One rule's outcome: a report line. */
export interface RuleResult {
  readonly rule: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What the engine says of the image. */
export interface ImageFacts {
  readonly user: string;
  readonly entrypoint: string[];
  readonly cmd: string[];
  /** The HEALTHCHECK's test, e.g. ["CMD", "curl", ...]; undefined when there is none. */
  readonly healthCheck?: string[];
  readonly workingDir: string;
  /** Bytes, as the engine counts them. */
  readonly size: number;
}

/** An entry of the image's filesystem. */
export interface ImageEntry {
  readonly type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  readonly mode: number;
  /** A link's target. */
  readonly target?: string;
}

/** An image's filesystem, path (absolute, no trailing "/") to entry. */
export type ImageFiles = Map<string, ImageEntry>;

/** A command run to its end (or its time limit). */
interface Outcome {
  readonly status: number | null;
  readonly output: string;
  readonly timedOut: boolean;
}

/** A command started in the background from the image. */
interface Started {
  /** Runs a command in the running container, as its user: as the engine runs a HEALTHCHECK. */
  exec(argv: string[]): Outcome;
  /** The exit status once the command has ended, undefined while it runs. */
  exitStatus(): number | undefined;
  /** The command's output so far (its end). */
  output(): string;
  stop(): void;
}

/** What the checks need from a container engine. */
interface Engine {
  readonly program: string;
  inspect(image: string): ImageFacts;
  files(image: string): Promise<ImageFiles>;
  /**
   * Starts the image's command in the background, as `docker run -d` does. `server`: the command
   * is a server, whose output may go through a wrapper; a command-line app's exit status is its own.
   */
  start(image: string, facts: ImageFacts, files: ImageFiles, server: boolean): Started;
}

const SECOND = 1000;
/** Each probe of the health loop; the HEALTHCHECK's own timeout is shorter. */
const PROBE_TIMEOUT_MS = 15 * SECOND;
/** C compilers and the like are matched with a target prefix and a version suffix too (x86_64-linux-gnu-gcc-12). */
const TOOL_PREFIX = '(?:[a-z0-9_]+-linux-[a-z0-9_]+-)?';
const TOOL_SUFFIX = '(?:-\\d[0-9.]*)?';

/** What to remove if the check is interrupted or fails half-way: containers and processes, by id. */
const cleanups = new Map<string, () => void>();

/** Runs a cleanup now, once. */
function cleanUp(id: string): void {
  const cleanup = cleanups.get(id);
  cleanups.delete(id);
  cleanup?.();
}

/** Runs a program to its end; never throws. */
function runProgram(program: string, args: string[], timeoutMs = 120 * SECOND): Outcome {
  const r = spawnSync(program, args, { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  const failure = r.error && !timedOut ? `${r.error.message}\n` : '';
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${failure}`, timedOut };
}

/** Like {@link runProgram}, but an exit status other than 0 throws with the program's output. */
function mustRunProgram(program: string, args: string[]): string {
  const r = spawnSync(program, args, { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${program} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${lastLines(`${r.stdout ?? ''}${r.stderr ?? ''}`, 5)}`);
  }
  return r.stdout;
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').slice(-n).join(' | ');
}

/** A probe for the report: its arguments, inline code (an argument with spaces) shown as "<code>". */
function brief(argv: string[]): string {
  return argv.map((arg) => (/\s/.test(arg) ? '<code>' : arg)).join(' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a mode has an execute bit, for user, group or others (arithmetic: no bit operators). */
function executable(mode: number): boolean {
  return Math.floor(mode / 64) % 2 === 1 || Math.floor(mode / 8) % 2 === 1 || mode % 2 === 1;
}

/**
 * Lists a tar stream, as it arrives (`docker export` of a whole image is hundreds of MB): ustar,
 * GNU long names and PAX headers; file contents are skipped.
 */
export class TarListing {
  public readonly files: ImageFiles = new Map();
  private header = Buffer.alloc(0);
  /** Bytes of content (and padding) still to pass over. */
  private skip = 0;
  /** An extension header's content being read: a long name, a long link or PAX records. */
  private extension?: { kind: string; size: number; chunks: Buffer[] };
  private longName?: string;
  private longLink?: string;
  private zeroBlocks = 0;

  /** Feeds the next bytes of the stream. */
  public push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && this.zeroBlocks < 2) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - offset);
        if (this.extension) {
          this.extension.chunks.push(chunk.subarray(offset, offset + n));
        }
        offset += n;
        this.skip -= n;
        if (this.skip === 0 && this.extension) {
          this.endExtension();
        }
        continue;
      }
      const n = Math.min(512 - this.header.length, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + n)]);
      offset += n;
      if (this.header.length === 512) {
        const block = this.header;
        this.header = Buffer.alloc(0);
        this.readHeader(block);
      }
    }
  }

  private readHeader(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      this.zeroBlocks++;
      return;
    }
    this.zeroBlocks = 0;
    const text = (start: number, length: number) => {
      const field = block.subarray(start, start + length);
      const end = field.indexOf(0);
      return field.subarray(0, end < 0 ? length : end).toString('utf-8');
    };
    const size = tarNumber(block.subarray(124, 136));
    const type = String.fromCharCode(block[156]);
    const padded = Math.ceil(size / 512) * 512;
    if (type === 'L' || type === 'K' || type === 'x') {
      this.extension = { kind: type, size, chunks: [] };
      this.skip = padded;
      if (padded === 0) {
        this.endExtension();
      }
      return;
    }
    let name = text(0, 100);
    if (block.toString('latin1', 257, 262) === 'ustar') {
      const prefix = text(345, 155);
      name = prefix ? `${prefix}/${name}` : name;
    }
    name = this.longName ?? name;
    const target = this.longLink ?? text(157, 100);
    this.longName = undefined;
    this.longLink = undefined;
    const kind: ImageEntry['type'] = type === '0' || type === '\0' || type === '7' ? 'file'
      : type === '5' ? 'dir' : type === '2' ? 'symlink' : type === '1' ? 'hardlink' : 'other';
    const entry: ImageEntry = { type: kind, mode: tarNumber(block.subarray(100, 108)), target: kind === 'symlink' || kind === 'hardlink' ? target : undefined };
    this.files.set(normalize(name), entry);
    // Only regular files carry content in the stream (a hard link's size is 0).
    this.skip = kind === 'file' || type === 'g' ? padded : 0;
  }

  private endExtension(): void {
    const ext = this.extension!;
    this.extension = undefined;
    const data = Buffer.concat(ext.chunks).subarray(0, ext.size);
    if (ext.kind === 'L') {
      this.longName = data.toString('utf-8').replace(/\0+$/, '');
    } else if (ext.kind === 'K') {
      this.longLink = data.toString('utf-8').replace(/\0+$/, '');
    } else {
      // PAX records: "<length> <key>=<value>\n", the length counting the whole record.
      let at = 0;
      while (at < data.length) {
        const space = data.indexOf(0x20, at);
        const length = Number(data.toString('latin1', at, space));
        if (space < 0 || !Number.isInteger(length) || length <= 0) {
          break;
        }
        const record = data.toString('utf-8', space + 1, at + length - 1);
        const eq = record.indexOf('=');
        if (record.slice(0, eq) === 'path') {
          this.longName = record.slice(eq + 1);
        } else if (record.slice(0, eq) === 'linkpath') {
          this.longLink = record.slice(eq + 1);
        }
        at += length;
      }
    }
  }
}

/** A tar header number: octal text, or base-256 when the first byte's high bit is set. */
function tarNumber(field: Buffer): number {
  if (field[0] >= 0x80) {
    let value = field[0] - 0x80;
    for (const byte of field.subarray(1)) {
      value = value * 256 + byte;
    }
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** "./usr/bin/" and "usr/bin" alike become "/usr/bin". */
function normalize(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

/** Follows symlinks (the image's, not the host's) to the entry a path names, if any. */
export function resolveInImage(files: ImageFiles, imagePath: string): string | undefined {
  let parts = normalize(imagePath).split('/').filter(Boolean);
  let resolved: string[] = [];
  for (let hops = 0; parts.length > 0;) {
    const next = parts.shift()!;
    const candidate = next === '..' ? resolved.slice(0, -1) : [...resolved, next];
    const key = `/${candidate.join('/')}`;
    const entry = files.get(key);
    if (entry === undefined && next !== '..') {
      return undefined;
    }
    if (entry?.type === 'symlink') {
      if (++hops > 40) {
        return undefined;
      }
      const target = entry.target ?? '';
      parts = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...parts];
      resolved = target.startsWith('/') ? [] : resolved;
      continue;
    }
    resolved = candidate;
  }
  return `/${resolved.join('/')}`;
}

/** The image's USER as a rule outcome: numeric, not uid 0, and the model's. */
export function checkUser(user: string, expected: string): RuleResult {
  const rule = RULES.user;
  if (user === '' || user === 'root' || /^0+(?::|$)/.test(user)) {
    return { rule, ok: false, detail: `the image runs as ${user === '' ? 'root (no USER)' : `${user} (root)`}; the model says ${expected}` };
  }
  if (!/^\d+(?::\d+)?$/.test(user)) {
    return { rule, ok: false, detail: `USER "${user}" is a name: only a numeric uid proves "not root" without the image's /etc/passwd (the model says ${expected})` };
  }
  if (user !== expected) {
    return { rule, ok: false, detail: `the image runs as ${user}, the model says ${expected}` };
  }
  return { rule, ok: true, detail: `${user} (not root)` };
}

/** Which of the build-only tools the image holds: executables and links named like one. */
export function checkBuildTools(files: ImageFiles, tools: string[]): RuleResult {
  const patterns = tools.map((tool) => new RegExp(`^${TOOL_PREFIX}${tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${TOOL_SUFFIX}$`));
  const found: string[] = [];
  for (const [file, entry] of files) {
    const isProgram = entry.type === 'symlink' || ((entry.type === 'file' || entry.type === 'hardlink') && executable(entry.mode));
    if (isProgram && patterns.some((p) => p.test(posix.basename(file)))) {
      found.push(file);
    }
  }
  found.sort();
  const rule = RULES.tools;
  if (found.length > 0) {
    const shown = found.slice(0, 8).join(', ') + (found.length > 8 ? `, and ${found.length - 8} more` : '');
    return { rule, ok: false, detail: `the image holds ${shown}: a build stage's tool reached the runtime` };
  }
  return { rule, ok: true, detail: `none of ${tools.join(', ')}` };
}

/** The image's size against the budget. */
export function checkSize(bytes: number, budgetMb: number): RuleResult {
  const mb = bytes / 1e6;
  const shown = `${mb.toFixed(1)} MB`;
  return mb <= budgetMb
    ? { rule: RULES.size, ok: true, detail: `${shown} of ${budgetMb} MB` }
    : { rule: RULES.size, ok: false, detail: `${shown}, over the budget of ${budgetMb} MB (option imageSizeBudgetMb)` };
}

/** The image's ENTRYPOINT + CMD against the model's command; undefined when they agree. */
function commandMismatch(facts: ImageFacts, expected: string[]): RuleResult | undefined {
  const actual = [...facts.entrypoint, ...facts.cmd];
  if (JSON.stringify(actual) === JSON.stringify(expected)) {
    return undefined;
  }
  return { rule: RULES.command, ok: false, detail: `the image runs ${JSON.stringify(actual)}, the model says ${JSON.stringify(expected)}` };
}

/** A command-line app: its command exits 0, or is still running (a long-running app) at the bound. */
async function checkCommand(engine: Engine, x: ImageExpectations, facts: ImageFacts, files: ImageFiles): Promise<RuleResult> {
  const mismatch = commandMismatch(facts, x.command);
  if (mismatch) {
    return mismatch;
  }
  const started = Date.now();
  const app = engine.start(x.image, facts, files, false);
  const shown = JSON.stringify(x.command);
  try {
    let status = app.exitStatus();
    while (status === undefined && Date.now() < started + x.startSeconds * SECOND) {
      await sleep(200);
      status = app.exitStatus();
    }
    const took = `${((Date.now() - started) / SECOND).toFixed(1)} s`;
    if (status === undefined) {
      return { rule: RULES.command, ok: true, detail: `${shown} still running after ${x.startSeconds} s (a long-running app)` };
    }
    if (status !== 0) {
      return { rule: RULES.command, ok: false, detail: `${shown} exited ${status} after ${took}: ${lastLines(app.output(), 3) || 'no output'}` };
    }
    const first = app.output().trim().split('\n')[0]?.slice(0, 60) ?? '';
    return { rule: RULES.command, ok: true, detail: `${shown} exited 0 in ${took}${first ? ` ("${first}")` : ''}` };
  } finally {
    app.stop();
  }
}

/** A service: its command keeps running and the model's probe passes in it within the bound. */
async function checkService(engine: Engine, x: ImageExpectations, facts: ImageFacts, files: ImageFiles): Promise<RuleResult[]> {
  const service = x.service!;
  const mismatch = commandMismatch(facts, x.command);
  const probe = service.healthCheck;
  let declared: RuleResult | undefined;
  if (probe && JSON.stringify(facts.healthCheck) !== JSON.stringify(['CMD', ...probe])) {
    declared = {
      rule: RULES.health,
      ok: false,
      detail: facts.healthCheck
        ? `the image's HEALTHCHECK is ${JSON.stringify(facts.healthCheck)}, the model says ${JSON.stringify(['CMD', ...probe])}`
        : 'the image has no HEALTHCHECK (an OCI-format build drops it: build with --format docker, as docker:build does)',
    };
  }
  const started = Date.now();
  const app = engine.start(x.image, facts, files, true);
  const elapsed = () => `${((Date.now() - started) / SECOND).toFixed(1)} s`;
  try {
    const deadline = started + x.startSeconds * SECOND;
    for (;;) {
      const status = app.exitStatus();
      if (status !== undefined) {
        const why = `${JSON.stringify(x.command)} exited ${status} after ${elapsed()}: ${lastLines(app.output(), 3) || 'no output'}`;
        return [mismatch ?? { rule: RULES.command, ok: false, detail: why }, declared ?? { rule: RULES.health, ok: false, detail: 'not run: the command did not keep running' }];
      }
      if (!probe) {
        // No probe to wait for: running at the bound is all there is to see.
        if (Date.now() >= deadline) {
          return [mismatch ?? { rule: RULES.command, ok: true, detail: `${JSON.stringify(x.command)} running after ${x.startSeconds} s` }];
        }
      } else {
        const last = app.exec(probe);
        if (last.status === 0) {
          const healthy = `${brief(probe)} passed after ${elapsed()} (bound ${x.startSeconds} s)`;
          return [
            mismatch ?? { rule: RULES.command, ok: true, detail: `${JSON.stringify(x.command)} running, port ${service.port}` },
            declared ?? { rule: RULES.health, ok: true, detail: healthy },
          ];
        }
        if (Date.now() >= deadline) {
          const why = `${brief(probe)} still failing after ${x.startSeconds} s: ${lastLines(last.output, 2) || `exit ${last.status}`}`;
          return [
            mismatch ?? { rule: RULES.command, ok: true, detail: `${JSON.stringify(x.command)} running, port ${service.port}` },
            { rule: RULES.health, ok: false, detail: declared ? `${declared.detail}; ${why}` : why },
          ];
        }
      }
      await sleep(500);
    }
  } finally {
    app.stop();
  }
}

/** Docker's CLI and podman's, which spells the same commands alike. */
class CliEngine implements Engine {
  constructor(public readonly program: string) {}

  public inspect(image: string): ImageFacts {
    const raw = JSON.parse(mustRunProgram(this.program, ['image', 'inspect', image]))[0];
    const config = raw.Config ?? {};
    return {
      user: config.User ?? '',
      entrypoint: config.Entrypoint ?? [],
      cmd: config.Cmd ?? [],
      healthCheck: (config.Healthcheck ?? raw.Healthcheck)?.Test ?? undefined,
      workingDir: config.WorkingDir ?? '',
      size: Number(raw.Size),
    };
  }

  public async files(image: string): Promise<ImageFiles> {
    const id = this.create(image);
    try {
      return await listTar(this.program, ['export', id]);
    } finally {
      cleanUp(id);
    }
  }

  public start(image: string): Started {
    const id = this.create(image, ['run', '-d']);
    let exited: number | undefined;
    return {
      exec: (argv) => runProgram(this.program, ['exec', id, ...argv], PROBE_TIMEOUT_MS),
      exitStatus: () => {
        if (exited === undefined) {
          const state = runProgram(this.program, ['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', id]).output.trim().split(' ');
          exited = state[0] === 'false' ? Number(state[1]) : undefined;
        }
        return exited;
      },
      output: () => runProgram(this.program, ['logs', id]).output,
      stop: () => cleanUp(id),
    };
  }

  /** `create` (or `run -d`) of the image; the container is removed on an interruption too. */
  private create(image: string, verb: string[] = ['create']): string {
    const id = mustRunProgram(this.program, [...verb, image]).trim().split('\n').pop()!;
    cleanups.set(id, () => runProgram(this.program, ['rm', '-f', id]));
    return id;
  }
}

/**
 * buildah: a working container of the image (`buildah from`), its filesystem through `buildah
 * mount`, its command through `buildah run`. The isolation is buildah's (BUILDAH_ISOLATION);
 * every run uses the host's network, so a probe in a second `buildah run` reaches the app.
 */
class BuildahEngine implements Engine {
  constructor(public readonly program: string) {}

  public inspect(image: string): ImageFacts {
    const raw = JSON.parse(mustRunProgram(this.program, ['inspect', '--type', 'image', image]));
    const config = raw.OCIv1?.config ?? {};
    const docker = raw.Docker?.config ?? {};
    const manifest = JSON.parse(raw.Manifest ?? '{}');
    return {
      user: config.User ?? '',
      entrypoint: config.Entrypoint ?? [],
      cmd: config.Cmd ?? [],
      healthCheck: docker.Healthcheck?.Test ?? undefined,
      workingDir: config.WorkingDir ?? '',
      // The layers as stored: uncompressed, as `buildah images` counts them.
      size: (manifest.layers ?? []).reduce((sum: number, layer: { size?: number }) => sum + (layer.size ?? 0), 0),
    };
  }

  public async files(image: string): Promise<ImageFiles> {
    const container = this.from(image);
    try {
      // `buildah mount` needs root; anyone else mounts inside `buildah unshare`.
      return process.getuid?.() === 0
        ? await listTar('tar', ['-C', mustRunProgram(this.program, ['mount', container]).trim(), '-cf', '-', '.'])
        : await listTar(this.program, ['unshare', '--', 'sh', '-c', 'tar -C "$(buildah mount "$1")" -cf - .', 'sh', container]);
    } finally {
      cleanUp(container);
    }
  }

  public start(image: string, facts: ImageFacts, files: ImageFiles, server: boolean): Started {
    const container = this.from(image);
    const argv = [...facts.entrypoint, ...facts.cmd];
    // buildah hands the app stdout and stderr as pipes root owns: a non-root server that reopens
    // /dev/stdout (nginx's logs are links to it) cannot. Where the image has a shell, a server's
    // output goes through a pipe the app's own user makes.
    const wrapped = server && resolveInImage(files, '/bin/sh') !== undefined ? ['/bin/sh', '-c', 'exec "$@" 2>&1 | cat', 'sh', ...argv] : argv;
    const child = spawn(this.program, [...this.runFlags(facts), container, '--', ...wrapped], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString('utf-8')).slice(-16384));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    let status: number | undefined;
    child.on('exit', (code, signal) => (status = code ?? (signal ? 128 : 1)));
    // Stopped before its container is removed.
    cleanups.delete(container);
    cleanups.set(container, () => {
      stopProcessTree(child);
      runProgram(this.program, ['rm', container]);
    });
    return {
      exec: (probe) => {
        const r = runProgram(this.program, [...this.runFlags(facts), container, '--', ...probe], PROBE_TIMEOUT_MS);
        return { ...r, output: r.output.replace(BUILDAH_EXIT_NOISE, '') };
      },
      exitStatus: () => status,
      output: () => output.replace(BUILDAH_EXIT_NOISE, ''),
      stop: () => cleanUp(container),
    };
  }

  private from(image: string): string {
    const container = mustRunProgram(this.program, ['from', '--pull=never', '--quiet', image]).trim().split('\n').pop()!;
    cleanups.set(container, () => runProgram(this.program, ['rm', container]));
    return container;
  }

  private runFlags(facts: ImageFacts): string[] {
    return ['run', '--network', 'host', ...(facts.workingDir ? ['--workingdir', facts.workingDir] : [])];
  }
}

/** buildah's own lines about a non-zero exit: the status says it already. */
const BUILDAH_EXIT_NOISE = /^(subprocess exited with status \d+|Error: exit status \d+)\n?/gm;

/** SIGTERM to a process and its descendants (buildah's chroot child is not its process group), then SIGKILL. */
function stopProcessTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  const tree = [child.pid, ...descendants(child.pid)];
  const signal = (sig: NodeJS.Signals) => tree.forEach((pid) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  });
  signal('SIGTERM');
  const deadline = Date.now() + 5 * SECOND;
  while (Date.now() < deadline && tree.some(alive)) {
    spawnSync('sleep', ['0.1']);
  }
  signal('SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every descendant of a process, from /proc (buildah runs only on Linux). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf-8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // ended while we looked
      }
    }
  }
  const found: number[] = [];
  for (const queue = [...(children.get(root) ?? [])]; queue.length > 0;) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Lists the tar a program writes to its stdout. */
function listTar(program: string, args: string[]): Promise<ImageFiles> {
  return new Promise((resolve, reject) => {
    const listing = new TarListing();
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => listing.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf-8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(listing.files) : reject(new Error(`${program} ${args.join(' ')} failed (exit ${code}): ${lastLines(stderr, 5)}`))));
  });
}

/** Whether a program is on the PATH. */
function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).filter(Boolean).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The engine to use: $CONTAINER_ENGINE as given, else the first of docker (only when its daemon
 * answers: a docker client alone builds nothing), podman and buildah on the PATH.
 */
export function detectEngine(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONTAINER_ENGINE) {
    return env.CONTAINER_ENGINE;
  }
  const found: string[] = [];
  for (const program of ['docker', 'podman', 'buildah']) {
    if (!onPath(program, env)) {
      continue;
    }
    if (program !== 'docker' || runProgram(program, ['version', '--format', '{{.Server.Version}}'], 20 * SECOND).status === 0) {
      return program;
    }
    found.push('docker (its daemon does not answer)');
  }
  throw new Error(`no container engine: found ${found.length > 0 ? found.join(', ') : 'none of docker, podman, buildah on the PATH'}. Install one, or name one in CONTAINER_ENGINE.`);
}

/** The engine's implementation, by its name as docker:build matches it (a path or wrapper ending in the name). */
function engineFor(program: string): Engine {
  return /buildah$/.test(program) ? new BuildahEngine(program) : new CliEngine(program);
}

function say(line: string): void {
  process.stdout.write(`verify: ${line}\n`);
}

function report(result: RuleResult): RuleResult {
  say(`${result.rule}: ${result.detail} ... ${result.ok ? 'ok' : 'FAIL'}`);
  return result;
}

/** Runs every rule against the built image and prints the report; the exit status. */
export async function verify(expectationsFile: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const x: ImageExpectations = JSON.parse(readFileSync(expectationsFile, 'utf-8'));
  const program = detectEngine(env);
  const engine = engineFor(program);
  let facts: ImageFacts;
  try {
    facts = engine.inspect(x.image);
  } catch (e) {
    throw new Error(`no image ${x.image} in ${program}: build it with "npx projen docker:build" (${(e as Error).message})`);
  }
  say(`${x.image} (engine ${program})`);
  const results: RuleResult[] = [report(checkUser(facts.user, x.user))];
  const files = await engine.files(x.image);
  results.push(report(checkBuildTools(files, x.buildOnlyTools)));
  results.push(report(checkSize(facts.size, x.sizeBudgetMb)));
  if (x.service) {
    for (const result of await checkService(engine, x, facts, files)) {
      results.push(report(result));
    }
  } else {
    results.push(report(await checkCommand(engine, x, facts, files)));
  }
  const failed = results.filter((r) => !r.ok);
  say(failed.length === 0 ? `pass (${results.length} rules)` : `FAIL: ${failed.map((r) => r.rule).join(', ')}`);
  return failed.length === 0 ? 0 : 1;
}

function runCleanups(): void {
  for (const id of [...cleanups.keys()]) {
    cleanUp(id);
  }
}

async function main(args: string[]): Promise<number> {
  const [command, file] = args;
  if (command === 'engine' && file === undefined) {
    process.stdout.write(`${detectEngine()}\n`);
    return 0;
  }
  if (command === 'check' && file !== undefined) {
    return verify(file);
  }
  process.stderr.write('usage: node verify.js engine | node verify.js check EXPECTATIONS.json\n');
  return 2;
}

if (require.main === module) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      runCleanups();
      process.exit(130);
    });
  }
  main(process.argv.slice(2)).then(
    (status) => {
      runCleanups();
      process.exitCode = status;
    },
    (error: Error) => {
      runCleanups();
      process.stderr.write(`verify: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
