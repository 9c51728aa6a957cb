import * as path from 'path';
import { Component } from 'projen/lib/component';
import { IgnoreFile } from 'projen/lib/ignore-file';
import { Project } from 'projen/lib/project';
import { Task, TaskOptions } from 'projen/lib/task';
import { AppComponent } from './app-component';
import { COMPONENT_ID, PROJECT_FOLDER } from './app-options';
import { Instruction } from '../dockerfile';
import { invalidOption, show } from '../validation';

/** Options every library component shares. */
export interface LibraryComponentOptions {
  /**
   * The library's folder, relative to the project (posix): its manifest, stubs and tests, and the named build context of every app that uses it.
   * @default "libs/<id>"
   */
  readonly folder?: string;

  /**
   * Write the stubs (a small function, its test, a README) when they do not exist.
   * @default true
   */
  readonly sampleCode?: boolean;
}

/** How a library component is set up. */
export interface LibraryComponentProps {
  /** What the user configures, named in error messages, e.g. `PythonLibrary`. */
  readonly owner: string;
  /** What the user set. */
  readonly options: LibraryComponentOptions;
  /** The ecosystem, e.g. `python`: only an app of the same ecosystem can use the library. */
  readonly ecosystem: string;
}

/**
 * One app's use of a library: the facts every file that wires them reads, computed once by
 * {@link AppComponent.use}: the manifest's path dependency, the Dockerfile's named build context,
 * bake's `contexts`, compose's `additional_contexts` and the `docker:build` task's flag.
 */
export interface LibraryUse {
  /** The library used. */
  readonly library: LibraryComponent;
  /** The library's folder relative to the app's folder (posix), e.g. `../../libs/common`: the path dependency. */
  readonly path: string;
  /** The named build context the app's image build gets the library's folder as, e.g. `lib-common`. */
  readonly contextName: string;
}

/**
 * Code shared inside a workspace: a library that apps of its ecosystem use through a path
 * dependency ({@link AppComponent.use}). It lives in its own folder (`libs/<id>`) with its own
 * manifest, stubs and tests, and reaches an app's image as a named build context: the app's folder
 * stays the build context, and each image gets exactly the libraries its app uses, never the
 * whole repository.
 */
export abstract class LibraryComponent extends Component {
  /** The project's libraries, in the order they were added. */
  public static all(project: Project): LibraryComponent[] {
    return project.components.filter((c): c is LibraryComponent => c instanceof LibraryComponent);
  }

  /**
   * Checks where the library goes before anything is created, and returns its construct id: the
   * id is an app's kind of name and no app or library of the project has it; the folder is inside
   * the project and neither contains nor is inside an app's or another library's folder.
   */
  private static checkPlacement(project: Project, id: string, props: LibraryComponentProps): string {
    const owner = props.owner;
    if (typeof id !== 'string' || !COMPONENT_ID.test(id)) {
      throw invalidOption(`${owner} ${show(id)}`, 'id', id, 'Expected a folder name: lowercase letters, digits and "-", starting with a letter, not ending with "-", at most 63 characters (e.g. "common").');
    }
    const who = `${owner} "${id}"`;
    const folder = props.options.folder ?? `libs/${id}`;
    if (typeof folder !== 'string' || !PROJECT_FOLDER.test(folder) || folder.length > 255) {
      throw invalidOption(who, 'folder', folder, 'Expected a relative folder inside the project such as "libs/common": "/"-separated names of letters, digits and . _ -, none starting with "." (at most 255 characters).');
    }
    const overlaps = (other: string) => other === '.' ? false : folder === other || folder.startsWith(`${other}/`) || other.startsWith(`${folder}/`);
    for (const app of AppComponent.all(project)) {
      const them = `${app.appType} "${app.appId}"`;
      if (app.appId === id) {
        throw invalidOption(who, 'id', id, `${them} has it already: apps and libraries of a project each have an id of their own (it names their tasks).`);
      }
      if (overlaps(app.folder)) {
        throw invalidOption(who, 'folder', folder, `${them} is in "${app.folder}": a library needs a folder of its own, neither inside an app's nor around one.`);
      }
    }
    for (const other of LibraryComponent.all(project)) {
      const them = `${other.owner} "${other.libraryId}"`;
      if (other.libraryId === id) {
        throw invalidOption(who, 'id', id, `${them} has it already: apps and libraries of a project each have an id of their own (it names their tasks).`);
      }
      if (overlaps(other.folder)) {
        throw invalidOption(who, 'folder', folder, `${them} is in "${other.folder}": each library needs a folder of its own, neither inside the other.`);
      }
    }
    return `${owner}#${id}`;
  }

