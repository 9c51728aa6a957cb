import { FileBase, IResolver } from 'projen/lib/file';
import { Project } from 'projen/lib/project';
import { BaseImage } from './base-image';
import { CHECK_DIRECTIVE, DEFAULT_FRONTEND, frontendImage } from './frontend';
import { Instruction } from './instruction';
import { LintFinding, LintSeverity, lintDockerfile } from './lint';
import { DockerfileStage } from './stage';
import { AUTOMATIC_PLATFORM_ARGS, PREDEFINED_VARIABLES, assertVariableName, isRootUser, quoteWord } from './syntax';
import { show, userError } from '../validation';

/** Options of a Dockerfile. */
export interface DockerfileOptions {
  /**
   * File name, relative to the project.
   * @default "Dockerfile"
   */
  readonly fileName?: string;
  /**
   * The `# syntax=` directive: the Dockerfile frontend image BuildKit pulls and builds with, with a
   * tag or a digest (`docker/dockerfile:1@sha256:...` pins it). An empty string leaves the directive
   * out: BuildKit then builds with the frontend built into the engine (no image to pull), and other
   * engines ignore the directive anyway.
   * @default "docker/dockerfile:1"
   */
  readonly syntax?: string;
}

/** A named build context: what `--build-context NAME=...` and COPY --from accept, lowercase for every engine. */
const BUILD_CONTEXT_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** BuildKit's Dockerfile parser reads lines of at most this many bytes. */
const MAX_LINE_BYTES = 65535;

/**
 * A multi-stage Dockerfile, kept as a model and rendered once at synthesis.
 *
 * It knows Dockerfile syntax, quoting and the stage graph; the app
 * constructs fill it. It is validated before anything is written: unique
 * stage names, `COPY --from` naming an earlier stage, ARGs in FROM declared
 * first, a final stage that runs as a non-root user, one CMD/ENTRYPOINT per
 * stage, no undefined variables.
 */
export class Dockerfile extends FileBase {
  /** The project's Dockerfile with this file name, if any. */
  public static of(project: Project, fileName = 'Dockerfile'): Dockerfile | undefined {
    const file = project.tryFindFile(fileName);
    return file instanceof Dockerfile ? file : undefined;
  }

  /** The `# syntax=` directive's frontend image; undefined when the file has no directive. */
  public readonly frontendImage?: BaseImage;
  private readonly globalArgs: Array<{ name: string; defaultValue?: string }> = [];
  private readonly _stages: DockerfileStage[] = [];
  private readonly _buildContexts: string[] = [];

  constructor(project: Project, options: DockerfileOptions = {}) {
    super(project, options.fileName ?? 'Dockerfile');
    this.frontendImage = frontendImage('Dockerfile', 'syntax', options.syntax ?? DEFAULT_FRONTEND);
  }

  /** The `# syntax=` directive's value (the frontend image's reference); undefined when the file has no directive. */
  public get syntax(): string | undefined {
    return this.frontendImage?.reference;
  }

  /** The stages, in order; the last one is the image that is shipped. */
  public get stages(): DockerfileStage[] {
    return [...this._stages];
  }

  /** The stage named `name`; throws, listing the stages, if there is none. */
  public stage(name: string): DockerfileStage {
    const found = this.tryFindStage(name);
    if (!found) {
      const known = this._stages.map((s) => `"${s.name}"`).join(', ') || 'none';
      throw userError(`${this.path}: no stage named ${show(name)}. Stages: ${known}.`);
    }
    return found;
  }

  /** The stage named `name`, or undefined. */
  public tryFindStage(name: string): DockerfileStage | undefined {
    return this._stages.find((s) => s.name === name);
  }

  /** Appends a stage. Stage names are unique. */
  public addStage(stage: DockerfileStage): void {
    this.assertNewStage(stage);
    this._stages.push(stage);
  }

  /** Inserts a stage before the stage named `beforeName`. */
  public insertStageBefore(beforeName: string, stage: DockerfileStage): void {
    const target = this.stage(beforeName);
    this.assertNewStage(stage);
    this._stages.splice(this._stages.indexOf(target), 0, stage);
  }

