import { BaseImage } from './base-image';
import { Instruction } from './instruction';
import { LazyInstruction } from './lazy-instruction';
import { RESERVED_STAGE_NAMES, assertFlagValue } from './syntax';
import { invalidOption, show, userError } from '../validation';

/** Options of a stage. */
export interface DockerfileStageOptions {
  /** The image the stage starts from. */
  readonly from: BaseImage;
  /**
   * `--platform` of the FROM, e.g. `$BUILDPLATFORM` for a builder that cross-compiles.
   * @default - the target platform
   */
  readonly platform?: string;
}

const STAGE_NAME = /^[a-z][a-z0-9_.-]{0,62}$/;

interface Entry {
  readonly id?: string;
  readonly instruction: Instruction;
}

/**
 * One build stage: `FROM image AS name` and its instructions, in order.
 *
 * Instructions may carry an id so that code elsewhere (a user's
 * `.projenrc.ts`, an org package) can insert around, replace or remove them
 * without copying the construct that added them.
 */
export class DockerfileStage {
  /** Stage name, used by `COPY --from` and `--target`. */
  public readonly name: string;
  /** The image the stage starts from. */
  public readonly from: BaseImage;
  /** `--platform` of the FROM, if any. */
  public readonly platform?: string;
  private readonly entries: Entry[] = [];

  constructor(name: string, options: DockerfileStageOptions) {
    if (typeof name !== 'string' || !STAGE_NAME.test(name)) {
      throw invalidOption('DockerfileStage', 'name', name, 'Expected a lowercase name: a letter, then letters, digits, "_", "." or "-" (at most 63).');
    }
    if (RESERVED_STAGE_NAMES.has(name)) {
      throw invalidOption('DockerfileStage', 'name', name, 'BuildKit reserves "scratch" (the empty image) and "context" (the build context) as names of their own (its ReservedStageName check). Choose another name.');
    }
    if (!(options?.from instanceof BaseImage)) {
      throw invalidOption(`Dockerfile stage "${name}"`, 'from', options?.from, 'Expected a BaseImage, e.g. BaseImage.of("python:3.13-slim").');
    }
    if (options.platform !== undefined) {
      if (!/^(?:\$[A-Z_]+|\$\{[A-Z_]+\}|[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?)$/.test(options.platform)) {
        throw invalidOption(`Dockerfile stage "${name}"`, 'platform', options.platform, 'Expected "os/arch[/variant]" or a variable such as "$BUILDPLATFORM".');
      }
    }
    this.name = name;
    this.from = options.from;
    this.platform = options.platform;
  }

  /** The instructions, in order. */
  public get instructions(): Instruction[] {
    // Late values are produced now: an instruction that depends on them reads them as they are.
    return this.entries.map((e) => LazyInstruction.resolve(e.instruction)).filter((i): i is Instruction => i !== undefined);
  }

  /** Ids of the named instructions, in order. */
  public get instructionIds(): string[] {
    return this.entries.filter((e) => e.id !== undefined).map((e) => e.id!);
  }

  /** Appends an instruction, optionally under an id that is unique in the stage. */
  public addInstruction(instruction: Instruction, id?: string): void {
    this.entries.push(this.entry(instruction, id));
  }

  /** Inserts an instruction before the one with id `beforeId`. */
  public insertBefore(beforeId: string, instruction: Instruction, id?: string): void {
    this.entries.splice(this.indexOf(beforeId), 0, this.entry(instruction, id));
  }

  /** Inserts an instruction after the one with id `afterId`. */
  public insertAfter(afterId: string, instruction: Instruction, id?: string): void {
    this.entries.splice(this.indexOf(afterId) + 1, 0, this.entry(instruction, id));
  }

  /** Replaces the instruction with id `id`; the replacement keeps the id. */
  public replaceInstruction(id: string, instruction: Instruction): void {
    this.assertInstruction(instruction);
    this.entries[this.indexOf(id)] = { id, instruction };
  }

  /** Removes the instruction with id `id`. */
  public removeInstruction(id: string): void {
    this.entries.splice(this.indexOf(id), 1);
  }

  /** The instruction with id `id`, or undefined. */
  public tryFindInstruction(id: string): Instruction | undefined {
    return this.entries.find((e) => e.id === id)?.instruction;
  }

  /** The stage as Dockerfile text. */
  public render(): string {
    const platform = this.platform ? `--platform=${this.platform} ` : '';
    const lines = [`FROM ${platform}${this.from.reference} AS ${this.name}`];
    for (const instruction of this.instructions) {
      lines.push(instruction.render());
    }
    return lines.join('\n');
  }

  private entry(instruction: Instruction, id?: string): Entry {
    this.assertInstruction(instruction);
    if (id !== undefined) {
      assertFlagValue(`Dockerfile stage "${this.name}"`, 'instruction id', id);
      if (this.entries.some((e) => e.id === id)) {
        throw userError(`Dockerfile stage "${this.name}": an instruction with id ${show(id)} already exists; use replaceInstruction("${id}", ...) to change it.`);
      }
    }
    return { id, instruction };
  }

  private assertInstruction(instruction: Instruction): void {
    if (!(instruction instanceof Instruction)) {
      throw invalidOption(`Dockerfile stage "${this.name}"`, 'instruction', instruction, 'Expected an Instruction from the Instruction.* factories.');
    }
  }

  private indexOf(id: string): number {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i < 0) {
      const known = this.instructionIds.map((x) => `"${x}"`).join(', ') || 'none';
      throw userError(`Dockerfile stage "${this.name}": no instruction with id ${show(id)}. Instruction ids in this stage: ${known}.`);
    }
    return i;
  }
}
