import * as fs from 'fs';
import * as path from 'path';
import type * as Handlebars from 'handlebars';
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { StubRecord } from './stub-record';
import { isDriftCheck } from '../project/drift-check';
import { userError } from '../validation';

/** stagecraft's own templates, shipped in the package's `templates/` folder. */
export const BUILTIN_TEMPLATES = path.resolve(__dirname, '..', '..', 'templates');

/**
 * Where stub templates come from: an ordered list of template folders, the
 * first one holding a template wins. stagecraft's own folder is always last,
 * so an org package only needs the templates it changes.
 */
export class StubTemplates extends Component {
  /** The project's template search path, created with stagecraft's templates on first use. */
  public static of(project: Project): StubTemplates {
    // By its id: a lookup, not a walk of every component (it is asked for by each stub).
    const found = project.node.tryFindChild('StubTemplates');
    return found instanceof StubTemplates ? found : new StubTemplates(project);
  }

  private readonly dirs: string[] = [BUILTIN_TEMPLATES];
  private engine?: typeof Handlebars;
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  private constructor(project: Project) {
    super(project, 'StubTemplates');
  }

  /** Template folders, highest priority first. */
  public get directories(): string[] {
    return [...this.dirs];
  }

  /** Puts a folder of templates in front of the ones already searched. */
  public addDirectory(dir: string): void {
    const abs = path.resolve(dir);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
      throw userError(`StubTemplates: template folder ${JSON.stringify(dir)} does not exist.`);
    }
    this.dirs.unshift(abs);
  }

  /** The file a template name resolves to, e.g. `python/README.md.hbs`. */
  public resolve(name: string): string {
    for (const dir of this.dirs) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) {
        return candidate;
      }
    }
    throw userError(`StubTemplates: no template ${JSON.stringify(name)} in ${this.dirs.join(', ')}.`);
  }

  /**
   * Renders a template with the given context. `{{value}}` is escaped for the
   * language of the file written (by its extension; see {@link stubEscaper}):
   * safe inside a string literal or a comment of that language, and as text in
   * HTML and Markdown. `{{str value}}` writes a string literal; `{{{value}}}`
   * writes the value as it is, for a template that has validated it.
   *
   * @param name template name, e.g. `python/README.md.hbs`
   * @param context values the template reads
   * @param target path of the file written, whose extension picks the escaping
   * @default target - the template name without `.hbs`
   */
  public render(name: string, context: { [key: string]: any }, target?: string): string {
    const file = this.resolve(name);
    let template = this.compiled.get(file);
    if (!template) {
      // noEscape false: every {{value}} goes through escapeExpression, which calls the value's toHTML().
      template = this.handlebars().compile(fs.readFileSync(file, 'utf-8'), { strict: true });
      this.compiled.set(file, template);
    }
    return template(wrapValues(context, stubEscaper(target ?? name.replace(/\.hbs$/, ''))));
  }

  /** Loaded on the first render: a re-synthesis whose stubs all exist never needs it (43 modules, about 25 ms). */
  private handlebars(): typeof Handlebars {
    if (!this.engine) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.engine = (require('handlebars') as typeof Handlebars).create();
      const engine = this.engine;
      // Values land in Python/Go/TypeScript source: `{{str x}}` writes a string literal all three read back exactly.
      this.engine.registerHelper('str', (value: unknown) => new engine.SafeString(JSON.stringify(String(value))));
      // The joined text is escaped like any value where it is written.
      this.engine.registerHelper('concat', (...args: unknown[]) => {
        const options = args[args.length - 1] as { data: { root: unknown } };
        const escape = ((options.data.root as any)?.[ESCAPER] as Escaper | undefined) ?? ((v: string) => v);
        return new StubValue(args.slice(0, -1).join(''), escape);
      });
    }
    return this.engine;
  }
}

type Escaper = (value: string) => string;
const ESCAPER = Symbol('escaper');

/** A context value: its text as it is (helpers, `{{{x}}}`), and escaped for the file's language (`{{x}}`). */
class StubValue {
  constructor(private readonly raw: string, private readonly escape: Escaper) {}
  public toString(): string {
    return this.raw;
  }
  /** What Handlebars' escapeExpression writes for `{{x}}`. */
  public toHTML(): string {
    return this.escape(this.raw);
  }
}

