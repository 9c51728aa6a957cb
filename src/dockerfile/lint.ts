import { Arg, Dockerfile as DockerfileAst, DockerfileParser, From, Instruction as AstInstruction, JSONInstruction, Property } from 'dockerfile-ast';
import { validate, ValidationCode, ValidationSeverity } from 'dockerfile-utils';
import { BaseImage } from './base-image';
import { AUTOMATIC_PLATFORM_ARGS, PREDEFINED_VARIABLES, RESERVED_STAGE_NAMES, heredocMarkers, heredocProblem, isRootUser, shellUnquote } from './syntax';

/** How bad a lint finding is. */
export enum LintSeverity {
  /**
   * The Dockerfile is wrong or unsafe, or BuildKit's checks flag it (and so a build with the
   * generated `# check=error=true` would fail): synthesis fails.
   */
  ERROR = 'error',
  /**
   * Printed, synthesis goes on: dockerfile-utils' style warnings, and BuildKit's experimental
   * checks, which a build with `# check=error=true` does not run.
   */
  WARNING = 'warning',
}

/** What {@link lintDockerfile} knows beside the text. */
export interface LintOptions {
  /**
   * Named build contexts the build is given (`--build-context NAME=...`): `COPY --from=NAME` reads one.
   * @default - none: a `--from` that is no earlier stage is an error
   */
  readonly buildContexts?: string[];
}

/** One thing the linter found. */
export interface LintFinding {
  /** The rule, named after hadolint's (`DL3006`) or BuildKit's check (`UndefinedVar`). */
  readonly rule: string;
  /** Error or warning. */
  readonly severity: LintSeverity;
  /** 1-based line of the instruction. */
  readonly line: number;
  /** What is wrong. */
  readonly message: string;
}

/**
 * BuildKit's SecretsUsedInArgOrEnv (dockerfile2llb/validations.go, getSecretsRegex):
 * a name with one of these `_`-separated words, in any case, looks like a
 * credential (`SIGNING_KEY`, `github_token`, `AUTH`)...
 */
