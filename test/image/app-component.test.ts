import { Testing } from 'projen';
import { parse as parseYaml } from 'yaml';
import {
  AppComponent, AppProject, GoAppProject, LanguageVersion, NodeAppKind, NodeAppProject, PipAppProject, PoetryAppProject,
  JavaAppProject, Policies, Policy, PolicySubject, RustAppProject,
} from '../../src';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { tempDir } from '../temp';

/** Each app type, a service, through its project type: the facts its component exposes are what the generated files say. */
const APPS: Array<[string, () => AppProject | NodeAppProject]> = [
  ['poetry-app', () => new PoetryAppProject({ name: 'facts-py', outdir: tempDir('facts-'), port: 8000, healthCheckPath: '/ready', version: '1.2.0' })],
  ['go-app', () => new GoAppProject({ name: 'facts-go', outdir: tempDir('facts-'), port: 8080, goVersion: '1.24.3', imageName: 'team/facts-go' })],
  ['pip-app', () => new PipAppProject({ name: 'facts-pip', outdir: tempDir('facts-'), port: 8001, healthCheckPath: '/live', version: '2.0.0rc1' })],
  ['rust-app', () => new RustAppProject({ name: 'facts-rust', outdir: tempDir('facts-'), port: 8081, rustVersion: '1.86.0' })],
  ['java-app', () => new JavaAppProject({ name: 'facts-java', outdir: tempDir('facts-'), port: 8082, javaVersion: '17', version: '1.0.0' })],
  ['node-app', () => new NodeAppProject({ name: 'facts-node', defaultReleaseBranch: 'main', outdir: tempDir('facts-'), nodeVersion: '22' })],
  ['node-app static site', () => new NodeAppProject({ name: 'facts-site', defaultReleaseBranch: 'main', outdir: tempDir('facts-'), appKind: NodeAppKind.STATIC_SITE })],
];

describe.each(APPS)('%s: one component, facts computed once', (_type, make) => {
  const project = make();
  const app = AppComponent.of(project)!;
  const files = Testing.synth(project);
  const runtime = stageNamed(parseDockerfile(files.Dockerfile), 'runtime');

  test('the port, the health path and the runtime user are the Dockerfile\'s', () => {
    expect(only(runtime, 'EXPOSE').args).toEqual([String(app.port)]);
    expect(only(runtime, 'HEALTHCHECK').json?.slice(-1)[0]).toBe(`http://127.0.0.1:${app.port}${app.healthCheckPath}`);
    expect(only(runtime, 'USER').args).toEqual([app.runtimeUser.spec]);
  });

  test('the image name, tag and labels are what docker:build and the Dockerfile use', () => {
    expect(app.imageReference).toBe(`${app.imageName}:${app.imageTag}`);
    expect(app.imageTag).toBe(app.version);
    const build = files['.projen/tasks.json'].tasks['docker:build'].steps.map((s: any) => s.exec).join('\n');
    expect(build).toContain(`--tag ${app.imageReference} .`);
    expect(app.labels['org.opencontainers.image.version']).toBe(app.version);
    expect(only(runtime, 'LABEL').text).toContain(`org.opencontainers.image.version="${app.version}"`);
  });

  test('compose runs the service on the port, its image, its HEALTHCHECK as the healthcheck', () => {
    const services = parseYaml(files['docker-compose.yml']).services;
    expect(Object.keys(services)).toHaveLength(1);
    const service: any = Object.values(services)[0];
    expect(service.ports).toEqual([`${app.port}:${app.port}`]);
    expect(service.image).toBe(app.imageReference);
    expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(service.healthcheck.test).toEqual(['CMD', ...only(runtime, 'HEALTHCHECK').json!]);
    expect(service.healthcheck).toMatchObject({ interval: '30s', timeout: '5s', retries: 3 });
  });

  test('the policy subject is the component\'s facts', () => {
    const subject = PolicySubject.ofApp(app);
    expect(subject.isService).toBe(true);
    expect(subject.hasHealthcheck).toBe(true);
    expect(subject.runtimeUser).toBe(app.runtimeUser.spec);
    expect(subject.language?.text).toBe(app.languageVersion.text);
    expect(subject.labels).toEqual(app.labels);
  });

  test('the component has an id and a folder', () => {
    expect(app.appId).toBe('app');
    expect(app.folder).toBe('.');
  });
});

