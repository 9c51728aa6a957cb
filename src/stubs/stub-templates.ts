import * as fs from 'fs';
import * as path from 'path';
import type * as Handlebars from 'handlebars';
import { Component, Project } from 'projen';
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
    const found = project.components.find((c): c is StubTemplates => c instanceof StubTemplates);
    return found ?? new StubTemplates(project);
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

  /** Renders a template with the given context. Values are not HTML-escaped: stubs are source code. */
  public render(name: string, context: { [key: string]: any }): string {
    const file = this.resolve(name);
    let template = this.compiled.get(file);
    if (!template) {
      template = this.handlebars().compile(fs.readFileSync(file, 'utf-8'), { noEscape: true, strict: true });
      this.compiled.set(file, template);
    }
    return template(context);
  }

  /** Loaded on the first render: a re-synthesis whose stubs all exist never needs it (43 modules, about 25 ms). */
  private handlebars(): typeof Handlebars {
    if (!this.engine) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.engine = (require('handlebars') as typeof Handlebars).create();
      // Values land in Python/Go/TypeScript source: `{{str x}}` writes a string literal all three read back exactly.
      this.engine.registerHelper('str', (value: unknown) => JSON.stringify(String(value)));
      this.engine.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
    }
    return this.engine;
  }
}

/**
 * A stub written from a template once, when the file does not exist; from
 * then on it is the user's and synthesis never touches it. Rendered only
 * when it is written, so re-synthesis pays nothing for it.
 */
export class StubFile extends Component {
  /** Path of the file, relative to the project. */
  public readonly filePath: string;
  private readonly template: string;
  private readonly context: { [key: string]: any };

  /**
   * @param filePath path of the stub, relative to the project
   * @param template template name, e.g. `python/README.md.hbs`
   * @param context values the template reads
   */
  constructor(project: Project, filePath: string, template: string, context: { [key: string]: any }) {
    super(project, `StubFile@${filePath}`);
    this.filePath = filePath;
    this.template = template;
    this.context = context;
  }

  public synthesize(): void {
    const target = path.join(this.project.outdir, this.filePath);
    if (fs.existsSync(target) || isDriftCheck()) {
      return;
    }
    const content = StubTemplates.of(this.project).render(this.template, this.context);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}
