import * as fs from 'fs';
import * as path from 'path';
import { Component, Project, TextFile } from 'projen';
import { DRIFT_CHECK_ENV, GoAppProject, JavaAppProject, NodeAppKind, NodeAppProject, PipAppProject, PoetryAppProject, RustAppProject } from '../../src';
import { snapshotDir } from '../python/poetry-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

/** Each project type, the stub the user owns, and an option that adds a generated file. */
const TYPES: Array<[string, (outdir: string, options: object) => Project, string, object, string]> = [
  ['poetry-app', (outdir, o) => new PoetryAppProject({ name: 'demo', outdir, ...o }), 'src/demo/app.py', { port: 8080 }, 'docker-compose.yml'],
  ['go-app', (outdir, o) => new GoAppProject({ name: 'demo', outdir, ...o }), 'cmd/demo/main.go', { port: 8080 }, 'docker-compose.yml'],
  ['pip-app', (outdir, o) => new PipAppProject({ name: 'demo', outdir, ...o }), 'src/demo/app.py', { port: 8080 }, 'docker-compose.yml'],
  ['rust-app', (outdir, o) => new RustAppProject({ name: 'demo', outdir, ...o }), 'src/main.rs', { port: 8080 }, '.stagecraft/healthprobe.rs'],
  ['java-app', (outdir, o) => new JavaAppProject({ name: 'demo', outdir, ...o }), 'src/main/java/com/example/App.java', { mavenRepository: 'https://maven.example.com/repo/' }, '.mvn/settings.xml'],
  ['node-app', (outdir, o) => new NodeAppProject({ name: 'demo', defaultReleaseBranch: 'main', outdir, ...o }), 'src/index.ts', { appKind: NodeAppKind.STATIC_SITE }, 'nginx.conf'],
];

const writable = (file: string) => /[2367]/.test(fs.statSync(file).mode.toString(8).slice(-3));

describe.each(TYPES)('%s: re-synthesis', (_type, make, stub, adding, added) => {
  test('hand-edited stubs are never overwritten, generated files stay read-only, a removed option removes its files', () => {
    const dir = tempDir('resynth-');
    synthesize(() => make(dir, adding));
    expect(fs.existsSync(path.join(dir, added))).toBe(true);
    fs.writeFileSync(path.join(dir, stub), '// mine\n');
    synthesize(() => make(dir, {}));
    expect(fs.readFileSync(path.join(dir, stub), 'utf-8')).toBe('// mine\n');
    expect(fs.existsSync(path.join(dir, added))).toBe(false);
    for (const generated of ['Dockerfile', '.dockerignore']) {
      expect(writable(path.join(dir, generated))).toBe(false);
    }
  });

  test('the drift check passes on a synthesized project, and names the files that drifted without writing anything', () => {
    const dir = tempDir('drift-');
    synthesize(() => make(dir, {}));
    expect(() => synthesize(() => make(dir, {}), { [DRIFT_CHECK_ENV]: '1' })).not.toThrow();

    // a hand edit of a generated file
    const dockerfile = path.join(dir, 'Dockerfile');
    fs.chmodSync(dockerfile, 0o644);
    fs.appendFileSync(dockerfile, 'RUN echo edited by hand\n');
    let before = snapshotDir(dir);
    expect(() => synthesize(() => make(dir, {}), { [DRIFT_CHECK_ENV]: '1' })).toThrow(/Drift: 1 generated file differs from what \.projenrc\.ts produces \(nothing was written\):\n {2}- Dockerfile \(differs\)/);
    expect(snapshotDir(dir)).toEqual(before);

    // .projenrc.ts changed but not re-synthesized: a new file, and one that would go
    synthesize(() => make(dir, {}));
    synthesize(() => make(dir, adding));
    before = snapshotDir(dir);
    expect(() => synthesize(() => make(dir, {}), { [DRIFT_CHECK_ENV]: '1' })).toThrow(new RegExp(`${added.replace('.', '\\.')} \\(no longer generated\\)`));
    expect(snapshotDir(dir)).toEqual(before);
  });
});

/** A component `.projenrc.ts` adds after the project type, which finishes its file at synthesis. */
class LateNote extends Component {
  private readonly file: TextFile;
  constructor(project: Project) {
    super(project, 'LateNote');
    this.file = new TextFile(project, 'NOTE.txt', { lines: ['first'] });
  }
  public preSynthesize(): void {
    this.file.addLine('added at synthesis');
  }
}

test.each(TYPES)('%s: the drift check compares after components added after the project type', (_type, make) => {
  const dir = tempDir('drift-late-');
  const withNote = () => {
    const project = make(dir, {});
    new LateNote(project);
    return project;
  };
  synthesize(withNote);
  expect(fs.readFileSync(path.join(dir, 'NOTE.txt'), 'utf-8')).toBe('first\nadded at synthesis');
  // Before: the check compared before LateNote had added its line, and reported "NOTE.txt (differs)".
  expect(() => synthesize(withNote, { [DRIFT_CHECK_ENV]: '1' })).not.toThrow();
  fs.chmodSync(path.join(dir, 'NOTE.txt'), 0o644);
  fs.writeFileSync(path.join(dir, 'NOTE.txt'), 'first\n');
  expect(() => synthesize(withNote, { [DRIFT_CHECK_ENV]: '1' })).toThrow(/- NOTE\.txt \(differs\)/);
});

test('poetry-app and go-app carry a CI workflow that runs the drift check', () => {
  const dir = tempDir('workflow-');
  synthesize(() => new PoetryAppProject({ name: 'demo', outdir: dir }));
  const workflow = fs.readFileSync(path.join(dir, '.github/workflows/drift.yml'), 'utf-8');
  expect(workflow).toContain('run: npx projen drift');
  const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks;
  expect(tasks.drift).toMatchObject({ env: { [DRIFT_CHECK_ENV]: '1', PROJEN_DISABLE_POST: 'true' }, steps: [{ spawn: 'default' }] });
});
