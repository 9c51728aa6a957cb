import { DockerfileParser } from 'dockerfile-ast';
import {
  assertAbsolutePath,
  assertDuration,
  assertFlagValue,
  assertNoLineBreak,
  assertPath,
  assertVariableName,
  execForm,
  heredocMarkers,
  heredocProblem,
  shellUnquote,
  quoteWord,
  variableRefs,
} from './syntax';
import { assertPort, invalidOption } from '../validation';

/** How concurrent builds share a cache mount. */
export enum CacheSharing {
  /** Concurrent writers share the cache (BuildKit's default). */
  SHARED = 'shared',
  /** Each concurrent build gets its own cache. */
  PRIVATE = 'private',
  /** Builds wait for each other. */
  LOCKED = 'locked',
}

/** Options of a cache mount. */
export interface CacheMountOptions {
  /** Where the cache is mounted, e.g. `/root/.cache/pip`. */
  readonly target: string;
  /**
   * Cache id, to share one cache between stages or Dockerfiles.
   * @default - the target path
   */
  readonly id?: string;
  /**
   * Sharing mode.
   * @default CacheSharing.SHARED
   */
  readonly sharing?: CacheSharing;
}

/** Options of a bind mount. */
export interface BindMountOptions {
  /** Where the files appear. */
  readonly target: string;
  /**
   * Path in the source.
   * @default - the root of the source
   */
  readonly source?: string;
  /**
   * Stage or image to bind from.
   * @default - the build context
   */
  readonly from?: string;
  /**
   * Allow writes (discarded after the RUN).
   * @default false
   */
  readonly readwrite?: boolean;
}

/** Options of a secret mount. */
export interface SecretMountOptions {
  /** Secret id, as passed with `--secret id=...` at build time. */
  readonly id: string;
  /**
   * Expose the secret as this environment variable instead of a file.
   * @default - a file at `target`
   */
  readonly env?: string;
  /**
   * File the secret is mounted at.
   * @default /run/secrets/<id>
   */
  readonly target?: string;
  /**
   * Fail the build when the secret is not provided.
   * @default false
   */
  readonly required?: boolean;
}

/** A `--mount` of a RUN instruction. Secrets reach a build this way and never through ARG or ENV. */
export class RunMount {
  /** A persistent cache directory (package manager caches): never part of a layer. */
  public static cache(options: CacheMountOptions): RunMount {
    const owner = 'RunMount.cache';
    assertAbsolutePath(owner, 'target', options.target);
    const parts = ['type=cache', `target=${options.target}`];
    if (options.id !== undefined) {
      assertFlagValue(owner, 'id', options.id);
      parts.push(`id=${options.id}`);
    }
    if (options.sharing !== undefined) {
      parts.push(`sharing=${options.sharing}`);
    }
    return new RunMount('cache', parts);
  }

  /** Files from the context, a stage or an image, visible only during the RUN. */
  public static bind(options: BindMountOptions): RunMount {
    const owner = 'RunMount.bind';
    assertAbsolutePath(owner, 'target', options.target);
    const parts = ['type=bind', `target=${options.target}`];
    if (options.source !== undefined) {
      assertPath(owner, 'source', options.source);
      parts.push(`source=${options.source}`);
    }
    if (options.from !== undefined) {
      assertFlagValue(owner, 'from', options.from);
      parts.push(`from=${options.from}`);
    }
    if (options.readwrite) {
      parts.push('rw');
    }
    return new RunMount('bind', parts, options.from);
  }

  /** A build secret: readable during the RUN, never stored in the image or its history. */
  public static secret(options: SecretMountOptions): RunMount {
    const owner = 'RunMount.secret';
    assertFlagValue(owner, 'id', options.id);
    const parts = ['type=secret', `id=${options.id}`];
    if (options.env !== undefined) {
      assertVariableName(owner, 'env', options.env);
      parts.push(`env=${options.env}`);
    }
    if (options.target !== undefined) {
      assertAbsolutePath(owner, 'target', options.target);
      parts.push(`target=${options.target}`);
    }
    if (options.required) {
      parts.push('required=true');
    }
    return new RunMount('secret', parts);
  }

