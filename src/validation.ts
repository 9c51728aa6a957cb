/**
 * Errors for bad input. Every message names what was being configured, the
 * option, the value received and what is allowed, so a user can fix
 * `.projenrc.ts` without reading stagecraft's source.
 */
import * as path from 'path';
import { inspect } from 'util';
import { ICON } from 'projen/lib/logging';

/** Marks an error whose message is written for the user. Symbol.for: an org package's copy of stagecraft marks the same way. */
const USER_ERROR = Symbol.for('stagecraft.userError');
const HANDLER_INSTALLED = Symbol.for('stagecraft.userErrorHandler');

/**
 * An error whose message says all the user needs: when `.projenrc` runs as
 * the main program, `npx projen` shows the message alone, not a stack trace
 * into stagecraft's source.
 */
export function userError(message: string): Error {
  const error = new Error(message);
  Object.defineProperty(error, USER_ERROR, { value: true });
  return error;
}

/** Whether an error was made by {@link userError}. */
export function isUserError(error: unknown): boolean {
  return error instanceof Error && (error as any)[USER_ERROR] === true;
}

/**
 * Installed when `.projenrc.ts` (or `.js`) is the main program, never in a
 * test runner or a program that embeds stagecraft: a user error is printed
 * as its message; any other error as Node prints it, stack and all.
 */
function reportUserErrorsPlainly(): void {
  // Preloaded (`node --require stagecraft ... .projenrc.ts`), stagecraft loads before the main module exists: its path is argv[1].
  const main = require.main?.filename ?? process.argv[1];
  if (!main || !/^\.projenrc\.[cm]?[jt]s$/.test(path.basename(main)) || (process as any)[HANDLER_INSTALLED]) {
    return;
  }
  (process as any)[HANDLER_INSTALLED] = true;
  process.on('uncaughtException', (error: unknown) => {
    const plain = isUserError(error);
    process.stderr.write(plain ? `${ICON} ${(error as Error).message}\n` : `${inspect(error)}\n`);
    process.exit(1);
  });
}
reportUserErrorsPlainly();

/** Renders a received value unambiguously: strings quoted, control characters visible. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    // JSON leaves U+2028/U+2029/U+0085 raw; an error message must show them.
    return JSON.stringify(value).replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (value === undefined) {
    return 'undefined';
  }
  // JSON would show NaN and Infinity as null: show the number the user wrote.
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Builds the error for an invalid option.
 *
 * @param owner what was being configured, e.g. `PoetryApp` or `Dockerfile stage "runtime"`
 * @param option the option's name as the user wrote it
 * @param value the value received
 * @param allowed what would have been accepted
 */
export function invalidOption(owner: string, option: string, value: unknown, allowed: string): Error {
  return userError(`${owner}: invalid ${option} ${show(value)}. ${allowed}`);
}

/**
 * Throws when the string contains a line break or a control character: no
 * single-line syntax (a Dockerfile value, a TOML string) carries them all.
 */
export function assertSingleLine(owner: string, option: string, value: string, maxLength: number = MAX_LINE): void {
  if (typeof value !== 'string' || /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/.test(value) || !isWellFormed(value)) {
    throw invalidOption(owner, option, value, 'It must be a single line without control characters.');
  }
  assertMaxLength(owner, option, value, maxLength);
}

/**
 * The longest free text an option takes unless its consumer says less: a
 * Dockerfile line is at most 65,535 bytes (BuildKit), a value can double when
 * escaped, and a UTF-8 character takes up to 4 bytes.
 */
export const MAX_LINE = 4096;

/** Throws when the value is longer than what its consumers accept. */
export function assertMaxLength(owner: string, option: string, value: string, maxLength: number): void {
  if (value.length > maxLength) {
    const shown = `${show(value.slice(0, 40)).slice(0, -1)}..." (${value.length} characters)`;
    throw userError(`${owner}: invalid ${option} ${shown}. It must be at most ${maxLength} characters.`);
  }
}

/** No lone UTF-16 surrogates: they cannot be written as UTF-8, and Go refuses them in string literals. */
function isWellFormed(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** Throws unless the value matches the pattern. */
export function assertMatches(owner: string, option: string, value: string, pattern: RegExp, allowed: string): void {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw invalidOption(owner, option, value, allowed);
  }
}

/** Throws unless the value is an integer TCP/UDP port. */
export function assertPort(owner: string, option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalidOption(owner, option, value, 'Expected an integer port from 1 to 65535.');
  }
}

/**
 * Throws unless the value is an http(s) URL with nothing a file format would
 * have to escape and no credentials: a URL option is written into manifests
 * and build ARGs, which `docker history` and the repository keep.
 *
 * @param credentialsHint where credentials go instead, for the error message
 */
export function assertUrl(owner: string, option: string, value: string, credentialsHint: string = 'Give the URL without them.'): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !(url.protocol === 'https:' || url.protocol === 'http:') || /[\s"'\\<>`{}|^\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(value)) {
    throw invalidOption(owner, option, value, 'Expected an http(s) URL without spaces or quotes.');
  }
  assertMaxLength(owner, option, value, 2048);
  // user:password@ travels in the authority; a token travels in the query (`?token=...`).
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) {
    throw invalidOption(owner, option, value, `Credentials ("user:password@") must not be written into generated files or build ARGs. ${credentialsHint}`);
  }
  if (value.includes('?') || value.includes('#')) {
    throw invalidOption(owner, option, value, `A URL option takes no query or fragment: a token in the query ("?token=...") would be written into generated files and build ARGs. ${credentialsHint}`);
  }
}
