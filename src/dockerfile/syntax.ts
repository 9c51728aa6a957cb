/**
 * Dockerfile lexical rules, in one place: how a value is quoted so Docker
 * reads back exactly that value, and what can never be written at all.
 * Internal to the model: callers pass plain values, never pre-quoted text.
 */
import { invalidOption } from '../validation';

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

/** Stage names BuildKit gives a meaning of their own (dockerfile2llb's reservedStageNames). */
export const RESERVED_STAGE_NAMES: ReadonlySet<string> = new Set(['scratch', 'context']);

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
  let out = '';
  let i = 0;
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
  return `"${out}"`;
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

/** A shell and Dockerfile variable name: ENV, ARG, an app's environment, a task's env. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertVariableName(owner: string, option: string, value: string, what = 'a variable name'): void {
  if (typeof value !== 'string' || !VARIABLE_NAME.test(value)) {
    throw invalidOption(owner, option, value, `Expected ${what}: a letter or "_", then letters, digits or "_".`);
  }
}

/** Duration as Docker's HEALTHCHECK flags take it: `30s`, `1m30s`, `500ms`. */
export function assertDuration(owner: string, option: string, value: string): void {
  if (typeof value !== 'string' || !/^(\d+(ms|s|m|h))+$/.test(value)) {
    throw invalidOption(owner, option, value, 'Expected a duration such as "30s", "1m30s" or "500ms".');
  }
}

/**
 * Whether a USER value (`user[:group]`) runs as root. runc and BuildKit read
 * a numeric user as a number (Go's strconv.Atoi: `00`, `+0` and `-0` are uid
 * 0), `root` as uid 0, and an empty user (`USER :1000`) as the default user,
 * root. Only the uid counts: `10001:0` is not root, as gid 0 grants the root
 * group's file permissions but no privileges (a common OpenShift layout).
 */