  /** `cache`, `bind` or `secret`. */
  public readonly type: string;
  /** The stage a bind mount reads from, if any. */
  public readonly fromStage?: string;
  private readonly parts: string[];

  private constructor(type: string, parts: string[], fromStage?: string) {
    this.type = type;
    this.parts = parts;
    this.fromStage = fromStage;
  }

  /** The flag as written after RUN. */
  public render(): string {
    return `--mount=${this.parts.join(',')}`;
  }
}

/** Network available to a RUN. */
export enum RunNetwork {
  /** The builder's default. */
  DEFAULT = 'default',
  /** No network: the step must work offline. */
  NONE = 'none',
  /** The host's network. */
  HOST = 'host',
}

/** Options of a RUN instruction. */
export interface RunOptions {
  /**
   * Mounts: caches, bind mounts, secrets.
   * @default - none
   */
  readonly mounts?: RunMount[];
  /**
   * Network for this step.
   * @default RunNetwork.DEFAULT
   */
  readonly network?: RunNetwork;
}

/** Options of an ENV instruction. */
export interface EnvOptions {
  /**
   * Variables whose values Docker expands (`$NAME`, `${NAME}`).
   * @default - none: every `$` is literal
   */
  readonly expand?: string[];
}

/** Options of a COPY instruction. */
export interface CopyOptions {
  /**
   * Copy from this earlier stage instead of the build context.
   * @default - the build context
   */
  readonly from?: string;
  /**
   * Owner of the copied files, `user[:group]`.
   * @default - root
   */
  readonly chown?: string;
  /**
   * Mode of the copied files, octal, e.g. `0755`.
   * @default - as in the source
   */
  readonly chmod?: string;
  /**
   * Copy into an independent layer (`--link`), so it is reused when earlier layers change.
   * @default false
   */
  readonly link?: boolean;
}

/** Options of a HEALTHCHECK. */
export interface HealthcheckOptions {
  /**
   * Time between checks.
   * @default "30s"
   */
  readonly interval?: string;
  /**
   * Time a check may take.
   * @default "5s"
   */
  readonly timeout?: string;
  /**
   * Grace period after start during which failures do not count.
   * @default "10s"
   */
  readonly startPeriod?: string;
  /**
   * Consecutive failures before the container is unhealthy.
   * @default 3
   */
  readonly retries?: number;
}

/** Transport protocol of an exposed port. */
export enum Protocol {
  TCP = 'tcp',
  UDP = 'udp',
}

const USER_PATTERN = /^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._\/-]*$/;

/**
 * One Dockerfile instruction. Created only through the static factories,
 * which validate and quote every value: no value can add a line or an
 * instruction to the Dockerfile.
 *
 * Shell-form RUN is the exception by nature: its commands are shell code
 * written by the construct author. Values from options must reach a RUN
 * through an ARG or ENV, which the model quotes, and be read as "${NAME}".
 */
export abstract class Instruction {
  /** `ARG name[=default]`. */
  public static arg(name: string, defaultValue?: string): Instruction {
    assertVariableName('ARG', 'name', name);
    return new Simple('ARG', defaultValue === undefined ? name : `${name}=${quoteWord('ARG', name, defaultValue)}`, {
      declares: [name],
    });
  }

