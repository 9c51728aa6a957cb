import * as fs from 'fs';
import * as path from 'path';
import { Component } from 'projen/lib/component';
import { JsonFile } from 'projen/lib/json';
import { Project } from 'projen/lib/project';
import { userError } from '../validation';

/** Path of the record, relative to the project. */
const RECORD = '.projen/stubs.json';

/**
 * What stubs the project has had: each stub's id and the file it was first
 * written to. A stub is written once, the first time its id is seen; from
 * then on it is the user's, and deleting, moving or renaming it is theirs to
 * do: a later synthesis never writes it again, even when an option moves
 * where it would go.
 *
 * `.projen/stubs.json` is generated like the rest of `.projen/` (commit it):
 * the stubs recorded before, and every stub of this synthesis, which is
 * written or found in place. A project from before the record existed starts
 * one at its next synthesis: the stubs it lacks are written, as before.
 */
export class StubRecord extends Component {
  /** The project's stub record, created on first use. */
  public static of(project: Project): StubRecord {
    // By its id: a lookup, not a walk of every component (it is asked for by each stub).
    const found = project.node.tryFindChild('StubRecord');
    return found instanceof StubRecord ? found : new StubRecord(project);
  }

  /** The generated record. */
  public readonly file: JsonFile;
  /** What the record said before this synthesis. */
  private readonly before: { [id: string]: string };
  private readonly current: { [id: string]: string } = {};

  private constructor(project: Project) {
    super(project, 'StubRecord');
    this.before = readRecord(project.outdir);
    this.file = new JsonFile(project, RECORD, {
      obj: () => ({ stubs: sortKeys({ ...this.current, ...this.before }) }),
      readonly: true,
      marker: true,
    });
  }

  /** Whether the stub with this id was written before: then it is the user's, even if deleted. */
  public has(id: string): boolean {
    return id in this.before;
  }

  /** Registers a stub of this synthesis: it is written now (or found in place) and recorded. */
  public add(id: string, filePath: string): void {
    const known = this.current[id];
    if (known !== undefined && known !== filePath) {
      throw userError(`StubRecord: two stubs with id ${JSON.stringify(id)} (${known} and ${filePath}); stub ids must be unique.`);
    }
    this.current[id] = filePath;
  }
}

function readRecord(outdir: string): { [id: string]: string } {
  const file = path.join(outdir, RECORD);
  if (!fs.existsSync(file)) {
    return {};
  }
  try {
    const stubs = JSON.parse(fs.readFileSync(file, 'utf-8')).stubs ?? {};
    return Object.fromEntries(Object.entries(stubs).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch (e) {
    throw userError(`${RECORD} is not valid JSON (${(e as Error).message}): restore it from version control, or delete it to have the missing stubs written again.`);
  }
}

function sortKeys(o: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