/** Wraps every non-empty string (an empty one stays falsy for `{{#if}}`). */
function wrapValues(value: any, escape: Escaper): any {
  if (typeof value === 'string') {
    return value === '' ? value : new StubValue(value, escape);
  }
  if (Array.isArray(value)) {
    return value.map((v) => wrapValues(v, escape));
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [key: string]: any } = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = wrapValues(v, escape);
    }
    Object.defineProperty(out, ESCAPER, { value: escape });
    return out;
  }
  return value;
}

/** Backslash escapes that keep a value inside a string literal, and harmless in a comment. */
const backslashed = (specials: RegExp): Escaper => (v) => v.replace(specials, (c) => `\\${c}`);
const HTML_ENTITIES: { [c: string]: string } = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };

/**
 * How `{{value}}` is escaped in a file, by its extension:
 * - Python: `\`, `"` and `'` backslashed: the value stays inside any
 *   non-raw string or docstring, so it can never close one.
 * - TypeScript/JavaScript: also `` ` `` and `$`, for template literals.
 * - Go: `\` and `"`, for interpreted strings (a raw string cannot hold a backquote at all). Rust: the same, for its strings and comments.
 *   Java: the same, for its strings and `//` comments (a doubled `\` also keeps `\u` from starting a Unicode escape).
 * - HTML: entities. Markdown: the characters that start markup, backslashed.
 * - Anything else: as it is.
 * Line breaks never reach a stub: every free-text option is one line.
 */
function stubEscaper(file: string): Escaper {
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.py':
    case '.pyi':
      return backslashed(/[\\"']/g);
    case '.ts':
    case '.tsx':
    case '.mts':
    case '.cts':
    case '.js':
    case '.jsx':
    case '.mjs':
    case '.cjs':
      return backslashed(/[\\"'`$]/g);
    case '.go':
    case '.rs':
    case '.java':
      return backslashed(/[\\"]/g);
    case '.html':
    case '.htm':
      return (v) => v.replace(/[&<>"'`=]/g, (c) => HTML_ENTITIES[c]);
    case '.md':
      // Inline markup anywhere, and what starts a block (list, heading, quote) at the start of a line.
      return (v) => v.replace(/[\\`*_[\]<>|~#!&]/g, (c) => `\\${c}`).replace(/^[-+=]/, (c) => `\\${c}`).replace(/^(\d+)([.)])/, '$1\\$2');
    default:
      return (v) => v;
  }
}

/**
 * A stub written from a template once: the first time its id is seen (see
 * {@link StubRecord}) and only when the file does not exist; from then on it
 * is the user's, and synthesis never writes it again, even after the user
 * deletes it. Rendered only when it is written, so re-synthesis pays nothing.
 */
export class StubFile extends Component {
  /** Path of the file, relative to the project. */
  public readonly filePath: string;
  /** What the stub is (e.g. `python:test`): the key of the record, which a moved path keeps. */
  public readonly stubId: string;
  private readonly template: string;
  private readonly context: { [key: string]: any };
  /** Written by an earlier synthesis: the user's now, even if deleted. */
  private readonly recorded: boolean;

  /**
   * @param filePath path of the stub, relative to the project
   * @param template template name, e.g. `python/README.md.hbs`
   * @param context values the template reads
   * @param stubId what the stub is, so that an option that moves it does not write it again
   * @default stubId - the file path
   */
  constructor(project: Project, filePath: string, template: string, context: { [key: string]: any }, stubId?: string) {
    super(project, `StubFile@${filePath}`);
    this.filePath = filePath;
    this.template = template;
    this.context = context;
    this.stubId = stubId ?? filePath;
    const record = StubRecord.of(project);
    this.recorded = record.has(this.stubId);
    record.add(this.stubId, filePath);
  }

  public synthesize(): void {
    const target = path.join(this.project.outdir, this.filePath);
    if (this.recorded || isDriftCheck() || fs.existsSync(target)) {
      return;
    }
    const content = StubTemplates.of(this.project).render(this.template, this.context, this.filePath);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}
