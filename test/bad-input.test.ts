import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { GoAppProject, NodeAppProject, PoetryAppProject, WorkspaceProject } from '../src';
import { BAD_INPUTS } from './bad-inputs';
import { snapshotDir } from './python/poetry-util';
import { synthesize } from './synthesize';
import { tempDir } from './temp';

/** Each project type as `npx projen` builds it, in `outdir`, with the name its cases expect. */
const TYPES: Record<string, { make: (outdir: string, options: object) => Project; stub: string }> = {
  'poetry-app': { make: (outdir, o) => new PoetryAppProject({ name: 'demo', outdir, ...o }), stub: 'src/demo/app.py' },
  'go-app': { make: (outdir, o) => new GoAppProject({ name: 'hello-go', outdir, ...o }), stub: 'cmd/hello-go/main.go' },
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
    expect(Object.keys(byType).sort()).toEqual(['go-app', 'node-app', 'poetry-app', 'workspace']);
  });
});