  /**
   * One ENV instruction setting every variable, in order. `$` in a value is
   * literal unless the variable is listed in `options.expand`, whose
   * `$NAME`/`${NAME}` references Docker expands (e.g. `/app/.venv/bin:$PATH`);
   * each must be declared earlier or predefined.
   */
  public static env(vars: { [name: string]: string }, options: EnvOptions = {}): Instruction {
    const names = Object.keys(vars ?? {});
    if (names.length === 0) {
      throw invalidOption('ENV', 'vars', vars, 'Expected at least one variable.');
    }
    const expand = new Set(options.expand ?? []);
    for (const name of expand) {
      if (!names.includes(name)) {
        throw invalidOption('ENV', 'expand', name, `Expected one of the variables set: ${names.join(', ')}.`);
      }
    }
    const uses: string[] = [];
    const pairs = names.map((name) => {
      assertVariableName('ENV', 'name', name);
      const value = vars[name];
      if (typeof value !== 'string') {
        throw invalidOption('ENV', name, value, 'Expected a string value.');
      }
      if (expand.has(name)) {
        uses.push(...variableRefs(value));
      }
      return `${name}=${quoteWord('ENV', name, value, expand.has(name))}`;
    });
    return new Simple('ENV', pairs.join(' \\\n    '), { declares: names, uses });
  }

  /** One LABEL instruction with every key and value; `$` is literal. */
  public static label(labels: { [key: string]: string }): Instruction {
    const keys = Object.keys(labels);
    if (keys.length === 0) {
      throw invalidOption('LABEL', 'labels', labels, 'Expected at least one label.');
    }
    const pairs = keys.map((key) => {
      if (!LABEL_KEY.test(key)) {
        throw invalidOption('LABEL', 'key', key, 'Expected letters, digits and . _ / - (e.g. "org.opencontainers.image.title").');
      }
      const value = labels[key];
      if (typeof value !== 'string') {
        throw invalidOption('LABEL', key, value, 'Expected a string value.');
      }
      return `${key}=${quoteWord('LABEL', key, value)}`;
    });
    return new Simple('LABEL', pairs.join(' \\\n      '), { labels: { ...labels } });
  }

  /** `WORKDIR /absolute/path`. */
  public static workdir(path: string): Instruction {
    assertAbsolutePath('WORKDIR', 'path', path);
    return new Simple('WORKDIR', path);
  }

  /** `COPY [flags] src... dest`. */
  public static copy(sources: string[], destination: string, options: CopyOptions = {}): Instruction {
    const owner = 'COPY';
    if (!Array.isArray(sources) || sources.length === 0) {
      throw invalidOption(owner, 'sources', sources, 'Expected at least one source path.');
    }
    sources.forEach((s) => assertPath(owner, 'source', s));
    assertPath(owner, 'destination', destination);
    const flags: string[] = [];
    if (options.from !== undefined) {
      assertFlagValue(owner, 'from', options.from);
      flags.push(`--from=${options.from}`);
    }
    if (options.chown !== undefined) {
      if (!/^(?:[a-z_][a-z0-9_-]*|[0-9]+)(?::(?:[a-z_][a-z0-9_-]*|[0-9]+))?$/.test(options.chown)) {
        throw invalidOption(owner, 'chown', options.chown, 'Expected "user[:group]" as names or numeric ids.');
      }
      flags.push(`--chown=${options.chown}`);
    }
    if (options.chmod !== undefined) {
      if (!/^[0-7]{3,4}$/.test(options.chmod)) {
        throw invalidOption(owner, 'chmod', options.chmod, 'Expected an octal mode such as "0755".');
      }
      flags.push(`--chmod=${options.chmod}`);
    }
    if (options.link) {
      flags.push('--link');
    }
    return new Simple('COPY', [...flags, ...sources, destination].join(' '), {
      copyFrom: options.from,
      sources: [...sources],
      destination,
    });
  }

