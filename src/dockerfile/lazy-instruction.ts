import { Instruction, InstructionFacts } from './instruction';

/**
 * An instruction produced when the Dockerfile is rendered, from values that
 * may still change after the construct that adds it (dependencies, task
 * steps). It may produce nothing: the stage then has no instruction there.
 * Replacing it by id (an escape hatch) replaces it like any other.
 * Internal: a function is not part of the jsii API.
 */
export class LazyInstruction extends Instruction {
  /** What a stage holds in place of `instruction`: the produced instruction, or nothing. */
  public static resolve(instruction: Instruction): Instruction | undefined {
    return instruction instanceof LazyInstruction ? instruction.produce() : instruction;
  }

  constructor(private readonly produce: () => Instruction | undefined) {
    super();
  }

  public get keyword(): string {
    return this.produced().keyword;
  }

  /** @internal */
  public get _facts(): InstructionFacts {
    return this.produced()._facts;
  }

  public render(): string {
    return this.produced().render();
  }

  private produced(): Instruction {
    const instruction = this.produce();
    if (!instruction) {
      throw new Error('LazyInstruction: nothing produced; a stage resolves it before reading it.');
    }
    return instruction;
  }
}
