import * as fs from 'fs';
import * as path from 'path';
import { PROJEN_MARKER } from 'projen/lib/common';
import { Component } from 'projen/lib/component';
import { JsonFile } from 'projen/lib/json';
import { Project } from 'projen/lib/project';
import { isDriftCheck } from './drift-check';

const RECORD = '.projen/subprojects.json';

/**
 * `.projen/subprojects.json`: the folders of the project's subprojects (a
 * Node app in a folder is one). A subproject removed from `.projenrc.ts`
 * is not there to clean up after itself, and its parent's file list never
 * held its files: at the next synthesis, the files its own
 * `.projen/files.json` lists (the generated ones) are deleted; its stubs
 * and anything else of the user's stay.
 */
export class SubprojectRecord extends Component {
  /** Subproject folders (relative, posix) the previous synthesis recorded. */
  private readonly before: string[];

  constructor(project: Project) {
    super(project, 'SubprojectRecord');
    const file = path.join(project.outdir, RECORD);
    let before: unknown = [];
    try {
      before = JSON.parse(fs.readFileSync(file, 'utf-8')).subprojects ?? [];
    } catch {
      before = [];
    }
    this.before = Array.isArray(before) ? before.filter((d): d is string => typeof d === 'string') : [];
    new JsonFile(project, RECORD, { obj: () => ({ subprojects: this.current() }) });
  }

  public preSynthesize(): void {
    super.preSynthesize();
    if (isDriftCheck()) {
      return;
    }
    const current = new Set(this.current());
    for (const folder of this.before.filter((f) => !current.has(f))) {
      this.removeGeneratedFiles(folder);
    }
  }

  private current(): string[] {
    return this.project.subprojects.map((p) => path.relative(this.project.outdir, p.outdir).split(path.sep).join('/')).sort();
  }

  /** Deletes what the subproject once generated, as its own record lists it; nothing outside its folder. */
  private removeGeneratedFiles(folder: string): void {
    const root = path.resolve(this.project.outdir, folder);
    if (!root.startsWith(`${path.resolve(this.project.outdir)}${path.sep}`)) {
      return;
    }
    const record = path.join(root, '.projen', 'files.json');
    let files: unknown = [];
    try {
      files = JSON.parse(fs.readFileSync(record, 'utf-8')).files ?? [];
    } catch {
      return;
    }
    // projen leaves package.json out of its record (the user may edit it), but writes its marker into it.
    const manifest = path.join(root, 'package.json');
    const generatedManifest = fs.existsSync(manifest) && fs.readFileSync(manifest, 'utf-8').includes(PROJEN_MARKER) ? ['package.json'] : [];
    for (const file of [...Array.isArray(files) ? files : [], ...generatedManifest]) {
      const target = path.resolve(root, String(file));
      if (target.startsWith(`${root}${path.sep}`)) {
        fs.rmSync(target, { force: true });
        // Folders it leaves empty go too (.projen/, .stagecraft/); the subproject's folder stays if it holds stubs.
        for (let dir = path.dirname(target); dir.startsWith(root); dir = path.dirname(dir)) {
          if (!fs.existsSync(dir) || fs.readdirSync(dir).length > 0) {
            break;
          }
          fs.rmdirSync(dir);
        }
      }
    }
    this.project.logger.info(`${folder}: no longer a subproject of .projenrc.ts; removed the files it generated (its stubs stay).`);
  }
}
