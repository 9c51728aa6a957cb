import * as fs from 'fs';
import * as path from 'path';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { BUILDAH, DOCKER, ENGINES, ensureEngineReady, inToolroot, PackageIndex, startPackageIndex, TestImages } from '../harness';
import { mustRun, npxProjen, packStagecraft, projenNew, REPO, run, userEnv } from '../package-util';
import { snapshotDir } from '../python/poetry-util';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

const EXAMPLE = path.join(REPO, 'examples', 'acme-platform');
const REGISTRY = 'registry.acme.internal';
const images = new TestImages();
let index: PackageIndex;
let work: string;

/**
 * Builds the example org package as a platform team would release it: the
 * example's sources with this test's platform settings (its package index is
 * the local one), stagecraft from the packed tarball, compiled by jsii, packed.
 */
function releaseOrgPackage(version: string, platform: Record<string, unknown>): string {
  const dir = path.join(work, `acme-${version}`);
  fs.cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/node_modules|\/lib$|\.jsii$/.test(src) });
  const settings = { ...JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'platform.json'), 'utf-8')), ...platform };
  fs.writeFileSync(path.join(dir, 'platform.json'), JSON.stringify(settings, null, 2) + '\n');
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8'));
  const stagecraft = `file:${packStagecraft()}`;
  pkg.version = version;
  pkg.dependencies.stagecraft = stagecraft;
  pkg.devDependencies.stagecraft = stagecraft;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  mustRun('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: userEnv() });
  mustRun('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: dir, env: userEnv({ JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' }) });
  const packed = mustRun('npm', ['pack', '--silent'], { cwd: dir }).stdout.trim().split('\n').pop()!;
  return path.join(dir, packed);
}

