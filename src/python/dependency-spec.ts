import * as pep440 from '@renovatebot/pep440';
import { invalidOption } from '../validation';

/** The test dependencies of a Poetry app or library, unless given: what its stub's test runs with. */
export const DEFAULT_TEST_DEPS = ['pytest@^8.3'];

/** The PEP 517 build backend of a Poetry 2 project (an app or a library). */
export const POETRY_BUILD_SYSTEM = { 'requires': ['poetry-core>=2.0.0,<3.0.0'], 'build-backend': 'poetry.core.masonry.api' };

/** PEP 508 distribution name. */
export const PACKAGE_NAME = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

/** A Python dependency as projen's dependency API writes it: `name[extras]@constraint`. */
export interface PythonDependency {
  readonly name: string;
  readonly extras: string[];
  /** The constraint as the user wrote it (Poetry syntax allowed), or undefined for any version. */
  readonly constraint?: string;
  /** The constraint as a PEP 440 specifier set, or undefined for any version. */
  readonly specifier?: string;
}

/**
 * Parses `requests`, `requests@^2.32`, `requests[socks]@>=2.31,<3`.
 * Poetry's caret and tilde constraints are translated to PEP 440, which is
 * what `[project].dependencies` takes.
 */
export function parseDependency(owner: string, name: string, version: string | undefined): PythonDependency {
  // Refused, not trimmed: projen writes the spec as given into .projen/deps.json, whose parser rejects line separators.
  if (/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(`${name}${version ?? ''}`)) {
    throw invalidOption(owner, 'dependency', `${name}${version === undefined ? '' : `@${version}`}`, 'Expected a single line without control characters, such as "requests@^2.32".');
  }
  const m = /^([^\[\]]+)(?:\[([^\]]*)\])?$/.exec(name);
  const base = m?.[1];
  if (!m || !base || !PACKAGE_NAME.test(base)) {
    throw invalidOption(owner, 'dependency name', name, 'Expected a PEP 508 package name such as "requests" or "requests[socks]".');
  }
  const extras = m[2] === undefined ? [] : m[2].split(',').map((e) => e.trim());
  for (const extra of extras) {
    if (!PACKAGE_NAME.test(extra)) {
      throw invalidOption(owner, `extra of ${base}`, extra, 'Expected a PEP 508 extra name such as "socks".');
    }
  }
  const constraint = version === undefined || version.trim() === '' || version.trim() === '*' ? undefined : version.trim();
  const specifier = constraint === undefined ? undefined : toPep440(owner, base, constraint);
  return { name: base, extras, constraint, specifier };
}

/** `requests[socks] (>=2.32,<3.0)`: the PEP 508 form Poetry 2 documents for `[project].dependencies`. */
export function pep508(dep: PythonDependency): string {
  const extras = dep.extras.length > 0 ? `[${dep.extras.join(',')}]` : '';
  return dep.specifier ? `${dep.name}${extras} (${dep.specifier})` : `${dep.name}${extras}`;
}

function toPep440(owner: string, name: string, constraint: string): string {
  const fail = () =>
    invalidOption(
      owner,
      `dependency version constraint of ${name}`,
      constraint,
      'Expected a Poetry constraint ("^2.32", "~2.32") or a PEP 440 specifier set (">=2.32,<3", "==2.32.3").',
    );
  let spec: string;
  const caret = /^\^\s*(\d+(?:\.\d+){0,2})$/.exec(constraint);
  const tilde = /^~\s*(\d+(?:\.\d+){0,2})$/.exec(constraint);
  if (caret) {
    spec = caretRange(caret[1]);
  } else if (tilde) {
    spec = tildeRange(tilde[1]);
  } else if (/^\d+(?:\.\d+)*$/.test(constraint)) {
    spec = `==${constraint}`;
  } else {
    spec = constraint.replace(/\s+/g, '');
  }
  if (/[;'"\\\s]/.test(spec) || !pep440.validRange(spec)) {
    throw fail();
  }
  return spec;
}

function caretRange(version: string): string {
  const parts = version.split('.').map(Number);
  const [major, minor = 0, patch = 0] = parts;
  let upper: string;
  if (major > 0 || parts.length === 1) {
    upper = `${major + 1}.0.0`;
  } else if (minor > 0 || parts.length === 2) {
    upper = `0.${minor + 1}.0`;
  } else {
    upper = `0.0.${patch + 1}`;
  }
  return `>=${version},<${upper}`;
}

function tildeRange(version: string): string {
  const parts = version.split('.').map(Number);
  const upper = parts.length === 1 ? `${parts[0] + 1}.0.0` : `${parts[0]}.${parts[1] + 1}.0`;
  return `>=${version},<${upper}`;
}

/** `{ name: constraint }` as `[tool.poetry.*.dependencies]` takes it. */
export function poetryTable(deps: PythonDependency[]): { [name: string]: any } {
  const table: { [name: string]: any } = {};
  for (const d of deps) {
    const version = d.constraint ?? '*';
    table[d.name] = d.extras.length > 0 ? { version, extras: d.extras } : version;
  }
  return table;
}