export function isRootUser(spec: string): boolean {
  const user = spec.replace(/["']/g, '').split(':')[0].trim();
  return user === '' || user === 'root' || (/^[+-]?\d+$/.test(user) && Number(user) === 0);
}

/** A word of a RUN, COPY or ADD line that BuildKit reads as a heredoc marker. */
export interface HeredocMarker {
  /** The word as written, e.g. `<<1` or `2<<-"EOF"`. */
  readonly word: string;
  /** The line that ends the heredoc, e.g. `1` or `EOF`. */
  readonly delimiter: string;
}

/** BuildKit's reHeredoc (frontend/dockerfile/parser/parser.go): digits (a file descriptor), `<<`, `-`, then any word without `<`. */
const HEREDOC_WORD = /^(\d*)<<(-?)\s*([^<]*)$/;

/**
 * The heredoc markers BuildKit finds in one logical Dockerfile line (its
 * continuations joined), as its parser's heredocsFromLine does: the line is
 * split into words by BuildKit's shell lexer (quotes and escapes kept, so
 * `'<<EOF'` and `\<<EOF` are no markers, and `<<` followed by blanks joins
 * the next word), and a word is a marker when it matches reHeredoc with a
 * non-empty delimiter. The delimiter may be digits: `<<1` is a heredoc.
 * BuildKit then reads the following lines of the Dockerfile, up to the
 * delimiter, as the heredoc's content instead of as instructions.
 */
export function heredocMarkers(line: string): HeredocMarker[] {
  const markers: HeredocMarker[] = [];
  for (const word of new ShellWords(line, true).words() ?? []) {
    const rest = HEREDOC_WORD.exec(word)?.[3];
    if (!rest) {
      continue;
    }
    // heredocFromMatch: the rest, its quotes and escapes undone, must be exactly one word (`<<''` is none);
    // where that fails to lex, BuildKit refuses the whole Dockerfile.
    const delimiter = new ShellWords(rest, false).words() ?? [rest];
    if (delimiter.length === 1) {
      markers.push({ word, delimiter: delimiter[0] });
    }
  }
  return markers;
}

/** A word as BuildKit reads it, quotes and escapes undone (`"python:3.13"` is `python:3.13`); undefined if it does not lex. */
export function shellUnquote(word: string): string | undefined {
  return new ShellWords(word, false).text();
}

/** Why a heredoc marker is refused, for the model's RUN and the lint gate alike. */
export function heredocProblem(marker: HeredocMarker): string {
  return `BuildKit reads the word "${marker.word}" as a heredoc marker, and the Dockerfile lines after it, up to a line "${marker.delimiter}", as the heredoc's text instead of as instructions; stagecraft writes no heredocs. Put the text in a file and COPY it; for a shift, write "<<" without a blank before it (e.g. "$((1<<2))")`;
}

/**
 * A port of the part of BuildKit's shell lexer (frontend/dockerfile/shell/lex.go,
 * ProcessWords with SkipUnsetEnv and no variables set) that decides where
 * words begin and end; `raw` keeps quotes and escapes in the words
 * (RawQuotes, RawEscapes), as heredocsFromLine asks. Where BuildKit's lexer
 * fails (an unterminated quote, a bad `${`) it finds no words, and so no
 * heredoc. One quirk is not copied: a `${x:-...}` in the middle of a word
 * drops the word's start in BuildKit, so this finds a heredoc marker there
 * that BuildKit might not; refusing one too many is the safe side.
 */
class ShellWords {
  private pos = 0;

  constructor(private readonly src: string, private readonly raw: boolean) {}

  public words(): string[] | undefined {
    try {
      return this.until(undefined).words;
    } catch {
      return undefined;
    }
  }

  public text(): string | undefined {
    try {
      return this.until(undefined).text;
    } catch {
      return undefined;
    }
  }

  /** processStopOn: text up to `stop` (consumed), and the words in it. */
  private until(stop: string | undefined): { text: string; words: string[] } {
    const words: string[] = [];
    let text = '';
    let buf = '';
    let inWord = false;
    const raw = (s: string) => {
      buf += s;
      inWord = true;
    };
    const char = (c: string) => {
      if (!/\s/.test(c)) {
        raw(c);
      } else if (inWord && buf !== '') {
        words.push(buf);
        buf = '';
        inWord = false;
      }
    };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (stop !== undefined && c === stop) {
        this.pos++;
        return { text, words: buf ? [...words, buf] : words };
      }
      if (c === '$') {
        // an expanded variable is split into words again
        const piece = this.dollar();
        text += piece;
        [...piece].forEach(char);
        continue;
      }
      const piece = c === '<' ? this.angle() : c === "'" ? this.single() : c === '"' ? this.double() : undefined;
      if (piece !== undefined) {
        text += piece;
        raw(piece);
        continue;
      }
      this.pos++;
      if (c === '\\') {
        if (this.raw) {
          text += c;
          raw(c);
        }
        if (this.pos >= this.src.length) {
          break;
        }
        const escaped = this.src[this.pos++];
        text += escaped;
        raw(escaped);
        continue;
      }
      text += c;
      char(c);
    }
    if (stop !== undefined) {
      throw new Error(`no closing ${stop}`);
    }
    return { text, words: buf ? [...words, buf] : words };
  }

  /** processPossibleHeredoc: `<<` takes the blanks after it into its word. */
  private angle(): string {
    this.pos++;
    if (this.src[this.pos] !== '<') {
      return '<';
    }
    this.pos++;
    const blanks = /^[\t\r ]*/.exec(this.src.slice(this.pos))![0];
    this.pos += blanks.length;
    return '<<' + blanks;
  }

  private single(): string {
    const end = this.src.indexOf("'", this.pos + 1);
    if (end < 0) {
      throw new Error('unterminated single quote');
    }
    const piece = this.raw ? this.src.slice(this.pos, end + 1) : this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return piece;
  }

  private double(): string {
    const quote = this.raw ? '"' : '';
    let piece = quote;
    this.pos++;
    for (;;) {
      if (this.pos >= this.src.length) {
        throw new Error('unterminated double quote');
      }
      const c = this.src[this.pos];
      if (c === '"') {
        this.pos++;
        return piece + quote;
      }
      if (c === '$') {
        piece += this.dollar();
        continue;
      }
      this.pos++;
      if (c === '\\' && this.pos < this.src.length && '"$\\'.includes(this.src[this.pos])) {
        piece += (this.raw ? c : '') + this.src[this.pos++];
      } else if (c !== '\\' || this.raw || this.pos < this.src.length) {
        piece += c;
      }
    }
  }

  /** processDollar, with every variable unset: the reference stays as written. */
  private dollar(): string {
    this.pos++;
    if (this.src[this.pos] !== '{') {
      return '$' + this.name();
    }
    this.pos++;
    if (this.pos >= this.src.length || '{}:'.includes(this.src[this.pos])) {
      throw new Error('bad substitution');
    }
    const name = this.name();
    let modifier = this.src[this.pos++];
    if (modifier === undefined) {
      throw new Error('missing }');
    }
    if (modifier === '}') {
      return '${' + name + '}';
    }
    if (modifier === ':') {
      modifier += this.src[this.pos++] ?? '';
      if (modifier === ':#' || modifier === ':%') {
        throw new Error('unsupported modifier');
      }
      return '${' + name + modifier + this.until('}').text + '}';
    }
    if ('+-?#%'.includes(modifier)) {
      return '${' + name + modifier + this.until('}').text + '}';
    }
    if (modifier === '/') {
      if (this.src[this.pos] === '/') {
        this.pos++;
        modifier += '/';
      }
      const pattern = this.until('/').text;
      return '${' + name + modifier + pattern + '/' + this.until('}').text + '}';
    }
    throw new Error('unsupported modifier');
  }

  /** processName: digits, one special parameter, or letters, digits and "_". */
  private name(): string {
    const rest = this.src.slice(this.pos);
    const m = /^\d+/.exec(rest) ?? /^[@*#?\-$!0]/.exec(rest) ?? /^[\p{L}\p{Nd}_]*/u.exec(rest)!;
    this.pos += m[0].length;
    return m[0];
  }
}
