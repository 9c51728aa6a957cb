import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { GoApp, GoAppProject, JavaAppProject, NodeAppProject, PipAppProject, PoetryApp, PoetryAppProject, RustAppProject, WorkspaceProject } from '../src';
import { BAD_INPUTS, BAD_PLACEMENTS } from './bad-inputs';
import { snapshotDir } from './python/poetry-util';
import { synthesize } from './synthesize';
import { tempDir } from './temp';

/** Each project type as `npx projen` builds it, in `outdir`, with the name its cases expect. */
const TYPES: Record<string, { make: (outdir: string, options: object) => Project; stub: string }> = {
  'poetry-app': { make: (outdir, o) => new PoetryAppProject({ name: 'demo', outdir, ...o }), stub: 'src/demo/app.py' },
  'pip-app': { make: (outdir, o) => new PipAppProject({ name: 'demo', outdir, ...o }), stub: 'src/demo/app.py' },
  'go-app': { make: (outdir, o) => new GoAppProject({ name: 'hello-go', outdir, ...o }), stub: 'cmd/hello-go/main.go' },
  'rust-app': { make: (outdir, o) => new RustAppProject({ name: 'hello-rust', outdir, ...o }), stub: 'src/main.rs' },
  'java-app': { make: (outdir, o) => new JavaAppProject({ name: 'hello-java', outdir, ...o }), stub: 'src/main/java/com/example/App.java' },
  'node-app': { make: (outdir, o) => new NodeAppProject({ name: 'hello-node', defaultReleaseBranch: 'main', outdir, ...o }), stub: 'src/index.ts' },
  'workspace': { make: (outdir, o) => new WorkspaceProject({ name: 'shop', outdir, ...o }), stub: 'apps/api/src/api/app.py' },
};


describe('bad input: refused with the option, the value and what is allowed; nothing on disk changes', () => {
  test.each(BAD_INPUTS)('%s: %s', (type, _name, options, message) => {
    const t = TYPES[type];
    const dir = tempDir(`bad-${type}-`);
    synthesize(() => t.make(dir, {}));
    fs.writeFileSync(path.join(dir, t.stub), '// the user\'s own code\n');
    const before = snapshotDir(dir);
    expect(() => synthesize(() => t.make(dir, options))).toThrow(message);
    expect(snapshotDir(dir)).toEqual(before);
  });

  test('the table covers at least 60 bad inputs across the project types', () => {
    const byType = BAD_INPUTS.reduce<Record<string, number>>((acc, [type]) => ({ ...acc, [type]: (acc[type] ?? 0) + 1 }), {});
    // eslint-disable-next-line no-console
    console.log(`bad inputs: ${BAD_INPUTS.length} (${Object.entries(byType).map(([t, n]) => `${t} ${n}`).join(', ')})`);
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(byType).sort()).toEqual(['go-app', 'java-app', 'node-app', 'pip-app', 'poetry-app', 'rust-app', 'workspace']);
  });
});

describe('bad placement of apps in a project: refused naming the app, the option and the value; nothing on disk changes', () => {
  const make = (outdir: string, add?: (project: Project) => void) => {
    const project = new Project({ name: 'shop', outdir });
    new PoetryApp(project, 'api', { port: 8000 });
    new GoApp(project, 'worker');
    add?.(project);
    return project;
  };

  test.each(BAD_PLACEMENTS)('%s', (_name, add, message) => {
    const dir = tempDir('bad-placement-');
    synthesize(() => make(dir));
    fs.writeFileSync(path.join(dir, 'apps/api/src/api/app.py'), '# the user\'s own code\n');
    const before = snapshotDir(dir);
    expect(() => synthesize(() => make(dir, add))).toThrow(message);
    expect(snapshotDir(dir)).toEqual(before);
  });

  test('an app in a folder beside a project type\'s app at the root', () => {
    const dir = tempDir('bad-placement-');
    synthesize(() => new PoetryAppProject({ name: 'demo', outdir: dir }));
    const before = snapshotDir(dir);
    expect(() => synthesize(() => {
      const project = new PoetryAppProject({ name: 'demo', outdir: dir });
      new GoApp(project, 'worker');
      return project;
    })).toThrow(/^GoApp "worker": invalid folder "apps\/worker"\. PoetryApp "app" is at the project's root \("\."\), which holds one app alone/);
    expect(snapshotDir(dir)).toEqual(before);
  });
});
