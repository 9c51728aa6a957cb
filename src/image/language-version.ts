import { invalidOption } from '../validation';

/**
 * The language version an app targets (a Python, Node or Go version), as
 * numbers: compared as versions, never as strings, and knowing its release line.
 */
export class LanguageVersion {
  /**
   * A version of dot-separated numbers, e.g. "3.13", "3.13.2", "24", "1.27.4".
   * @param owner what is being configured, for the error message
   * @param option the option the version comes from
   */
  public static parse(owner: string, option: string, text: string): LanguageVersion {
    if (typeof text !== 'string' || !/^\d{1,4}(?:\.\d{1,4}){0,3}$/.test(text)) {
      throw invalidOption(owner, option, text, 'Expected a version of dot-separated numbers such as "3.13", "24" or "1.27.4".');
    }
    return new LanguageVersion(text);
  }

  /** The version as written, e.g. "3.13.2". */
  public readonly text: string;
  /** Its numbers, e.g. [3, 13, 2]. */
  public readonly parts: number[];

  private constructor(text: string) {
    this.text = text;
    this.parts = text.split('.').map(Number);
  }

  /** The major number, e.g. 3. */
  public get major(): number {
    return this.parts[0];
  }

  /** The release line, major and minor: "3.13" for 3.13.2, "24" for a version that names a major alone. */
  public get minor(): string {
    return this.parts.slice(0, 2).join('.');
  }

  /**
   * Whether this version is in the release line `line` (dot-separated numbers): "3.13" holds 3.13
   * and 3.13.2, not 3.130; "1.23.4" does not hold 1.23, which may be any 1.23 release.
   * A line that is not dot-separated numbers holds nothing.
   */
  public isInLine(line: string): boolean {
    if (typeof line !== 'string' || !/^\d+(?:\.\d+)*$/.test(line)) {
      return false;
    }
    const numbers = line.split('.').map(Number);
    return numbers.length <= this.parts.length && numbers.every((n, i) => n === this.parts[i]);
  }

  /** Negative, zero or positive as this version is older than, the same as, or newer than `other` (missing numbers count as 0). */
  public compareTo(other: LanguageVersion): number {
    for (let i = 0; i < Math.max(this.parts.length, other.parts.length); i++) {
      const d = (this.parts[i] ?? 0) - (other.parts[i] ?? 0);
      if (d !== 0) {
        return d;
      }
    }
    return 0;
  }

  public toString(): string {
    return this.text;
  }
}
