import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { DRIFT_CHECK_ENV, GoAppProject, NodeAppProject, PoetryAppProject } from '../../src';
import { tempDir } from '../temp';

/** `npx projen` in a project: a new project object on the same folder each time. */
function synth(make: () => Project, env: Record<string, string> = {}): void {
  const saved = { ...process.env };
  Object.assign(process.env, { PROJEN_DISABLE_POST: 'true', ...env });
  try {
    make().synth();
  } finally {
    for (const key of Object.keys(env).concat('PROJEN_DISABLE_POST')) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

const exists = (dir: string, file: string) => fs.existsSync(path.join(dir, file));
const write = (dir: string, file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
};
const record = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, '.projen/stubs.json'), 'utf-8')).stubs;

describe('a deleted stub stays deleted', () => {
  test('poetry-app: a Flask-shaped app replaces the stubs and points scriptTarget at its own module; no stub comes back', () => {
    const dir = tempDir('stubs-flask-');
    const make = (o: object = {}) => () => new PoetryAppProject({ name: 'demo', outdir: dir, port: 8000, ...o });
    synth(make());
    expect(record(dir)).toEqual({ 'python:app': 'src/demo/app.py', 'python:package:demo': 'src/demo/__init__.py', 'python:test': 'tests/test_app.py', 'readme': 'README.md' });
    // The user's own app: a Flask factory served by waitress, and their own tests; the stubs go.
    fs.rmSync(path.join(dir, 'src/demo/app.py'));
    fs.rmSync(path.join(dir, 'tests/test_app.py'));
    write(dir, 'src/demo/server.py', 'from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n\n\ndef main():\n    from waitress import serve\n    serve(create_app(), port=8000)\n');
    write(dir, 'tests/test_routes.py', 'from demo.server import create_app\n\n\ndef test_app():\n    assert create_app()\n');
    synth(make({ scriptTarget: 'demo.server:main', deps: ['flask@^3.1', 'waitress@^3.0'] }));
    synth(make({ scriptTarget: 'demo.server:main', deps: ['flask@^3.1', 'waitress@^3.0'] }));
    expect(exists(dir, 'src/demo/app.py')).toBe(false);
    expect(exists(dir, 'tests/test_app.py')).toBe(false);
    // Before: a stub tests/test_server.py importing HEALTH_PATH from the user's module ("ImportError").
    expect(exists(dir, 'tests/test_server.py')).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'src/demo/server.py'), 'utf-8')).toContain('waitress');
    expect(fs.readFileSync(path.join(dir, 'pyproject.toml'), 'utf-8')).toContain('demo = "demo.server:main"');
  });

  test('go-app: a deleted main_test.go and README stay deleted; main.go stays the user\'s', () => {
    const dir = tempDir('stubs-go-');
    const make = () => new GoAppProject({ name: 'demo', outdir: dir, port: 8080 });
    synth(make);
    fs.rmSync(path.join(dir, 'cmd/demo/main_test.go'));
    fs.rmSync(path.join(dir, 'README.md'));
    write(dir, 'cmd/demo/main.go', 'package main\n\nfunc main() {}\n');
    synth(make);
    expect(exists(dir, 'cmd/demo/main_test.go')).toBe(false);
    expect(exists(dir, 'README.md')).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'cmd/demo/main.go'), 'utf-8')).toBe('package main\n\nfunc main() {}\n');
  });

  test('node-app: a deleted server test stays deleted', () => {
    const dir = tempDir('stubs-node-');
    const make = () => new NodeAppProject({ name: 'demo', defaultReleaseBranch: 'main', outdir: dir });
    synth(make);
    expect(record(dir)).toMatchObject({ 'node:server': 'src/index.ts', 'node:server-test': 'test/server.test.ts' });
    fs.rmSync(path.join(dir, 'test/server.test.ts'));
    synth(make);
    expect(exists(dir, 'test/server.test.ts')).toBe(false);
  });

  test('a stub is written when the option that needs it is first set, and the drift check writes nothing', () => {
    const dir = tempDir('stubs-option-');
    synth(() => new PoetryAppProject({ name: 'demo', outdir: dir, sampleCode: false }));
    expect(exists(dir, 'src/demo/app.py')).toBe(false);
    expect(exists(dir, '.projen/stubs.json')).toBe(false);
    synth(() => new PoetryAppProject({ name: 'demo', outdir: dir }), { [DRIFT_CHECK_ENV]: '1' });
    expect(exists(dir, 'src/demo/app.py')).toBe(false);
    expect(exists(dir, '.projen/stubs.json')).toBe(false);
    synth(() => new PoetryAppProject({ name: 'demo', outdir: dir }));
    expect(exists(dir, 'src/demo/app.py')).toBe(true);
    expect(record(dir)['python:app']).toBe('src/demo/app.py');
  });

  test('a project from before the record: its stubs are recorded as they are, none is overwritten', () => {
    const dir = tempDir('stubs-old-');
    synth(() => new PoetryAppProject({ name: 'demo', outdir: dir }));
    fs.rmSync(path.join(dir, '.projen/stubs.json'));
    write(dir, 'src/demo/app.py', '# mine\n');
    synth(() => new PoetryAppProject({ name: 'demo', outdir: dir }));
    expect(fs.readFileSync(path.join(dir, 'src/demo/app.py'), 'utf-8')).toBe('# mine\n');
    expect(record(dir)).toEqual({ 'python:app': 'src/demo/app.py', 'python:package:demo': 'src/demo/__init__.py', 'python:test': 'tests/test_app.py', 'readme': 'README.md' });
  });
});
