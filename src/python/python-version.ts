import * as pep440 from '@renovatebot/pep440';
import { invalidOption, userError } from '../validation';

/** Python minors stagecraft writes images and constraints for. */
export const SUPPORTED_PYTHON = ['3.10', '3.11', '3.12', '3.13', '3.14', '3.15'];

/** The Python version everything else is derived from: requires-python and every image tag. */
export interface PythonVersion {
  /** `3.13` or `3.13.2`, as it appears in image tags. */
  readonly tag: string;
  /** `3.13`. */
  readonly minor: string;
  /** The patch if pinned. */
  readonly patch?: number;
}

export function parsePythonVersion(owner: string, option: string, value: string): PythonVersion {
  const m = typeof value === 'string' ? /^(3\.\d{1,2})(?:\.(\d{1,3}))?$/.exec(value) : null;
  if (!m || !SUPPORTED_PYTHON.includes(m[1])) {
    throw invalidOption(owner, option, value, `Expected a supported Python version "3.N" or "3.N.P" with 3.N one of ${SUPPORTED_PYTHON.join(', ')}.`);
  }
  return { tag: value, minor: m[1], patch: m[2] === undefined ? undefined : Number(m[2]) };
}

/** `>=3.13`: what `poetry new` writes for the running Python. */
export function defaultRequiresPython(version: PythonVersion): string {
  return `>=${version.minor}`;
}

/**
 * Checks that every interpreter the image tag can resolve to satisfies
 * requires-python: a floating `3.13` tag may be any 3.13.x, so both ends of
 * the minor are checked.
 */
export function assertSatisfies(owner: string, version: PythonVersion, versionOption: string, requiresPython: string, requiresOption: string): void {
  if (typeof requiresPython !== 'string' || /[\r\n"'\\]/.test(requiresPython) || !pep440.validRange(requiresPython)) {
    throw invalidOption(owner, requiresOption, requiresPython, 'Expected a PEP 440 specifier set such as ">=3.11" or ">=3.11,<4".');
  }
  const candidates = version.patch === undefined ? [`${version.minor}.0`, `${version.minor}.99`] : [version.tag];
  const failing = candidates.filter((v) => !pep440.satisfies(v, requiresPython));
  if (failing.length > 0) {
    const which = version.patch === undefined ? ` (the tag "${version.tag}" can be any ${version.minor}.x, and ${failing.join(', ')} does not satisfy it)` : '';
    throw userError(
      `${owner}: ${versionOption} "${version.tag}" contradicts ${requiresOption} "${requiresPython}"${which}. ` +
        `Change one of them so that the image's Python satisfies ${requiresOption}.`,
    );
  }
}