const SECRET_WORD = /(?:_|^)(apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
/** ...unless it also has one of these (`PUBLIC_KEY`, `TOKEN_FILE`, `KEY_VERSION`). */
const NOT_SECRET_WORD = /(?:_|^)(?:public|file|version)(?:_|$)/i;
/** dockerfile-utils' unterminated-quote errors, checked again with BuildKit's lexer. */
const QUOTE_CODES: ReadonlySet<ValidationCode> = new Set([ValidationCode.SYNTAX_MISSING_SINGLE_QUOTE, ValidationCode.SYNTAX_MISSING_DOUBLE_QUOTE]);
/** Instructions of which only a stage's last takes effect: BuildKit's MultipleInstructionsDisallowed. */
const ONCE_PER_STAGE = ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'];
/** Sample values of the automatic platform ARGs, to see what a FROM becomes with defaults only. */
const PLATFORM_SAMPLES: Record<string, string> = {
  TARGETPLATFORM: 'linux/amd64',
  TARGETOS: 'linux',
  TARGETARCH: 'amd64',
  TARGETVARIANT: '',
  BUILDPLATFORM: 'linux/amd64',
  BUILDOS: 'linux',
  BUILDARCH: 'amd64',
  BUILDVARIANT: '',
};
const EXPANDING = new Set(['ENV', 'LABEL', 'COPY', 'ADD', 'WORKDIR', 'USER', 'EXPOSE', 'STOPSIGNAL', 'VOLUME', 'ONBUILD']);

/**
 * Lints Dockerfile text the way hadolint and BuildKit's checks would, on the
 * parsed file (dockerfile-ast), plus dockerfile-utils' syntax validation.
 * It reads the text, not the model, so what a user adds through an escape
 * hatch gets the same checks as what stagecraft writes.
 *
 * BuildKit's own checks (frontend/dockerfile/linter/ruleset.go) are here
 * under their names where the text alone decides them; DL3025 is BuildKit's
 * JSONArgsRecommended, DL3024 its DuplicateStageName, DL3000 its
 * WorkdirRelativePath. They are errors: a generated Dockerfile carries
 * `# check=error=true`, so Docker would refuse to build what they find. The
 * experimental InvalidDefinitionDescription is a warning, as BuildKit runs it
 * only when asked. Not here: InvalidBaseImagePlatform (needs the pulled image)
 * and CopyIgnoredFile, which the generated `# check=` directive skips: before
 * BuildKit 0.28 it flags `COPY . ./` and `COPY go.sum* ./` under an allowlist
 * .dockerignore (`*`, then `!path`), which copies what it names; since 0.28
 * BuildKit skips the rule itself for a .dockerignore with `!` patterns, which
 * stagecraft's always has.
 */
export function lintDockerfile(text: string, options: LintOptions = {}): LintFinding[] {
  const buildContexts = options.buildContexts ?? [];
  const findings: LintFinding[] = [];
  const add = (rule: string, severity: LintSeverity, i: AstInstruction, message: string) =>
    findings.push({ rule, severity, line: i.getRange().start.line + 1, message });

  const df = DockerfileParser.parse(text);
  const instructions = df.getInstructions();
  const lines = text.split(/\r?\n/);

  for (const d of validate(text, {
    // checked below under BuildKit's names: ConsistentInstructionCasing (across the file),
    // MaintainerDeprecated, NoEmptyContinuation, MultipleInstructionsDisallowed
    instructionCasing: ValidationSeverity.IGNORE,
    deprecatedMaintainer: ValidationSeverity.IGNORE,
    emptyContinuationLine: ValidationSeverity.IGNORE,
    instructionCmdMultiple: ValidationSeverity.IGNORE,
    instructionEntrypointMultiple: ValidationSeverity.IGNORE,
    instructionHealthcheckMultiple: ValidationSeverity.IGNORE,
    instructionWorkdirRelative: ValidationSeverity.ERROR,
  })) {
    if (QUOTE_CODES.has(d.code as ValidationCode)) {
      // dockerfile-utils reads "'a" in ENV and LABEL as an unterminated single quote; Docker does not.
      // Its quote errors stand only where BuildKit's lexer fails on the instruction too.
      const at = instructions.find((i) => i.getRange().start.line <= d.range.start.line && d.range.start.line <= i.getRange().end.line);
      if (at && shellUnquote(logicalLine(lines, at.getRange().start.line, df.getEscapeCharacter())) !== undefined) {
        continue;
      }
    }
    findings.push({
      rule: `dockerfile-utils/${d.code ?? 'syntax'}`,
      severity: d.severity === 1 ? LintSeverity.ERROR : LintSeverity.WARNING,
      line: d.range.start.line + 1,
      message: typeof d.message === 'string' ? d.message : d.message.value,
    });
  }

  const globalArgs = new Set<string>(AUTOMATIC_PLATFORM_ARGS);
  // What each global ARG is when no --build-arg is given.
  const globalDefaults = new Map<string, string>(Object.entries(PLATFORM_SAMPLES));
  for (const arg of df.getInitialARGs()) {
    for (const { name, value } of argsOf(arg)) {
      globalArgs.add(name);
      if (value === undefined) {
        // an ARG without a default is unset, not empty, to "${NAME-default}"
        globalDefaults.delete(name);
      } else {
        globalDefaults.set(name, shellUnquote(value) ?? value);
      }
    }
  }

  lintDescriptions(df, lines, (i, message) => add('InvalidDefinitionDescription', LintSeverity.WARNING, i, message));

  lintContinuations(lines, df.getEscapeCharacter(), (line, message) =>
    findings.push({ rule: 'NoEmptyContinuation', severity: LintSeverity.ERROR, line, message }),
  );

  // ConsistentInstructionCasing: all upper or all lower.
  const keywords = instructions.map((i) => i.getInstruction());
  const upper = keywords.filter((k) => k === k.toUpperCase()).length;
  const lower = keywords.filter((k) => k === k.toLowerCase()).length;
  const majorityUpper = upper >= lower;
  for (const i of instructions) {
    const k = i.getInstruction();
    if (majorityUpper ? k !== k.toUpperCase() : k !== k.toLowerCase()) {
      add('ConsistentInstructionCasing', LintSeverity.ERROR, i, `"${k}" is not ${majorityUpper ? 'upper' : 'lower'} case like the other instructions`);
    }
  }

  const stages: string[] = [];
  let scope = new Set<string>();
  let stageStart = 0;
  let pipefail = false;
  // The CMD, ENTRYPOINT or HEALTHCHECK seen last in the stage.
  const lastOnce = new Map<string, AstInstruction>();
  const froms = df.getFROMs();
  const lastFrom = froms[froms.length - 1];
  for (const i of instructions) {
    const keyword = i.getKeyword();
    if (keyword === 'FROM') {
      const from = froms.find((f) => f.getRange().start.line === i.getRange().start.line)!;
      const image = from.getImageName() ?? '';
      const tag = from.getImageTag();
      const digest = from.getImageDigest();
      const stage = from.getBuildStage();
      const raw = from.getArgumentsContent() ?? '';
      // FromAsCasing: "AS" as the FROM keyword is cased.
      const as = /\s(as)\s/i.exec(raw)?.[1];
      if (as && (from.getInstruction() === from.getInstruction().toUpperCase() ? as !== 'AS' : as !== 'as')) {
        add('FromAsCasing', LintSeverity.ERROR, i, `"${as}" does not match the casing of "${from.getInstruction()}"`);
      }
      const isStageRef = stages.includes(image);
      const usesVariable = /\$/.test(from.getImage() ?? '');
      const undeclared = variablesIn(from.getImage() ?? '').concat(variablesIn(from.getPlatformFlag()?.getValue() ?? '')).filter((v) => !globalArgs.has(v));
      for (const v of undeclared) {
        add('UndefinedArgInFrom', LintSeverity.ERROR, i, `variable "${v}" in FROM is not declared by an ARG before the first FROM`);
      }
      if (usesVariable && undeclared.length === 0) {
        const withDefaults = expandDefaults(from.getImage() ?? '', globalDefaults);
        if (withDefaults !== undefined && !isImageReference(withDefaults)) {
          const noDefault = [...new Set(variablesIn(from.getImage() ?? ''))].filter((v) => !globalDefaults.has(v));
          const advice = noDefault.length > 0 ? `give ARG ${noDefault.join(', ')} a default` : 'change the ARG defaults';
          add('InvalidDefaultArgInFrom', LintSeverity.ERROR, i, `FROM ${from.getImage()} becomes "${withDefaults}" with the ARGs' defaults (no --build-arg), which is no image reference: ${advice}`);
        }
      }
      lintPlatform(from.getPlatformFlag()?.getValue() ?? undefined, stage ?? '', (rule, message) => add(rule, LintSeverity.ERROR, i, message));
      if (!isStageRef && !usesVariable && image !== 'scratch') {
        if (!tag && !digest) {
          add('DL3006', LintSeverity.ERROR, i, `image "${image}" has no explicit tag`);
        } else if (tag === 'latest') {
          add('DL3007', LintSeverity.ERROR, i, `image "${image}:latest": name an explicit version`);
        }
      }
      if (stage) {
        // BuildKit lowercases stage names, so "Builder" is "builder" and "SCRATCH" is "scratch".
        if (stage !== stage.toLowerCase()) {
          add('StageNameCasing', LintSeverity.ERROR, i, `stage name "${stage}" is not lowercase: BuildKit reads it as "${stage.toLowerCase()}"`);
        }
        if (RESERVED_STAGE_NAMES.has(stage.toLowerCase())) {
          add('ReservedStageName', LintSeverity.ERROR, i, `stage name "${stage}" is reserved: BuildKit means the empty image by "scratch" and the build context by "context"; choose another name`);
        }
        if (stages.includes(stage)) {
          add('DL3024', LintSeverity.ERROR, i, `stage name "${stage}" is used twice`);
        }
        stages.push(stage);
      }
      scope = new Set(PREDEFINED_VARIABLES);
      stageStart = i.getRange().start.line;
      pipefail = false;
      lastOnce.clear();
      continue;
    }
    if (froms.length > 0 && i.getRange().start.line < froms[0].getRange().start.line) {
      continue; // global ARGs
    }
    const args = i.getArgumentsContent() ?? '';

    if (EXPANDING.has(keyword)) {
      const expanded = keyword === 'ENV' || keyword === 'LABEL' ? valuesOf(i) : args;
      for (const v of variablesIn(expanded)) {
        if (!scope.has(v)) {
          add('UndefinedVar', LintSeverity.ERROR, i, `variable "${v}" is not declared by an ARG or ENV earlier in the stage`);
        }
      }
    }
    if (keyword === 'ARG' || keyword === 'ENV') {
      const names = keyword === 'ARG' ? argsOf(i as Arg).map((a) => a.name) : (i as any).getProperties().map((p: any) => p.getName());
      for (const name of names.filter((n: string | undefined): n is string => !!n)) {
        scope.add(name);
        const word = SECRET_WORD.exec(name)?.[1];
        if (word && !NOT_SECRET_WORD.test(name)) {
          add('SecretsUsedInArgOrEnv', LintSeverity.ERROR, i, `${keyword} "${name}" looks like a secret (the word "${word}"): it would be stored in the image's history; use RUN --mount=type=secret`);
        }
      }
    }
    if (keyword === 'ENV' || keyword === 'LABEL') {
      const legacy = ((i as any).getProperties() as Property[]).find((p) => p.getAssignmentOperator() !== '=');
      if (legacy) {
        add('LegacyKeyValueFormat', LintSeverity.ERROR, i, `"${keyword} ${args}" uses the legacy "${keyword} key value" form: write ${keyword} ${legacy.getName()}="..."`);
      }
    }
    if (ONCE_PER_STAGE.includes(keyword)) {
      const earlier = lastOnce.get(keyword);
      if (earlier) {
        add('MultipleInstructionsDisallowed', LintSeverity.ERROR, earlier, `"${keyword} ${earlier.getArgumentsContent() ?? ''}" has no effect: the ${keyword} at line ${i.getRange().start.line + 1} replaces it, as only a stage's last ${keyword} counts; keep one`);
      }
      lastOnce.set(keyword, i);
    }
    if (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') {
      const marker = heredocMarkers(logicalLine(lines, i.getRange().start.line, df.getEscapeCharacter()))[0];
      if (marker) {
        add('HeredocMarker', LintSeverity.ERROR, i, `${keyword}: ${heredocProblem(marker)}`);
      }
    }
    switch (keyword) {
      case 'WORKDIR':
        if (!args.startsWith('/') && !args.startsWith('$')) {
          add('DL3000', LintSeverity.ERROR, i, `WORKDIR "${args}" is not an absolute path`);
        }
        break;
      case 'ADD':
        add('DL3020', LintSeverity.ERROR, i, 'use COPY for files and folders; ADD fetches URLs and unpacks archives implicitly');
        break;
      case 'COPY': {
        const from = (i as any).getFromFlag?.()?.getValue() as string | undefined;
        if (from !== undefined && !stages.includes(from) && !buildContexts.includes(from) && !/[:/]/.test(from) && !/^\d+$/.test(from)) {
          const contexts = buildContexts.length > 0 ? `; build contexts: ${buildContexts.join(', ')}` : '';
          add('DL3022', LintSeverity.ERROR, i, `COPY --from="${from}" is not an earlier stage (earlier: ${stages.join(', ') || 'none'}${contexts})`);
        }
        if (from !== undefined && from === stages[stages.length - 1] && i.getRange().start.line > stageStart) {
          add('DL3023', LintSeverity.ERROR, i, `COPY --from="${from}" names the stage it is in`);
        }
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT':
        if ((i as JSONInstruction).getJSONStrings().length === 0 || !args.trim().startsWith('[')) {
          add('DL3025', LintSeverity.ERROR, i, `${keyword} is in shell form: use the exec form (a JSON array), or signals never reach the app`);
        }
        break;
      case 'SHELL':
        pipefail = /"-o"\s*,\s*"pipefail"/.test(args) || /-o\s+pipefail/.test(args);
        break;
      case 'EXPOSE':
        for (const port of args.split(/\s+/).filter((p) => p && !p.startsWith('$'))) {
          if (port.includes(':')) {
            add('ExposeInvalidFormat', LintSeverity.ERROR, i, `EXPOSE "${port}" names an IP address or a host port: EXPOSE takes the container's port only; the host side is chosen when the container runs (-p)`);
            continue;
          }
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(port);
          const ok = m && Number(m[1]) >= 1 && Number(m[1]) <= 65535 && (!m[2] || (Number(m[2]) >= Number(m[1]) && Number(m[2]) <= 65535));
          if (!ok) {
            add('DL3011', LintSeverity.ERROR, i, `EXPOSE "${port}" is not a valid port (1-65535, optionally /tcp or /udp)`);
          } else if (m[3] && m[3] !== m[3].toLowerCase()) {
            add('ExposeProtoCasing', LintSeverity.ERROR, i, `EXPOSE "${port}": write the protocol in lowercase ("${m[3].toLowerCase()}")`);
          }
        }
        break;
      case 'MAINTAINER':
        add('MaintainerDeprecated', LintSeverity.ERROR, i, `MAINTAINER "${args}" is deprecated: write LABEL org.opencontainers.image.authors="${args}"`);
        break;
      case 'RUN':
        lintRun(args, pipefail, (rule, message) => add(rule, LintSeverity.ERROR, i, message));
        break;
    }
  }

  // DL3002: the shipped image does not run as root.
  if (lastFrom) {
    const finalUsers = instructions.filter((i) => i.getKeyword() === 'USER' && i.getRange().start.line > lastFrom.getRange().start.line);
    const last = finalUsers[finalUsers.length - 1];
    if (!last) {
      findings.push({ rule: 'DL3002', severity: LintSeverity.ERROR, line: lastFrom.getRange().start.line + 1, message: 'the final stage has no USER: the image runs as root' });
    } else if (isRootUser(last.getArgumentsContent() ?? '')) {
      add('DL3002', LintSeverity.ERROR, last, `the last USER of the final stage, "${last.getArgumentsContent()}", is uid 0 (root) as the container runtime reads it (a number, or "root"): the image runs as root`);
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

/**
 * The variables an ARG declares, with their defaults. BuildKit takes several
 * (`ARG A=1 B`), each word one; dockerfile-ast reads `ARG A B` as A with the
 * value B, as it would an ENV.
 */
function argsOf(arg: Arg): Array<{ name: string; value?: string }> {
  return arg.getProperties().flatMap((p) => {
    const value = p.getValue() ?? undefined;
    if (p.getAssignmentOperator() === '=') {
      return [{ name: p.getName(), value }];
    }
    return [p.getName(), ...(value?.split(/\s+/).filter((w) => w) ?? [])].map((name) => ({ name }));
  });
}

/** Rules on a RUN's shell text (flags stripped). */
function lintRun(args: string, pipefail: boolean, report: (rule: string, message: string) => void): void {
  const script = args.replace(/^(--\S+\s+)+/, '');
  for (const command of script.split(/&&|\|\||;/).map((c) => c.trim())) {
    if (/^(sudo\s+)?apt-get\s.*\binstall\b/.test(command)) {
      if (!/\s(-y|--yes|--assume-yes|-[a-z]*y[a-z]*)\b/.test(command)) {
        report('DL3014', `"${command}": apt-get install needs -y in a build`);
      }
      if (!/--no-install-recommends/.test(command)) {
        report('DL3015', `"${command}": use --no-install-recommends to keep the image small`);
      }
    }
    const pip = /^(?:\S*\/)?(?:python\d*(?:\.\d+)?\s+-m\s+)?pip\d*(?:\.\d+)?\s+(?:.*\s)?install\s+(.*)$/.exec(command);
    if (pip) {
      for (const pkg of pipPackages(pip[1])) {
        const name = pkg.replace(/^["']|["']$/g, '');
        const local = /\.(whl|tar\.gz|zip)$/.test(name) || /^[.\/]/.test(name) || name.includes('/');
        if (!local && !/(==|===|@)/.test(name)) {
          report('DL3013', `pip install "${name}" is not pinned: name a version ("${name}==X.Y")`);
        }
      }
    }
    const npm = /^npm\s+(?:i|install|add)\s+(.*)$/.exec(command);
    if (npm) {
      for (const pkg of npm[1].split(/\s+/).filter((w) => w && !w.startsWith('-'))) {
        if (!/^(@[^/]+\/)?[^@]+@\S+/.test(pkg) && !/^[.\/]/.test(pkg)) {
          report('DL3016', `npm install "${pkg}" is not pinned: name a version ("${pkg}@X.Y.Z")`);
        }
      }
    }
  }
  // A pipe outside quotes, without pipefail, hides the failure of its left side.
  if (!pipefail && /(^|[^|])\|([^|]|$)/.test(script.replace(/"(?:\\.|[^"\\])*"|'[^']*'/g, ''))) {
    report('DL4006', 'a piped command without `SHELL ["/bin/sh", "-o", "pipefail", "-c"]` hides failures of its left side');
  }
}

/** pip's options whose value is the next word (a requirements file, an index), not a package. */
const PIP_VALUE_OPTIONS = new Set(['-r', '--requirement', '-c', '--constraint', '-i', '--index-url', '--extra-index-url', '-f', '--find-links',
  '-t', '--target', '--prefix', '--root', '--report', '--python-version', '--platform', '--implementation', '--abi', '--src', '--cache-dir', '--progress-bar']);

/** The package arguments of `pip install`: neither options nor their values. */
function pipPackages(args: string): string[] {
  const words = args.split(/\s+/).filter((w) => w);
  return words.filter((w, i) => !w.startsWith('-') && !PIP_VALUE_OPTIONS.has(words[i - 1]));
}

function variablesIn(text: string): string[] {
  const out: string[] = [];
  // An escaped \$ is literal; $$ is not a reference.
  const cleaned = text.replace(/\\\\/g, '').replace(/\\\$/g, '');
  for (const m of cleaned.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?+-][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    out.push(m[1] ?? m[2]);
  }
  return out;
}

/** The raw values of ENV/LABEL key=value pairs (keys never expand). */
function valuesOf(i: AstInstruction): string {
  const props = (i as any).getProperties?.() ?? [];
  return props.map((p: any) => p.getValue?.() ?? '').join(' ');
}

/** BuildKit's FromPlatformFlagConstDisallowed and RedundantTargetPlatform, on a FROM's --platform. */
function lintPlatform(platform: string | undefined, stage: string, report: (rule: string, message: string) => void): void {
  if (platform === undefined) {
    return;
  }
  if (/^\$(?:TARGETPLATFORM|\{TARGETPLATFORM\})$/.test(platform)) {
    report('RedundantTargetPlatform', `--platform=${platform} is what FROM does anyway: leave the flag out`);
    return;
  }
  const [os, arch] = platform.split('/');
  // A stage named after its platform ("build-arm64") is made for that platform on purpose.
  if (!platform.includes('$') && arch !== undefined && !stage.toLowerCase().includes(os) && !stage.toLowerCase().includes(arch)) {
    report('FromPlatformFlagConstDisallowed', `--platform=${platform} is a constant: the stage builds for ${platform} whatever platform the image is built for; use $BUILDPLATFORM or $TARGETPLATFORM, or name the stage after the platform`);
  }
}

/**
 * BuildKit's InvalidDefinitionDescription (experimental): the comment lines
 * right above a `FROM ... AS name` or an ARG are its description (what
 * `docker buildx build --call outline` shows), so the last of them must start
 * with the stage's or an ARG's name. As BuildKit's parser collects them, a
 * blank line does not end the comment block; an empty comment (`#`) or an
 * instruction does, and parser directives are no comments.
 */
function lintDescriptions(df: DockerfileAst, lines: string[], report: (i: AstInstruction, message: string) => void): void {
  const directives = new Set(df.getDirectives().map((d) => d.getNameRange().start.line));
  const starts = new Map(df.getInstructions().map((i) => [i.getRange().start.line, i]));
  let comments: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const i = starts.get(index);
    if (i === undefined) {
      const comment = /^\s*#(.*)$/.exec(lines[index])?.[1].trim();
      if (comment !== undefined && !directives.has(index)) {
        comments = comment === '' ? [] : [...comments, comment];
      }
      continue;
    }
    const last = comments[comments.length - 1];
    comments = [];
    index = i.getRange().end.line;
    const keyword = i.getKeyword();
    const names = keyword === 'FROM'
      ? [(i as From).getBuildStage()?.toLowerCase()].filter((n): n is string => !!n)
      : keyword === 'ARG' ? argsOf(i as Arg).map((a) => a.name) : [];
    if (last === undefined || names.length === 0 || names.includes(last.split(' ')[0])) {
      continue;
    }
    const example = names.length > 1 ? '<arg_key>' : names[0];
    report(i, `the comment above ${keyword} ("# ${last}") is read as its description, which must start with its name ("# ${example} <description>"): ` +
      'start it so, or end the comment with an empty "#" line');
  }
}

/**
 * BuildKit's NoEmptyContinuation: an empty line inside an instruction continued
 * with the escape character (comment lines there are skipped, not empty).
 */
function lintContinuations(lines: string[], escape: string, report: (line: number, message: string) => void): void {
  let start: number | undefined;
  lines.forEach((line, index) => {
    const comment = /^\s*#/.test(line);
    if (start === undefined) {
      if (line.trim() !== '' && !comment && endsWithEscape(line, escape)) {
        start = index;
      }
      return;
    }
    if (comment) {
      return;
    }
    if (line.trim() === '') {
      report(start + 1, `line ${index + 1}, inside the instruction continued from line ${start + 1}, is empty: BuildKit warns now and will refuse it; remove the line`);
      return;
    }
    if (!endsWithEscape(line, escape)) {
      start = undefined;
    }
  });
}

/** BuildKit's lineContinuationRegex: the escape character, not itself escaped, then blanks to the end. */
function endsWithEscape(line: string, escape: string): boolean {
  const e = escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  return new RegExp(`(?:[^${e}]|^)${e}[ \t]*$`).test(line);
}

/** An instruction's lines as BuildKit joins them before it looks for heredocs: continuations undone, comment and empty lines skipped. */
function logicalLine(lines: string[], start: number, escape: string): string {
  let out = '';
  for (let index = start; index < lines.length; index++) {
    const line = lines[index];
    if (index > start && (/^\s*#/.test(line) || line.trim() === '')) {
      continue;
    }
    if (!endsWithEscape(line, escape)) {
      return out + line;
    }
    out += line.replace(/[ \t]*$/, '').slice(0, -1);
  }
  return out;
}

/**
 * A FROM image with every global ARG at its default (unset is empty), as
 * BuildKit's InvalidDefaultArgInFrom sees it; undefined where a modifier
 * other than "-" or "+" makes that guesswork.
 */
function expandDefaults(image: string, defaults: Map<string, string>): string | undefined {
  let unknown = false;
  const out = image.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*)|([^}]+))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, modifier, word, other, bare) => {
    const value = defaults.get(braced ?? bare);
    if (other !== undefined) {
      unknown = true;
      return '';
    }
    const unset = value === undefined || (modifier?.startsWith(':') && value === '');
    if (modifier?.endsWith('-')) {
      return unset ? word : value!;
    }
    if (modifier?.endsWith('+')) {
      return unset ? '' : word;
    }
    return value ?? '';
  });
  return unknown || out.includes('$') ? undefined : out;
}

function isImageReference(reference: string): boolean {
  try {
    BaseImage.of(reference);
    return true;
  } catch {
    return false;
  }
}
