import { DockerfileParser, Flag, Instruction, PropertyInstruction } from 'dockerfile-ast';

/** One instruction as Docker reads it back, parsed by dockerfile-ast (never by string search). */
export interface ParsedInstruction {
  readonly keyword: string;
  /** Arguments as written (shell form), or the decoded JSON strings (exec form). */
  readonly args: string[];
  readonly flags: Record<string, string | null>;
  /** ENV/LABEL/ARG key=value pairs, values with Dockerfile quoting removed. */
  readonly properties: Record<string, string | null>;
  readonly json?: string[];
  /** The instruction's text with line continuations joined. */
  readonly text: string;
}

export interface ParsedStage {
  readonly name: string | null;
  readonly image: string;
  readonly flags: Record<string, string | null>;
  readonly instructions: ParsedInstruction[];
}

export interface ParsedDockerfile {
  readonly directives: Record<string, string>;
  readonly globalArgs: ParsedInstruction[];
  readonly stages: ParsedStage[];
}

function flagsOf(flags: Flag[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of flags) {
    const name = f.getName();
    out[name] = out[name] === undefined ? f.getValue() : `${out[name]}|${f.getValue()}`;
  }
  return out;
}

/**
 * Decodes one Dockerfile word the way BuildKit's shell lexer does
 * (frontend/dockerfile/shell/lex.go): in double quotes a backslash escapes
 * only `"`, `$` and `\`; single quotes are literal; outside quotes a
 * backslash escapes any character. A variable reference decodes to `${NAME}`
 * so that a test sees where Docker would expand.
 */
export function decodeWord(raw: string): string {
  let out = '';
  let i = 0;
  const dollar = (): string => {
    i++; // $
    if (raw[i] === '{') {
      const end = raw.indexOf('}', i);
      if (end < 0) {
        throw new Error(`missing } in ${raw}`);
      }
      const name = raw.slice(i + 1, end);
      i = end + 1;
      return '${' + name + '}';
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]+|^[@*#?\-$!]/.exec(raw.slice(i));
    if (!m) {
      return '$';
    }
    i += m[0].length;
    return '${' + m[0] + '}';
  };
  while (i < raw.length) {
    const ch = raw[i];
    if (ch === '"') {
      i++;
      while (raw[i] !== '"') {
        if (i >= raw.length) {
          throw new Error(`unterminated double quote in ${raw}`);
        }
        if (raw[i] === '$') {
          out += dollar();
        } else if (raw[i] === '\\' && ['"', '$', '\\'].includes(raw[i + 1])) {
          out += raw[i + 1];
          i += 2;
        } else {
          out += raw[i++];
        }
      }
      i++;
    } else if (ch === "'") {
      const end = raw.indexOf("'", i + 1);
      if (end < 0) {
        throw new Error(`unterminated single quote in ${raw}`);
      }
      out += raw.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '$') {
      out += dollar();
    } else if (ch === '\\') {
      out += raw[i + 1] ?? '';
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function slice(lines: string[], range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  if (range.start.line === range.end.line) {
    return lines[range.start.line].slice(range.start.character, range.end.character);
  }
  const parts = [lines[range.start.line].slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) {
    parts.push(lines[l]);
  }
  parts.push(lines[range.end.line].slice(0, range.end.character));
  return parts.join('\n');
}

/** Exec-form arguments exactly as Docker decodes them: the JSON array after the keyword (and HEALTHCHECK's CMD). */
function execArgs(i: Instruction): string[] | undefined {
  let raw = (i.getRawArgumentsContent() ?? '').replace(/\\\r?\n\s*/g, '');
  if (i.getKeyword() === 'HEALTHCHECK') {
    const at = raw.indexOf('CMD ');
    raw = at < 0 ? '' : raw.slice(at + 4);
  }
  raw = raw.trim();
  if (!raw.startsWith('[')) {
    return undefined;
  }
  // Like Docker: a JSON array is the exec form; anything else is the shell form.
  try {
    const parsed = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits ENV/LABEL/ARG arguments into words the way BuildKit's parser does
 * (frontend/dockerfile/parser/line_parsers.go, parseWords): quotes group,
 * an escape outside quotes keeps the next character (even a quote), an
 * escape inside double quotes keeps the next character; words keep their
 * quotes for the lexer (decodeWord) to remove.
 */
export function parseWords(rest: string): string[] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  const chars = [...rest];
  const isSpace = (c: string) => /\s/.test(c);
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos];
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === '\\') {
        if (pos + 1 === chars.length) continue;
        word += ch;
        pos++;
        ch = chars[pos];
      }
      word += ch;
      continue;
    }
    // in a quote
    if (ch === quote) phase = 'word';
    if (ch === '\\' && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos];
    }
    word += ch;
  }
  return words;
}

function parseInstruction(i: Instruction, lines: string[]): ParsedInstruction {
  const keyword = i.getKeyword();
  const anyI = i as any;
  const flags = typeof anyI.getFlags === 'function' ? flagsOf(anyI.getFlags()) : {};
  const properties: Record<string, string | null> = {};
  if (['ENV', 'LABEL', 'ARG'].includes(keyword)) {
    // key=value words, as BuildKit splits and decodes them
    const raw = (i.getRawArgumentsContent() ?? '').replace(/\\\r?\n\s*/g, '');
    for (const w of parseWords(raw)) {
      const eq = w.indexOf('=');
      properties[eq < 0 ? w : w.slice(0, eq)] = eq < 0 ? null : decodeWord(w.slice(eq + 1));
    }
  } else if (typeof (i as PropertyInstruction).getProperties === 'function') {
    for (const p of (i as PropertyInstruction).getProperties()) {
      const range = p.getValueRange();
      properties[p.getName()] = range ? decodeWord(slice(lines, range)) : null;
    }
  }
  const json = ['CMD', 'ENTRYPOINT', 'SHELL', 'HEALTHCHECK', 'RUN'].includes(keyword) ? execArgs(i) : undefined;
  return {
    keyword,
    args: i.getArguments().map((a) => a.getValue()),
    flags,
    properties,
    json,
    text: i.getTextContent().replace(/\\\r?\n\s*/g, ''),
  };
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const df = DockerfileParser.parse(text);
  const lines = text.split('\n');
  const directives: Record<string, string> = {};
  for (const d of df.getDirectives()) {
    directives[d.getName()] = d.getValue();
  }
  const froms = df.getFROMs();
  const stages: ParsedStage[] = froms.map((from) => ({
    name: from.getBuildStage(),
    image: from.getImage() ?? '',
    flags: flagsOf(from.getFlags()),
    instructions: [],
  }));
  const globalArgs: ParsedInstruction[] = [];
  let current = -1;
  for (const instruction of df.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      current++;
      continue;
    }
    const parsed = parseInstruction(instruction, lines);
    if (current < 0) {
      globalArgs.push(parsed);
    } else {
      (stages[current].instructions as ParsedInstruction[]).push(parsed);
    }
  }
  return { directives, globalArgs, stages };
}

export function stageNamed(df: ParsedDockerfile, name: string): ParsedStage {
  const s = df.stages.find((x) => x.name === name);
  if (!s) {
    throw new Error(`no stage ${name} in ${df.stages.map((x) => x.name).join(', ')}`);
  }
  return s;
}

export function only(stage: ParsedStage, keyword: string, where: (i: ParsedInstruction) => boolean = () => true): ParsedInstruction {
  const found = stage.instructions.filter((i) => i.keyword === keyword && where(i));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${keyword} in stage ${stage.name}, found ${found.length}`);
  }
  return found[0];
}
