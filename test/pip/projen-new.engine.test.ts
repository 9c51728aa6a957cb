import * as fs from 'fs';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { npxProjen, projenNew } from '../package-util';
import { tempDir } from '../temp';

jest.setTimeout(10 * 60 * 1000);

/** `npx projen new --from <packed stagecraft> pip-app`, then `npx projen` after an edit, on Node alone. */
describe('pip-app: projen new --from the packed package', () => {
  const dir = path.join(tempDir('new-pip-'), 'hello-pip');
  let created: ReturnType<typeof projenNew>;

  beforeAll(() => {
    created = projenNew(dir, 'pip-app', ['--script-name', 'hello']);
  });

  test('creates the project: .projenrc.ts, pyproject.toml, Dockerfile, stubs', () => {
    expect(created.output).not.toMatch(/^\s+at /m);
    expect(created.status).toBe(0);
    for (const file of ['.projenrc.ts', 'package.json', 'pyproject.toml', 'Dockerfile', '.dockerignore', 'src/hello_pip/app.py', 'tests/test_app.py', 'README.md']) {
      expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
    const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toContain('import { PipAppProject } from "stagecraft"');
    expect(rc).toMatch(/pythonVersion: "3\.13"/);
    expect(rc).toMatch(/scriptName: "hello"/);
    const pyproject: any = parseToml(fs.readFileSync(path.join(dir, 'pyproject.toml'), 'utf-8'));
    expect(pyproject.project.scripts).toEqual({ hello: 'hello_pip.app:main' });
    expect(pyproject['build-system']['build-backend']).toBe('setuptools.build_meta');
    expect(only(stageNamed(parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8')), 'runtime'), 'CMD').json).toEqual(['hello']);
  });

  test('`npx projen` follows an edit of .projenrc.ts with Node alone; the stubs stay the user\'s', () => {
    const stub = path.join(dir, 'src/hello_pip/app.py');
    fs.writeFileSync(stub, 'def main() -> None:\n    print("mine")\n');
    const rcFile = path.join(dir, '.projenrc.ts');
    fs.writeFileSync(rcFile, fs.readFileSync(rcFile, 'utf-8').replace('pythonVersion: "3.13"', 'pythonVersion: "3.12",\n  port: 8000'));
    const r = npxProjen(dir);
    expect(r.output).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(0);
    const df = parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8'));
    expect(df.stages.map((s) => s.image)).toEqual(['python:3.12-slim', 'python:3.12-slim']);
    expect(only(stageNamed(df, 'runtime'), 'EXPOSE').args).toEqual(['8000']);
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks;
    expect(tasks.lock.steps[0].exec).toContain('--python-version 3.12 ');
    expect(fs.readFileSync(stub, 'utf-8')).toContain('mine');
  });
});