test('the language version knows its release line and compares as numbers', () => {
  const v = LanguageVersion.parse('Test', 'version', '1.23.4');
  expect(v.minor).toBe('1.23');
  expect(v.isInLine('1.23')).toBe(true);
  expect(v.isInLine('1.2')).toBe(false);
  expect(v.isInLine('1.23.4')).toBe(true);
  expect(LanguageVersion.parse('Test', 'version', '1.23').isInLine('1.23.4')).toBe(false);
  expect(v.compareTo(LanguageVersion.parse('Test', 'version', '1.9'))).toBeGreaterThan(0); // as strings, "1.23" < "1.9"
  expect(LanguageVersion.parse('Test', 'version', '24').minor).toBe('24');
  expect(() => LanguageVersion.parse('Test', 'version', '>=1.2')).toThrow('Test: invalid version ">=1.2". Expected a version of dot-separated numbers');
});

test('one stub switch: sampleCode on every app type; node-app\'s deprecated stubs still works', () => {
  const generated = (project: AppProject | NodeAppProject) => Object.keys(Testing.synth(project));
  expect(generated(new PoetryAppProject({ name: 'quiet', outdir: tempDir('stubs-'), sampleCode: false }))).not.toContain('README.md');
  expect(generated(new GoAppProject({ name: 'quiet', outdir: tempDir('stubs-'), sampleCode: false }))).not.toContain('cmd/quiet/main.go');
  expect(generated(new PipAppProject({ name: 'quiet', outdir: tempDir('stubs-'), sampleCode: false }))).not.toContain('src/quiet/app.py');
  expect(generated(new RustAppProject({ name: 'quiet', outdir: tempDir('stubs-'), sampleCode: false }))).not.toContain('src/main.rs');
  expect(generated(new JavaAppProject({ name: 'quiet', outdir: tempDir('stubs-'), sampleCode: false }))).not.toContain('src/main/java/com/example/App.java');
  for (const options of [{ sampleCode: false }, { stubs: false }]) {
    const project = new NodeAppProject({ name: 'quiet', defaultReleaseBranch: 'main', outdir: tempDir('stubs-'), ...options });
    expect(project.app.sampleCode).toBe(false);
    expect(generated(project)).not.toContain('src/index.ts');
  }
  const loud = new NodeAppProject({ name: 'loud', defaultReleaseBranch: 'main', outdir: tempDir('stubs-') });
  expect(generated(loud)).toContain('src/index.ts');
});

test('a package index policy reads the component\'s package source, not its ecosystem\'s name', () => {
  const url = 'https://mirror.example.com/simple/';
  const findings = (project: PoetryAppProject | GoAppProject) => {
    Policies.of(project).addPolicy(Policy.packageIndex(url));
    return Policies.of(project).check().map((f) => f.line);
  };
  const py = new PoetryAppProject({ name: 'idx', outdir: tempDir('idx-') });
  expect(py.app.packageSource).toEqual({ url: undefined, publicIndex: 'PyPI', file: 'pyproject.toml' });
  expect(findings(py)).toEqual([`policy "package-index" (error), app "idx", pyproject.toml: the package index is PyPI, the org requires "${url}" [value: "PyPI"]`]);
  // A Go app cannot be pointed at an index (no packageSource): nothing to judge.
  const go = new GoAppProject({ name: 'idx', outdir: tempDir('idx-') });
  expect(go.app.packageSource).toBeUndefined();
  expect(findings(go)).toEqual([]);
});

test('a build flag added after the image exists is in docker:build\'s one build command', () => {
  const project = new PoetryAppProject({ name: 'flags', outdir: tempDir('flags-'), packageIndexSecret: 'netrc' });
  project.app.image.addBuildFlag('--pull');
  const steps = (Testing.synth(project)['.projen/tasks.json'].tasks['docker:build'].steps as any[]).map((s) => s.exec ?? `spawn ${s.spawn}`);
  expect(steps).toEqual([
    'spawn lock:check',
    expect.stringMatching(/ build \$format \$\{CONTAINER_BUILD_FLAGS:-\} --secret id=netrc,src=\$\{STAGECRAFT_NETRC:-\$HOME\/\.netrc\} --pull --file Dockerfile --tag flags:0\.1\.0 \.$/),
  ]);
  expect(() => project.app.image.addBuildFlag('--pull; rm -rf /')).toThrow('ContainerImage: invalid build flag "--pull; rm -rf /". Expected one flag, without command separators.');
});

test('a dependency added after the app reaches the builder\'s install, with no re-patching of the Dockerfile', () => {
  const project = new PoetryAppProject({ name: 'late', outdir: tempDir('late-'), testDeps: [] });
  const install = () => project.app.builderStage.instructions.find((i) => i.render().includes('poetry install'))!.render();
  expect(install()).not.toContain('--without dev');
  project.app.addTestDependency('pytest@^8.3');
  expect(install()).toContain('--without dev');
  expect(only(stageNamed(parseDockerfile(Testing.synth(project).Dockerfile), 'builder'), 'RUN', (i) => i.text.includes('poetry install')).text).toContain('--without dev');
});