  /**
   * Shell-form RUN: the commands run in order, joined with `&&` so the first
   * failure stops the step. Each command is one line of shell code.
   */
  public static run(commands: string[], options: RunOptions = {}): Instruction {
    const owner = 'RUN';
    if (!Array.isArray(commands) || commands.length === 0) {
      throw invalidOption(owner, 'commands', commands, 'Expected at least one command.');
    }
    for (const c of commands) {
      if (typeof c !== 'string' || c.trim() === '') {
        throw invalidOption(owner, 'command', c, 'Expected a non-empty shell command.');
      }
      assertNoLineBreak(owner, 'command', c);
      if (/\\\s*$/.test(c)) {
        throw invalidOption(owner, 'command', c, 'A command must not end with a backslash (line continuation is the model\'s job).');
      }
      if (/^\s*#/.test(c)) {
        throw invalidOption(owner, 'command', c, 'A command must not start with "#": Docker would read it as a comment.');
      }
      // An unclosed quote: the shell would stop with "Unterminated quoted string", and Docker's tools
      // disagree on the rest of the line (one sees a heredoc where BuildKit sees none).
      if (shellUnquote(c) === undefined) {
        throw invalidOption(owner, 'command', c, 'Its quotes or "${" do not close: the shell would refuse it. Close every quote in the command.');
      }
      if (c === commands[0] && !options.mounts?.length && !options.network && /^\s*\[/.test(c)) {
        throw invalidOption(owner, 'command', c, 'A first command must not start with "[": Docker reads a JSON array there as the exec form. Use "test" instead of "[".');
      }
    }
    const flags = (options.mounts ?? []).map((m) => m.render());
    if (options.network !== undefined && options.network !== RunNetwork.DEFAULT) {
      flags.push(`--network=${options.network}`);
    }
    const head = flags.length > 0 ? flags.join(' ') + ' \\\n    ' : '';
    const body = commands.map((c) => c.trim()).join(' \\\n && ');
    // Checked on the whole logical line, as BuildKit reads it: a "<<" at the end of one command takes the next as its word.
    const marker = heredocMarkers(`RUN ${head}${body}`.replace(/\\\n/g, ''))[0];
    if (marker) {
      const command = commands.find((c) => c.includes(marker.word)) ?? commands.find((c) => c.includes('<<')) ?? commands.join(' && ');
      throw invalidOption(owner, 'command', command, `${heredocProblem(marker)}.`);
    }
    // The lint gate's parser (dockerfile-ast) finds heredocs where BuildKit does not ("<<EOF<<1"): it would
    // then lose the instructions after this one, so what either reads as a heredoc is refused.
    const parsed = DockerfileParser.parse(`RUN ${head}${body}\n`).getInstructions()[0] as unknown as { getHeredocs(): unknown[] };
    if (parsed.getHeredocs().length > 0) {
      const command = commands.find((c) => c.includes('<<')) ?? commands.join(' && ');
      throw invalidOption(owner, 'command', command, 'Docker\'s Dockerfile parsers read a heredoc marker ("<<WORD") in it, and the Dockerfile lines after it as the heredoc\'s text; stagecraft writes no heredocs. Put the text in a file and COPY it.');
    }
    return new Simple('RUN', head + body, {
      mountsFrom: (options.mounts ?? []).map((m) => m.fromStage).filter((s): s is string => !!s),
      commands: commands.map((c) => c.trim()),
    });
  }

  /** `USER user[:group]`, names or numeric ids. */
  public static user(user: string, group?: string): Instruction {
    if (typeof user !== 'string' || !USER_PATTERN.test(user)) {
      throw invalidOption('USER', 'user', user, 'Expected a user name (lowercase, up to 32 characters) or a numeric uid.');
    }
    if (group !== undefined && !USER_PATTERN.test(group)) {
      throw invalidOption('USER', 'group', group, 'Expected a group name or a numeric gid.');
    }
    return new Simple('USER', group === undefined ? user : `${user}:${group}`, { user, group });
  }

  /** `EXPOSE port[/protocol]`. */
  public static expose(port: number, protocol: Protocol = Protocol.TCP): Instruction {
    assertPort('EXPOSE', 'port', port);
    return new Simple('EXPOSE', protocol === Protocol.TCP ? `${port}` : `${port}/${protocol}`);
  }

  /** `HEALTHCHECK [flags] CMD [...]`, exec form. */
  public static healthcheck(command: string[], options: HealthcheckOptions = {}): Instruction {
    const owner = 'HEALTHCHECK';
    const flags: string[] = [];
    const durations: Array<[string, string | undefined]> = [
      ['interval', options.interval],
      ['timeout', options.timeout],
      ['start-period', options.startPeriod],
    ];
    for (const [flag, value] of durations) {
      if (value !== undefined) {
        assertDuration(owner, flag, value);
        flags.push(`--${flag}=${value}`);
      }
    }
    if (options.retries !== undefined) {
      if (!Number.isInteger(options.retries) || options.retries < 1 || options.retries > 100) {
        throw invalidOption(owner, 'retries', options.retries, 'Expected an integer from 1 to 100.');
      }
      flags.push(`--retries=${options.retries}`);
    }
    const timings = { interval: options.interval, timeout: options.timeout, startPeriod: options.startPeriod, retries: options.retries };
    return new Simple('HEALTHCHECK', [...flags, 'CMD', execForm(owner, 'command', command)].join(' '), { exec: [...command], healthcheck: timings });
  }

  /** `HEALTHCHECK NONE`: disables a health check inherited from the base image. */
  public static healthcheckNone(): Instruction {
    return new Simple('HEALTHCHECK', 'NONE');
  }

  /** `SHELL [...]`, e.g. `["/bin/bash", "-o", "pipefail", "-c"]`. */
  public static shell(args: string[]): Instruction {
    return new Simple('SHELL', execForm('SHELL', 'args', args), { exec: [...args] });
  }

  /** `CMD [...]`, exec form only: no shell swallows signals. */
  public static cmd(args: string[]): Instruction {
    return new Simple('CMD', execForm('CMD', 'args', args), { exec: [...args] });
  }

  /** `ENTRYPOINT [...]`, exec form only. */
  public static entrypoint(args: string[]): Instruction {
    return new Simple('ENTRYPOINT', execForm('ENTRYPOINT', 'args', args), { exec: [...args] });
  }

  /** A `# comment` line (or lines) to explain the next instruction. */
  public static comment(text: string): Instruction {
    if (typeof text !== 'string') {
      throw invalidOption('comment', 'text', text, 'Expected a string.');
    }
    const lines = text.split(/\r\n|\r|\n/).map((l) => `# ${l}`.trimEnd());
    return new Simple('#', lines.join('\n'));
  }

  /** The instruction keyword, e.g. `RUN`; `#` for a comment. */
  public abstract readonly keyword: string;

  /** @internal */
  public abstract readonly _facts: InstructionFacts;

  /** The instruction's text as written in the Dockerfile. */
  public abstract render(): string;
}

/** What validation needs to know about an instruction, without re-parsing it. @internal */
export interface InstructionFacts {
  readonly declares?: string[];
  readonly uses?: string[];
  readonly copyFrom?: string;
  readonly mountsFrom?: string[];
  readonly sources?: string[];
  readonly destination?: string;
  readonly user?: string;
  readonly group?: string;
  readonly exec?: string[];
  readonly commands?: string[];
  readonly labels?: { [key: string]: string };
  /** A HEALTHCHECK's timings as written (unset ones are Docker's defaults). */
  readonly healthcheck?: HealthcheckOptions;
}

class Simple extends Instruction {
  public readonly keyword: string;
  /** @internal */
  public readonly _facts: InstructionFacts;
  private readonly text: string;

  constructor(keyword: string, text: string, facts: InstructionFacts = {}) {
    super();
    this.keyword = keyword;
    this.text = text;
    this._facts = facts;
  }

  public render(): string {
    return this.keyword === '#' ? this.text : `${this.keyword} ${this.text}`;
  }
}