  /** Removes the stage named `name`. */
  public removeStage(name: string): void {
    this._stages.splice(this._stages.indexOf(this.stage(name)), 1);
  }

  /**
   * Declares a named build context (`--build-context NAME=PATH` of `docker build` and `buildah bud`,
   * bake's `contexts`, compose's `additional_contexts`): `COPY --from=NAME` then reads it. The
   * Dockerfile only names it; whoever builds gives its folder.
   */
  public addBuildContext(name: string): void {
    if (typeof name !== 'string' || !BUILD_CONTEXT_NAME.test(name)) {
      throw userError(`${this.path}: invalid build context name ${show(name)}. Expected lowercase letters, digits, "." "_" and "-", starting with a letter or digit.`);
    }
    if (this._buildContexts.includes(name)) {
      throw userError(`${this.path}: build context ${show(name)} is already declared.`);
    }
    this._buildContexts.push(name);
  }

  /** The named build contexts {@link addBuildContext} declared, in order. */
  public get buildContexts(): string[] {
    return [...this._buildContexts];
  }

  /** Declares an ARG before the first FROM, usable in FROM lines. */
  public addArg(name: string, defaultValue?: string): void {
    assertVariableName(`${this.path}`, 'ARG name', name);
    if (defaultValue !== undefined) {
      quoteWord(this.path, name, defaultValue);
    }
    if (this.globalArgs.some((a) => a.name === name)) {
      throw userError(`${this.path}: global ARG ${show(name)} is already declared.`);
    }
    this.globalArgs.push({ name, defaultValue });
  }

  /** Problems that would make the Dockerfile wrong; empty when it is sound. */
  public validate(): string[] {
    const errors: string[] = [];
    if (this._stages.length === 0) {
      return [`${this.path}: no stages.`];
    }
    const globals = new Set([...this.globalArgs.map((a) => a.name), ...AUTOMATIC_PLATFORM_ARGS]);
    const earlier = new Set<string>();
    for (const name of this._buildContexts) {
      if (this._stages.some((s) => s.name === name)) {
        errors.push(`${this.path}: build context "${name}" has the name of a stage: COPY --from="${name}" would read the stage, never the context.`);
      }
    }
    for (const stage of this._stages) {
      const where = `${this.path}: stage "${stage.name}"`;
      for (const v of [...stage.from.variables, ...variablesOf(stage.platform)]) {
        if (!globals.has(v)) {
          errors.push(`${where}, FROM ${stage.from.reference}: variable "${v}" is not declared by an ARG before the first FROM.`);
        }
      }
      const scope = new Set<string>(PREDEFINED_VARIABLES);
      const counts: Record<string, number> = {};
      stage.instructions.forEach((instruction, index) => {
        const at = `${where}, instruction ${index + 1} (${firstLine(instruction)})`;
        const facts = instruction._facts;
        for (const v of facts.uses ?? []) {
          if (!scope.has(v)) {
            errors.push(`${at}: variable "${v}" is not declared by an ARG or ENV earlier in the stage.`);
          }
        }
        for (const v of facts.declares ?? []) {
          scope.add(v);
        }
        for (const from of [facts.copyFrom, ...(facts.mountsFrom ?? [])]) {
          if (from !== undefined && !earlier.has(from) && !this._buildContexts.includes(from)) {
            const known = [...earlier].map((s) => `"${s}"`).join(', ') || 'none';
            const contexts = this._buildContexts.length > 0 ? ` Build contexts: ${this._buildContexts.map((c) => `"${c}"`).join(', ')}.` : '';
            errors.push(`${at}: "${from}" is not an earlier stage. Earlier stages: ${known}.${contexts}`);
          }
        }
        counts[instruction.keyword] = (counts[instruction.keyword] ?? 0) + 1;
      });
      for (const keyword of ['CMD', 'ENTRYPOINT', 'HEALTHCHECK']) {
        if ((counts[keyword] ?? 0) > 1) {
          errors.push(`${where}: ${counts[keyword]} ${keyword} instructions; only the last would take effect, so keep exactly one.`);
        }
      }
      earlier.add(stage.name);
    }
    const final = this._stages[this._stages.length - 1];
    const users = final.instructions.filter((i) => i.keyword === 'USER');
    const lastUser = users[users.length - 1];
    if (lastUser === undefined) {
      errors.push(`${this.path}: final stage "${final.name}" has no USER instruction; the image would run as root. Add a non-root USER.`);
    } else if (isRootUser(lastUser._facts.user!)) {
      errors.push(
        `${this.path}: final stage "${final.name}" runs as ${lastUser.render()}: user "${lastUser._facts.user}" is uid 0 (root), as the container runtime reads it; the image must run as a non-root user.`,
      );
    }
    // BuildKit refuses the whole file for one physical line over 64 KiB ("dockerfile line greater than max allowed size").
    this.renderWith(undefined).split('\n').forEach((line, i) => {
      const bytes = Buffer.byteLength(line, 'utf-8');
      if (bytes > MAX_LINE_BYTES) {
        errors.push(`${this.path}: line ${i + 1} (${line.slice(0, 40)}...) is ${bytes} bytes; BuildKit reads at most ${MAX_LINE_BYTES} bytes a line.`);
      }
    });
    return errors;
  }

