import { FileBase, IResolver } from 'projen/lib/file';
import { Project } from 'projen/lib/project';

/** A `require` or `replace` line's parts. */
export interface GoModRequire {
  readonly path: string;
  readonly version: string;
}

/** What go.mod says. */
export interface GoModContent {
  readonly module: string;
  readonly go: string;
  readonly toolchain?: string;
  readonly requires: GoModRequire[];
  readonly replaces: { [module: string]: string };
}

/**
 * go.mod, rendered from the app's options. Generated like every other
 * manifest: dependencies are declared in `.projenrc.ts`, and `go mod tidy`
 * is replaced by re-synthesis. go.sum stays the user's.
 */
export class GoModFile extends FileBase {
  private readonly content: () => GoModContent;

  /** @param filePath go.mod's path in the project: the app's folder's */
  constructor(project: Project, filePath: string, content: () => GoModContent) {
    super(project, filePath);
    this.content = content;
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const c = this.content();
    const lines = [`// ${this.marker}`, '', `module ${c.module}`, '', `go ${c.go}`];
    if (c.toolchain) {
      lines.push('', `toolchain ${c.toolchain}`);
    }
    if (c.requires.length > 0) {
      lines.push('', 'require (', ...c.requires.map((r) => `\t${r.path} ${r.version}`), ')');
    }
    const replaces = Object.entries(c.replaces).sort(([a], [b]) => a.localeCompare(b));
    if (replaces.length > 0) {
      lines.push('', 'replace (', ...replaces.map(([from, to]) => `\t${from} => ${to}`), ')');
    }
    return lines.join('\n') + '\n';
  }
}
