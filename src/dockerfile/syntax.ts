/**
 * Dockerfile lexical rules, in one place: how a value is quoted so Docker
 * reads back exactly that value, and what can never be written at all.
 * Internal to the model: callers pass plain values, never pre-quoted text.
 */
import { assertMatches, invalidOption } from '../validation';

/** `$NAME` or `${NAME}`: the only variable references the model writes. */
const VARIABLE_REF = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

const VARIABLE_REF_AT = new RegExp(VARIABLE_REF.source, 'y');

/** Names Docker or every Linux base image defines without an ARG or ENV in the Dockerfile. */
export const PREDEFINED_VARIABLES: ReadonlySet<string> = new Set([
  'PATH',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
]);

/** Variables that are visible before the first FROM without an ARG: the automatic platform ARGs. */
export const AUTOMATIC_PLATFORM_ARGS: ReadonlySet<string> = new Set(
  [...PREDEFINED_VARIABLES].filter((v) => v !== 'PATH'),
);

export function assertNoLineBreak(owner: string, option: string, value: string): void {
  if (/[\r\n\u2028\u2029\u0085]/.test(value) || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw invalidOption(owner, option, value, 'A Dockerfile value must be a single line without control characters.');
  }
}

/** Variable names referenced by a value written in "expand" mode. */
export function variableRefs(value: string): string[] {
  const names: string[] = [];
  for (const m of value.matchAll(VARIABLE_REF)) {
    names.push(m[1] ?? m[2]);
  }
  return names;
}

/**
 * A double-quoted Dockerfile word (ENV, LABEL, ARG values). Backslash and
 * quote are escaped; `$` is escaped too unless `expand` is set, in which
 * case `$NAME`/`${NAME}` stay references and any other `$` is literal.
 */
export function quoteWord(owner: string, option: string, value: string, expand = false): string {
  assertNoLineBreak(owner, option, value);
  // Leading quotes go before the quoted part as \" (the same value to Docker): dockerfile-utils,
  // the lint gate's syntax check, misreads a double-quoted word that starts with \".
  const lead = /^"*/.exec(value)![0].length;
  let out = '';
  let i = lead;
  while (i < value.length) {
    const ch = value[i];
    if (ch === '$' && expand) {
      VARIABLE_REF_AT.lastIndex = i;
      const hit = VARIABLE_REF_AT.exec(value);
      if (hit) {
        out += hit[0];
        i += hit[0].length;
        continue;
      }
    }
    if (ch === '\\' || ch === '"' || ch === '$') {
      out += '\\' + ch;
    } else {
      out += ch;
    }
    i++;
  }
  return `${'\\"'.repeat(lead)}"${out}"`;
}

/** An exec-form JSON array, the only form the model writes for CMD, ENTRYPOINT, SHELL and HEALTHCHECK. */
export function execForm(owner: string, option: string, args: string[]): string {
  if (!Array.isArray(args) || args.length === 0) {
    throw invalidOption(owner, option, args, 'Expected a non-empty array of strings (exec form).');
  }
  for (const a of args) {
    if (typeof a !== 'string') {
      throw invalidOption(owner, option, args, 'Every element must be a string.');
    }
    assertNoLineBreak(owner, option, a);
  }
  return '[' + args.map((a) => JSON.stringify(a)).join(', ') + ']';
}

/** Characters a COPY source or destination may hold: no quoting or variable expansion needed. */
const PATH_PATTERN = /^[A-Za-z0-9_.\/@+*?\[\]:~%-]+$/;

export function assertPath(owner: string, option: string, value: string): void {
  if (typeof value !== 'string' || !PATH_PATTERN.test(value) || value.startsWith('-')) {
    throw invalidOption(
      owner,
      option,
      value,
      'Expected a path of letters, digits and _ . / @ + * ? [ ] : ~ % - (no spaces, quotes, "$" or backslashes, not starting with "-").',
    );
  }
}

export function assertAbsolutePath(owner: string, option: string, value: string): void {
  assertPath(owner, option, value);
  if (!value.startsWith('/') || /[*?\[\]]/.test(value)) {
    throw invalidOption(owner, option, value, 'Expected an absolute path without wildcards, e.g. "/app".');
  }
}

/** A flag value inside `--mount=...` or `--chown=...`: no separators, quotes or spaces. */
const FLAG_VALUE = /^[A-Za-z0-9_.\/@:+-]+$/;

export function assertFlagValue(owner: string, option: string, value: string): void {
  if (typeof value !== 'string' || !FLAG_VALUE.test(value)) {
    throw invalidOption(owner, option, value, 'Expected letters, digits and _ . / @ : + - only.');
  }
}

/** The `# syntax=` directive's frontend image, or "" for none (BuildKit's built-in frontend). */
export function assertSyntaxDirective(owner: string, option: string, value: string): void {
  assertMatches(owner, option, value, /^([A-Za-z0-9_.\/:@-]+)?$/,
    'Expected a frontend image reference such as "docker/dockerfile:1", or "" for no directive.');
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertVariableName(owner: string, option: string, value: string): void {
  if (typeof value !== 'string' || !VARIABLE_NAME.test(value)) {
    throw invalidOption(owner, option, value, 'Expected a variable name: a letter or "_", then letters, digits or "_".');
  }
}

/** Duration as Docker's HEALTHCHECK flags take it: `30s`, `1m30s`, `500ms`. */
export function assertDuration(owner: string, option: string, value: string): void {
  if (typeof value !== 'string' || !/^(\d+(ms|s|m|h))+$/.test(value)) {
    throw invalidOption(owner, option, value, 'Expected a duration such as "30s", "1m30s" or "500ms".');
  }
}