/** `npx projen new --from <org tarball> <type>` in an empty folder. */
function newTeamProject(name: string, type: string, tarball: string, flags: string[]) {
  const dir = path.join(work, 'teams', name);
  return { dir, ...projenNew(dir, type, flags, {}, tarball) };
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf-8');
const editRc = (dir: string, edit: (rc: string) => string) => fs.writeFileSync(path.join(dir, '.projenrc.ts'), edit(read(dir, '.projenrc.ts')));

let v1: string;
let svc: string;

beforeAll(async () => {
  ensureEngineReady();
  index = await startPackageIndex();
  work = tempDir('org-');
  v1 = releaseOrgPackage('1.0.0', { pythonIndex: index.url });
  // The org's images, as its registry would serve them: the mirrored official image and ACME's
  // builder with Poetry preinstalled, built by buildah from the example's own Dockerfile (which
  // keeps its `# syntax=` directive, which Docker cannot fetch here) and loaded into Docker as pulled.
  const mirror = `${REGISTRY}/mirror/python:3.13-slim`;
  const builder = `${REGISTRY}/python-builder:3.13-slim`;
  for (const engine of new Set([BUILDAH, ...ENGINES])) {
    engine.tagImage('docker.io/library/python:3.13-slim', mirror);
    images.add(engine, mirror);
  }
  images.build(BUILDAH, { contextDir: path.join(EXAMPLE, 'images/python-builder'), tag: builder, buildArgs: { PIP_INDEX_URL: index.url } });
  if (ENGINES.includes(DOCKER)) {
    DOCKER.loadFromBuildah(builder);
    images.add(DOCKER, builder);
  }
  const created = newTeamProject('svc', 'poetry-app', v1, ['--team', 'payments', '--cost-centre', 'cc-42']);
  if (created.status !== 0) {
    throw new Error(`projen new from the org package failed:\n${created.output.slice(-4000)}`);
  }
  svc = created.dir;
});

afterAll(async () => {
  images.removeAll();
  await index?.stop();
});

describe('a team project from the org package', () => {
  test('the org defaults are in the generated files', () => {
    expect(read(svc, '.projenrc.ts')).toContain('import { AcmePoetryAppProject } from "@acme/platform-apps"');
    expect(read(svc, '.projenrc.ts')).toMatch(/team: "payments"/);
    const df = parseDockerfile(read(svc, 'Dockerfile'));
    expect(df.stages.map((s) => s.image)).toEqual([`${REGISTRY}/python-builder:3.13-slim`, `${REGISTRY}/mirror/python:3.13-slim`]);
    // Poetry comes with the org's builder: not installed again
    expect(stageNamed(df, 'builder').instructions.some((i) => i.text.includes('pip install "poetry=='))).toBe(false);
    expect(only(stageNamed(df, 'runtime'), 'LABEL').properties).toMatchObject({
      'com.acme.team': 'payments',
      'com.acme.owner': 'payments',
      'com.acme.cost-centre': 'cc-42',
      'com.acme.platform': '1',
    });
    expect(read(svc, 'pyproject.toml')).toContain(`url = "${index.url}"`);
  });

  test('the org\'s stub template wins over stagecraft\'s', () => {
    expect(read(svc, 'src/svc/app.py')).toContain('ACME app: logs go to stdout as JSON lines');
    expect(read(svc, 'tests/test_app.py')).toContain('logs_the_greeting_as_a_json_line');
  });

  test('a warning policy is printed, and synthesis goes on', () => {
    const r = npxProjen(svc);
    expect(r.status).toBe(0);
    expect(r.output).toContain(`policy "pinned-digests" (warning), app "svc", Dockerfile: base image "${REGISTRY}/python-builder:3.13-slim" is not pinned by digest`);
  });

  test('a team override works where the org allows it', () => {
    const rc = read(svc, '.projenrc.ts');
    editRc(svc, (s) => s.replace('pythonVersion: "3.13"', 'pythonVersion: "3.12"'));
    const r = npxProjen(svc);
    expect(r.status).toBe(0);
    expect(parseDockerfile(read(svc, 'Dockerfile')).stages[0].image).toBe(`${REGISTRY}/python-builder:3.12-slim`);
    fs.writeFileSync(path.join(svc, '.projenrc.ts'), rc);
    expect(npxProjen(svc).status).toBe(0);
  });

  const refused: Array<[string, (rc: string) => string, RegExp]> = [
    ['a Python the org does not support', (rc) => rc.replace('pythonVersion: "3.13"', 'pythonVersion: "3.11"'),
      /policy "allowed-python-versions" \(error\), app "svc", Dockerfile: python 3\.11 is not an allowed version \(allowed: 3\.12, 3\.13\) \[value: "3\.11"\]/],
    ['images from outside the org registry', (rc) => rc.replace('team: "payments",', 'team: "payments",\n  imageRegistry: "docker.io/library",'),
      /policy "allowed-registries" \(error\), app "svc", Dockerfile: base image "docker\.io\/library\/python:3\.13-slim" is not from an allowed registry \(allowed: registry\.acme\.internal\)/],
    ['another package index', (rc) => rc.replace('team: "payments",', 'team: "payments",\n  packageIndex: "https://pypi.org/simple/",'),
      /policy "package-index" \(error\), app "svc", pyproject\.toml: the package index is "https:\/\/pypi\.org\/simple\/", the org requires/],
    ['a required label overwritten', (rc) => rc.replace('team: "payments",', 'team: "payments",\n  imageLabels: { "com.acme.platform": "0" },'),
      /policy "required-labels" \(error\), app "svc", Dockerfile: label "com\.acme\.platform" is "0", the org requires "1" \[value: "0"\]/],
    ['a service without its health check', (rc) => rc.replace('team: "payments",', 'team: "payments",\n  port: 8000,').replace('project.synth();', 'project.dockerfile.stage("runtime").removeInstruction("healthcheck");\nproject.synth();'),
      /policy "healthcheck-for-services" \(error\), app "svc", Dockerfile: the service has no HEALTHCHECK/],
  ];
  test.each(refused)('refused: %s; nothing on disk changes', (name, edit, message) => {
    const rc = read(svc, '.projenrc.ts');
    editRc(svc, edit);
    const before = snapshotDir(svc);
    const r = npxProjen(svc);
    fs.writeFileSync(path.join(svc, '.projenrc.ts'), rc);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(message);
    expect(r.output).toContain('nothing was written');
    expect(r.output).not.toMatch(/^\s+at /m);
    // eslint-disable-next-line no-console
    console.log(`refused (${name}):\n${r.output.split('\n').filter((l) => /nothing was written|policy "/.test(l)).join('\n')}`);
    delete before['.projenrc.ts'];
    const after = snapshotDir(svc);
    delete after['.projenrc.ts'];
    expect(after).toEqual(before);
  });

  describe('the engines build the org-configured project with the org builder and index, and it runs', () => {
    let rc: string;
    beforeAll(() => {
      // The team leaves the `# syntax=` directive out, as a team whose build hosts reach no Docker Hub does.
      rc = read(svc, '.projenrc.ts');
      editRc(svc, (s) => s.replace('team: "payments",', 'team: "payments",\n  dockerfileSyntax: "",'));
      expect(npxProjen(svc).status).toBe(0);
    });
    afterAll(() => {
      fs.writeFileSync(path.join(svc, '.projenrc.ts'), rc);
      expect(npxProjen(svc).status).toBe(0);
    });

    test('real Poetry locks, installs and tests it against the org index', () => {
      const lock = inToolroot(svc, ['poetry', 'lock'], { POETRY_VIRTUALENVS_IN_PROJECT: 'true' });
      expect(lock.status).toBe(0);
      const install = inToolroot(svc, ['poetry', 'install'], { POETRY_VIRTUALENVS_IN_PROJECT: 'true' });
      expect(install.status).toBe(0);
      expect(inToolroot(svc, ['poetry', 'run', 'pytest', '-q'], { POETRY_VIRTUALENVS_IN_PROJECT: 'true' }).stdout).toMatch(/1 passed/);
    });

    test.each(ENGINES)('%s', (engine) => {
      const tag = 'localhost/stagecraft-test/acme-svc:0.1.0';
      images.add(engine, tag);
      const built = engine.buildImage({ contextDir: svc, tag });
      expect(built.stderr.slice(-2000)).not.toMatch(/^Error/m);
      expect(built.status).toBe(0);
      const out = engine.runImage(tag);
      expect(JSON.parse(out.stdout)).toEqual({ level: 'INFO', app: 'svc', message: 'Hello from svc!' });
      expect(engine.runImage(tag, ['id', '-u']).stdout.trim()).toBe('10001');
      expect(engine.imageInfo(tag).labels['com.acme.team']).toBe('payments');
    });
  });

  test('a new org release reaches the team at its next `npx projen`; the stubs stay the team\'s', () => {
    const v2 = releaseOrgPackage('2.0.0', { pythonIndex: index.url, labels: { 'com.acme.platform': '2', 'com.acme.support': '#platform-help' } });
    fs.appendFileSync(path.join(svc, 'src/svc/app.py'), '\n# the team\'s own line\n');
    const stub = read(svc, 'src/svc/app.py');
    const before = read(svc, 'Dockerfile');
    editRc(svc, (rc) => rc.replace(/devDeps: \[[^\]]*\]/, `devDeps: [${JSON.stringify(path.relative(svc, v2))}]`));
    const r = npxProjen(svc);
    // The output only when it failed, so a red run shows why.
    expect({ status: r.status, output: r.status === 0 ? '' : r.output.slice(-4000) }).toEqual({ status: 0, output: '' });
    expect(r.output).toContain('The toolchain changed: synthesizing again with the new one.');
    const after = read(svc, 'Dockerfile');
    expect(only(stageNamed(parseDockerfile(after), 'runtime'), 'LABEL').properties).toMatchObject({ 'com.acme.platform': '2', 'com.acme.support': '#platform-help' });
    expect(read(svc, 'src/svc/app.py')).toBe(stub);
    const diff = run('diff', ['-u', '--label', 'Dockerfile (acme 1.0.0)', '--label', 'Dockerfile (acme 2.0.0)', '-', path.join(svc, 'Dockerfile')], { input: before });
    // eslint-disable-next-line no-console
    console.log(`the org release's change to the team's Dockerfile:\n${diff.stdout}`);
    expect(diff.stdout).toContain('+      com.acme.support="#platform-help"');
  });
});

describe('the org package covers the other app types', () => {
  test('go-app and node-app get the mirror, the labels and the policies', () => {
    const go = newTeamProject('tool', 'go-app', v1, ['--team', 'infra', '--cost-centre', 'cc-7', '--port', '8080']);
    expect(go.status).toBe(0);
    const goDf = parseDockerfile(read(go.dir, 'Dockerfile'));
    expect(goDf.stages.map((s) => s.image)).toEqual([`${REGISTRY}/mirror/golang:1.27`, `${REGISTRY}/mirror/gcr.io/distroless/static-debian12:nonroot`]);
    expect(only(stageNamed(goDf, 'runtime'), 'LABEL').properties['com.acme.team']).toBe('infra');
    const node = newTeamProject('web', 'node-app', v1, ['--team', 'web', '--cost-centre', 'cc-9']);
    expect(node.status).toBe(0);
    const nodeDf = parseDockerfile(read(node.dir, 'Dockerfile'));
    expect(nodeDf.stages.map((s) => s.image)).toEqual(Array(3).fill(`${REGISTRY}/mirror/node:24-slim`));
    expect(only(stageNamed(nodeDf, 'runtime'), 'LABEL').properties['com.acme.cost-centre']).toBe('cc-9');
  });
});
