import * as fs from 'fs';
import * as path from 'path';
import { AppComponent, GoAppProject, PoetryApp, WorkspaceProject } from '../../src';
import { parseDockerfile, only, stageNamed } from '../dockerfile-facts';
import { ensureEngineReady, SCRIPTS } from '../harness';
import { exec } from '../harness/command';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(10 * 60 * 1000);

/**
 * A project type's `docker-compose.yml` and a workspace's `compose.yaml` come from one service
 * renderer: real `docker compose config` reads each as compose will run it. A `$` in the
 * environment reaches the container as written (as the Dockerfile's ENV has it), the healthcheck
 * is the image's HEALTHCHECK, and each writable folder is a named volume.
 */
const DOCKER = path.join(SCRIPTS, 'docker');
const VALUE = 'a $b "c"';

beforeAll(() => ensureEngineReady());

/** `docker compose config` of one file, as JSON, and what compose warned. */
function composeConfig(dir: string, file: string): { config: any; stderr: string } {
  const r = exec(DOCKER, ['compose', '-f', file, 'config', '--format', 'json'], { cwd: dir, env: { ...process.env } });
  if (r.status !== 0) {
    throw new Error(`docker compose config exited ${r.status}:\n${r.stderr}`);
  }
  return { config: JSON.parse(r.stdout), stderr: r.stderr };
}

/**
 * What a container of the service sees in `GREETING`: `docker compose run` with the generated file,
 * the service's image swapped for a stand-in base image that prints the variable (no build).
 */
function greetingInContainer(dir: string, file: string, service: string): string {
  const override = path.join(dir, 'printenv.compose.yaml');
  fs.writeFileSync(override, `services:\n  ${service}:\n    build: !reset null\n    image: python:3.13-slim\n    entrypoint: ["printenv", "GREETING"]\n    volumes: !reset []\n    ports: !reset []\n`);
  const project = `compose-${process.pid}-${service}`;
  const r = exec(DOCKER, ['compose', '-p', project, '-f', file, '-f', override, 'run', '--rm', '--no-deps', service], { cwd: dir, env: { ...process.env } });
  exec(DOCKER, ['compose', '-p', project, '-f', file, '-f', override, 'down', '--volumes'], { cwd: dir, env: { ...process.env } });
  if (r.status !== 0) {
    throw new Error(`docker compose run exited ${r.status}:\n${r.stderr}`);
  }
  return r.stdout.replace(/\n$/, '');
}

/** The runtime stage's HEALTHCHECK command of a Dockerfile on disk. */
function healthcheckOf(dockerfile: string): string[] {
  return only(stageNamed(parseDockerfile(fs.readFileSync(dockerfile, 'utf-8')), 'runtime'), 'HEALTHCHECK').json!;
}

test('a project type\'s docker-compose.yml, as compose reads it', () => {
  const dir = tempDir('compose-app-');
  const project = synthesize(() => new GoAppProject({ name: 'envy', outdir: dir, port: 8080, environment: { GREETING: VALUE }, writablePaths: ['/app/var'] }));
  const app = AppComponent.of(project)!;
  const { config, stderr } = composeConfig(dir, 'docker-compose.yml');
  expect(stderr).not.toMatch(/variable is not set/);
  const service = config.services.envy;
  // config writes a literal `$` as `$$` again; without the escape it would warn that "b" is not set and drop it
  expect(service.environment).toEqual({ PORT: '8080', GREETING: VALUE.split('$').join('$$') });
  expect(greetingInContainer(dir, 'docker-compose.yml', 'envy')).toBe(VALUE);
  expect(service.image).toBe(app.imageReference);
  expect(service.healthcheck.test).toEqual(['CMD', ...healthcheckOf(path.join(dir, 'Dockerfile'))]);
  expect(service.volumes).toEqual([expect.objectContaining({ type: 'volume', source: 'envy-app-var', target: '/app/var' })]);
  expect(Object.keys(config.volumes)).toEqual(['envy-app-var']);
  expect(service.ports).toEqual([expect.objectContaining({ target: 8080, published: '8080' })]);
});

test('a workspace\'s compose.yaml, with the same service for each app', () => {
  const dir = tempDir('compose-ws-');
  synthesize(() => {
    const project = new WorkspaceProject({ name: 'ws', outdir: dir, sampleCode: false, imagesWorkflow: false });
    new PoetryApp(project, 'api', { port: 8000, environment: { GREETING: VALUE }, writablePaths: ['/app/data'] });
    return project;
  });
  const { config, stderr } = composeConfig(dir, 'compose.yaml');
  expect(stderr).not.toMatch(/variable is not set/);
  const api = config.services.api;
  expect(api.environment).toEqual({ PORT: '8000', GREETING: VALUE.split('$').join('$$') });
  expect(greetingInContainer(dir, 'compose.yaml', 'api')).toBe(VALUE);
  expect(api.healthcheck.test).toEqual(['CMD', ...healthcheckOf(path.join(dir, 'apps/api/Dockerfile'))]);
  expect(api.volumes).toEqual([expect.objectContaining({ type: 'volume', source: 'api-app-data', target: '/app/data' })]);
  expect(Object.keys(config.volumes)).toEqual(['api-app-data']);
});
