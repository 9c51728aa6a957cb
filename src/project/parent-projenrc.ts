import * as path from 'path';
import { DEFAULT_PROJEN_RC_JS_FILENAME } from 'projen/lib/common';
import { Project } from 'projen/lib/project';
import { ProjenrcFile } from 'projen/lib/projenrc';

/**
 * A subproject's projenrc: its root's, which configures it. projen's marker names the projenrc of
 * the file's own project, and a subproject (a Node app in a folder) has none of its own, so every
 * file generated in its folder told the reader to edit a `.projenrc.js` that does not exist. With
 * this they name the root's file, relative to the subproject (`../../.projenrc.ts`).
 */
export class ParentProjenrc extends ProjenrcFile {
  constructor(project: Project) {
    super(project);
  }

  /** Read at synthesis, when the root's projenrc exists whatever the order of construction. */
  public get filePath(): string {
    const root = this.project.root;
    const file = ProjenrcFile.of(root)?.filePath ?? DEFAULT_PROJEN_RC_JS_FILENAME;
    return path.relative(this.project.outdir, path.join(root.outdir, file)).split(path.sep).join(path.posix.sep);
  }

  /** Nothing to keep in the subproject's .gitignore: the file is the root's, and the root keeps it. */
  public preSynthesize(): void {}
}