  /** The library's id: its folder's default name and its tasks' prefix. */
  public readonly libraryId: string;
  /** The library's folder, relative to the project (posix). */
  public readonly folder: string;
  /** The ecosystem, e.g. `python`. */
  public readonly ecosystem: string;
  /** Whether the stubs are written. */
  public readonly sampleCode: boolean;
  /** The named build context an app's image build gets the library's folder as: `lib-<id>`. */
  public readonly contextName: string;
  /** What the user configures, for error messages: the library type and its id (`PythonLibrary "common"`). */
  public readonly owner: string;
  /**
   * The folder's `.dockerignore`: the files an app's build reads from the library and nothing else,
   * for an engine that applies it to a named context (the Dockerfile copies those files by name anyway).
   */
  public readonly dockerignore: IgnoreFile;

  private readonly lifecycle = new Map<string, Task>();

  protected constructor(project: Project, id: string, props: LibraryComponentProps) {
    super(project, LibraryComponent.checkPlacement(project, id, props));
    this.libraryId = id;
    this.folder = props.options.folder ?? `libs/${id}`;
    this.ecosystem = props.ecosystem;
    this.sampleCode = props.options.sampleCode ?? true;
    this.contextName = `lib-${id}`;
    this.owner = `${props.owner} "${id}"`;
    this.dockerignore = new IgnoreFile(project, this.filePath('.dockerignore'));
    this.dockerignore.addPatterns('*');
  }

  /**
   * What an app's image build reads from the library, relative to its folder: files, and folders
   * ending in "/". The app's Dockerfile copies these from the library's named build context.
   */
  public abstract get buildFiles(): string[];

  /** The library's folder relative to an app's folder (posix): the path dependency the app's manifest writes. */
  public pathFrom(app: AppComponent): string {
    const rel = path.posix.relative(app.folder === '.' ? '' : app.folder, this.folder);
    return rel.startsWith('.') ? rel : `./${rel}`;
  }

  /** Lists the build files in the folder's `.dockerignore` (called by the ecosystem once it knows them). */
  protected allowInBuild(files: string[]): void {
    this.dockerignore.addPatterns(...files.map((f) => `!${f}`));
  }

  /** A path inside the library's folder, relative to the project: `pyproject.toml` is `libs/common/pyproject.toml`. */
  protected filePath(relative: string): string {
    return path.posix.join(this.folder, relative);
  }

  /** Adds one of the library's tasks, `<id>:<name>`, run in its folder. */
  protected addLibraryTask(name: string, options: TaskOptions = {}): Task {
    return this.project.addTask(`${this.libraryId}:${name}`, { ...options, cwd: this.folder });
  }

  /** The library's part of a project task (`test`): its own `<id>:<name>`, which the project's task runs. */
  protected lifecycleTask(name: string): Task {
    let task = this.lifecycle.get(name);
    if (!task) {
      task = this.addLibraryTask(name, { description: `${name} of library ${this.libraryId} (in ${this.folder})` });
      (this.project.tasks.tryFind(name) ?? this.project.addTask(name)).spawn(task);
      this.lifecycle.set(name, task);
    }
    return task;
  }

  /** Ignores a path of the library's folder in git: `/.venv/` is `/libs/common/.venv/`. */
  protected addGitIgnore(pattern: string): void {
    this.project.addGitIgnore(pattern.startsWith('/') ? `/${this.folder}${pattern}` : pattern);
  }

  /** A stub id unique in the project: the library's own. */
  protected stubId(id: string): string {
    return `${this.libraryId}:${id}`;
  }
}

/**
 * The COPY instructions that bring a library's build files from its named build context to
 * `destination` in a build stage, with their ids: the files in one (`lib-<id>-files`), each folder
 * in its own (`lib-<id>-<folder>`), as a folder source copies its contents.
 */
export function libraryCopies(
  use: LibraryUse, destination: string, files: string[] = use.library.buildFiles,
): Array<{ id: string; instruction: Instruction }> {
  const from = use.contextName;
  const id = use.library.libraryId;
  const plain = files.filter((f) => !f.endsWith('/'));
  const copies: Array<{ id: string; instruction: Instruction }> = [];
  if (plain.length > 0) {
    copies.push({ id: `lib-${id}-files`, instruction: Instruction.copy(plain, `${destination}/`, { from }) });
  }
  for (const folder of files.filter((f) => f.endsWith('/'))) {
    const name = folder.replace(/\/$/, '');
    copies.push({ id: `lib-${id}-${name.replace(/[^A-Za-z0-9]+/g, '-')}`, instruction: Instruction.copy([name], `${destination}/${name}`, { from }) });
  }
  return copies;
}