  /** The Dockerfile text, without the projen marker. */
  public render(): string {
    return this.renderWith(undefined);
  }

  /** The lint gate's findings on the rendered Dockerfile (see {@link lintDockerfile}). */
  public lint(): LintFinding[] {
    return lintDockerfile(this.render(), { buildContexts: this._buildContexts });
  }

  /**
   * Validates the model, then lints what it renders, before any file is
   * written: a bad model or a lint error changes nothing on disk.
   */
  public preSynthesize(): void {
    super.preSynthesize();
    const errors = this.validate();
    if (errors.length > 0) {
      throw userError(`Invalid Dockerfile model:\n  - ${errors.join('\n  - ')}`);
    }
    const findings = this.lint();
    for (const w of findings.filter((f) => f.severity === LintSeverity.WARNING)) {
      this.project.logger.warn(`${this.path}:${w.line}: ${w.rule}: ${w.message}`);
    }
    const lintErrors = findings.filter((f) => f.severity === LintSeverity.ERROR);
    if (lintErrors.length > 0) {
      throw userError(`${this.path} fails the lint gate; nothing was written:\n  - ${lintErrors.map((f) => `line ${f.line}: ${f.rule}: ${f.message}`).join('\n  - ')}`);
    }
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    return this.renderWith(this.marker);
  }

  private renderWith(marker: string | undefined): string {
    // Parser directives first: BuildKit reads none after the first other line, the marker included.
    const head = [...(this.syntax ? [`# syntax=${this.syntax}`] : []), `# ${CHECK_DIRECTIVE}`];
    if (marker) {
      // The empty comment ends the marker's comment block: BuildKit would read it, blank line or not, as the
      // description of the first FROM or ARG (its experimental InvalidDefinitionDescription check).
      head.push(`# ${marker}`, '#');
    }
    const blocks = [head.join('\n')];
    if (this.globalArgs.length > 0) {
      blocks.push(this.globalArgs.map((a) => Instruction.arg(a.name, a.defaultValue).render()).join('\n'));
    }
    for (const stage of this._stages) {
      blocks.push(stage.render());
    }
    return blocks.join('\n\n') + '\n';
  }

  private assertNewStage(stage: DockerfileStage): void {
    if (!(stage instanceof DockerfileStage)) {
      throw userError(`${this.path}: addStage expects a DockerfileStage, got ${show(stage)}.`);
    }
    if (this._stages.some((s) => s.name === stage.name)) {
      throw userError(`${this.path}: a stage named "${stage.name}" already exists; stage names must be unique.`);
    }
  }
}

function variablesOf(text: string | undefined): string[] {
  if (!text) {
    return [];
  }
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]);
}

function firstLine(instruction: Instruction): string {
  const text = instruction.render().split('\n')[0].replace(/ \\$/, '');
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}
