import * as fs from 'fs';
import * as path from 'path';
import { Component, Project } from 'projen';
import { isDriftCheck } from '../project/drift-check';

/**
 * What stubs the project has had: each stub's id and the file it was written
 * to. A stub is written once, the first time its id is seen; from then on it
 * is the user's, and deleting, moving or renaming it is theirs to do: a later
 * synthesis never writes it again, even when an option moves where it would go.
 *
 * Kept in `.projen/stubs.json` (commit it, like the rest of `.projen/`). A
 * project from before the record existed starts one at its next synthesis:
 * the stubs it lacks are written, as before, and all are recorded.
 */
export class StubRecord extends Component {
  /** The project's stub record, created on first use. */
  public static of(project: Project): StubRecord {
    const found = project.components.find((c): c is StubRecord => c instanceof StubRecord);
    return found ?? new StubRecord(project);
  }

  /** Path of the record, relative to the project. */
  public readonly filePath = '.projen/stubs.json';
  private readonly written: { [id: string]: string };

  private constructor(project: Project) {
    super(project, 'StubRecord');
    const file = path.join(project.outdir, this.filePath);
    this.written = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')).stubs ?? {} : {};
  }

  /** Whether the stub with this id was written before (or found in place). */
  public has(id: string): boolean {
    return id in this.written;
  }

  /** The file a stub was written to, if it was. */
  public pathOf(id: string): string | undefined {
    return this.written[id];
  }

  /** Records a stub as written; the record is saved at once, so an interrupted synthesis keeps it. */
  public add(id: string, filePath: string): void {
    if (this.written[id] === filePath || isDriftCheck()) {
      return;
    }
    this.written[id] = filePath;
    const sorted = Object.fromEntries(Object.entries(this.written).sort(([a], [b]) => a.localeCompare(b)));
    const file = path.join(this.project.outdir, this.filePath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ '//': 'Stubs stagecraft wrote once; they are yours. A stub listed here is never written again.', 'stubs': sorted }, null, 2) + '\n');
  }
}
