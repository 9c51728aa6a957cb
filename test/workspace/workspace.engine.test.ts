import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { ensureEngineReady, inToolroot, PackageIndex, SCRIPTS, startPackageIndex, waitFor } from '../harness';
import { exec } from '../harness/command';
import { npxProjen, projenNew } from '../package-util';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

/**
 * The sample workspace as a user gets it (`projen new --from` the packed package), built with the
 * real Docker engine through its own docker-bake.hcl and run through its own compose.yaml. Docker
 * only: bake and compose are Docker's. Names are unique (`ws-<pid>`): the engine is shared.
 */
const DOCKER = path.join(SCRIPTS, 'docker');
const NAME = `ws-${process.pid}`;
const POETRY_ENV = { POETRY_VIRTUALENVS_IN_PROJECT: 'true', POETRY_NO_INTERACTION: '1' };

let index: PackageIndex;
let dir: string;
let work: string;
let ids: string[] = [];

function docker(args: string[], cwd = dir) {
  const r = exec(DOCKER, args, { cwd, env: { ...process.env } });
  return { ...r, output: `${r.stdout}${r.stderr}`.replace(/^WARNING: IPv4 forwarding is disabled\. Networking will not work\.\n/gm, '') };
}

function mustDocker(args: string[], cwd = dir) {
  const r = docker(args, cwd);
  if (r.status !== 0) {
    throw new Error(`docker ${args.join(' ')} exited ${r.status}:\n${r.output.slice(-6000)}`);
  }
  return r;
}

/** `docker compose` on the generated compose.yaml and the test's override, as project NAME. */
function compose(args: string[]) {
  return docker(['compose', '-p', NAME, '-f', 'compose.yaml', '-f', path.join(work, 'test.compose.yaml'), ...args]);
}

beforeAll(async () => {
  ensureEngineReady();
  index = await startPackageIndex();
  work = tempDir('ws-engine-');
  dir = path.join(work, NAME);
  const created = projenNew(dir, 'workspace', ['--package-index', index.url]);
  if (created.status !== 0) {
    throw new Error(`projen new exited ${created.status}:\n${created.output.slice(-6000)}`);
  }
  // This machine cannot fetch the `# syntax=` frontend image (scripts/README.md): the sample's Dockerfiles go without it.
  const rc = path.join(dir, '.projenrc.ts');
  fs.writeFileSync(rc, fs.readFileSync(rc, 'utf-8').replace(/new WorkspaceProject\(\{/, 'new WorkspaceProject({\n  dockerfileSyntax: "",'));
  const synth = npxProjen(dir);
  if (synth.status !== 0) {
    throw new Error(`npx projen exited ${synth.status}:\n${synth.output.slice(-6000)}`);
  }
  // Real Poetry locks the API against the local index its image installs from.
  const lock = inToolroot(path.join(dir, 'apps/api'), ['poetry', 'lock'], POETRY_ENV);
  if (lock.status !== 0) {
    throw new Error(`poetry lock exited ${lock.status}:\n${lock.stdout}\n${lock.stderr}`);
  }
  ids = Object.keys(parseYaml(fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf-8')).services);
  // What only this machine needs: builds on the host's network (dockerd has no NAT: RUN steps reach the
  // npm registry and the package index through the host; bake's HCL has no network key, a compose file
  // beside it does), and no host ports (the engine is shared).
  fs.writeFileSync(path.join(work, 'network.compose.yaml'), `services:\n${ids.map((id) => `  ${id}:\n    build:\n      network: host\n`).join('')}`);
  fs.writeFileSync(path.join(work, 'test.compose.yaml'), `services:\n${ids.map((id) => `  ${id}:\n    ports: !reset []\n`).join('')}`);
});

afterAll(async () => {
  if (dir && fs.existsSync(path.join(dir, 'compose.yaml'))) {
    compose(['down', '--volumes', '--remove-orphans', '--timeout', '5']);
    for (const id of ids) {
      docker(['rmi', '-f', `${NAME}-${id}:0.1.0`]);
    }
  }
  await index?.stop();
});

test('docker buildx bake --print parses docker-bake.hcl: a target per component, tagged with its image', () => {
  const r = mustDocker(['buildx', 'bake', '--print']);
  // eslint-disable-next-line no-console
  console.log(`bake --print:\n${r.stdout}`);
  const printed = JSON.parse(r.stdout);
  expect(printed.group.default.targets).toEqual(ids);
  for (const id of ids) {
    expect(printed.target[id]).toMatchObject({ context: `apps/${id}`, dockerfile: 'Dockerfile', tags: [`${NAME}-${id}:0.1.0`], platforms: ['linux/amd64'] });
  }
  // The variables: a registry and a tag for CI, the cache backend validated by bake itself.
  const ci = mustDocker(['buildx', 'bake', '--print'], dir);
  expect(JSON.parse(ci.stdout).target.api.tags).toEqual([`${NAME}-api:0.1.0`]);
  const env = { ...process.env, REGISTRY: 'registry.example/acme', TAG: 'abc123', CACHE_TYPE: 'gha' };
  const set = exec(DOCKER, ['buildx', 'bake', '--print'], { cwd: dir, env });
  expect(set.status).toBe(0);
  const api = JSON.parse(set.stdout).target.api;
  expect(api.tags).toEqual([`registry.example/acme/${NAME}-api:abc123`]);
  expect(api['cache-from']).toEqual([{ type: 'gha', scope: 'api' }]);
  expect(api['cache-to']).toEqual([{ type: 'gha', scope: 'api', mode: 'max' }]);
  const bad = exec(DOCKER, ['buildx', 'bake', '--print'], { cwd: dir, env: { ...process.env, CACHE_TYPE: 's3' } });
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toContain('CACHE_TYPE must be one of registry, gha, local or empty.');
});

test('docker compose config accepts compose.yaml', () => {
  const r = mustDocker(['compose', '-p', NAME, '-f', 'compose.yaml', '--profile', 'jobs', 'config', '--format', 'json']);
  const config = JSON.parse(r.stdout);
  // eslint-disable-next-line no-console
  console.log(`compose config: services ${Object.keys(config.services).join(', ')}; ${JSON.stringify(config.services.web ?? config.services.api, null, 1).split('\n').slice(0, 40).join('\n')}`);
  expect(Object.keys(config.services).sort()).toEqual([...ids].sort());
});

test('docker buildx bake builds every image; compose up --wait runs them, healthy, and the web reaches the API through API_URL', async () => {
  const build = docker(['buildx', 'bake', '--progress', 'plain', '--allow', 'network.host', '-f', 'docker-bake.hcl', '-f', path.join(work, 'network.compose.yaml')]);
  if (build.status !== 0) {
    throw new Error(`bake exited ${build.status}:\n${build.output.slice(-8000)}`);
  }
  for (const id of ids) {
    expect(mustDocker(['image', 'inspect', '--format', '{{.Config.User}}', `${NAME}-${id}:0.1.0`]).stdout.trim()).not.toMatch(/^(|0|root)$/);
  }

  const up = compose(['up', '--wait', '--wait-timeout', '120', '--no-build']);
  // eslint-disable-next-line no-console
  console.log(`compose up --wait (exit ${up.status}):\n${up.output.slice(-3000)}`);
  expect(up.status).toBe(0);
  const states = compose(['ps', '--all', '--format', 'json']).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  // eslint-disable-next-line no-console
  console.log(states.map((s: any) => `${s.Service}: ${s.State} ${s.Health ?? ''} ${s.Status}`).join('\n'));
  expect(states.map((s: any) => s.Service).sort()).toEqual(ids.filter((id) => id !== 'worker').sort());
  for (const s of states) {
    expect(s.Health).toBe('healthy');
  }
  expect(states.map((s: any) => s.Service)).not.toContain('worker');
  // The worker, a command-line job in the "jobs" profile, runs on demand.
  const job = compose(['run', '--rm', 'worker']);
  // eslint-disable-next-line no-console
  console.log(`compose run --rm worker (exit ${job.status}): ${job.stdout.trim()}`);
  expect(job.status).toBe(0);
  expect(job.stdout).toContain('Hello from worker!');

  if (ids.includes('web')) {
    // A request to the web service, from inside its container: its stub asks the API at $API_URL.
    const reply = await waitFor(() => {
      const r = compose(['exec', '-T', 'web', 'node', '-e', 'fetch("http://127.0.0.1:3000/").then(async (r) => console.log(r.status, await r.text()))']);
      return r.status === 0 && r.stdout.startsWith('200 ') ? r.stdout.trim() : undefined;
    }, 30000, 1000);
    // eslint-disable-next-line no-console
    console.log(`web / -> ${reply}`);
    const body = JSON.parse(reply.slice(4));
    expect(body.api.url).toBe('http://api:8000/');
    expect(body.api.reply).toEqual({ message: 'Hello from api!' });
    const apiLog = compose(['logs', 'api']).output;
    // eslint-disable-next-line no-console
    console.log(`api log:\n${apiLog.split('\n').filter((l) => l.includes('GET / ')).join('\n')}`);
    expect(apiLog).toMatch(/"GET \/ HTTP\/1\.1" 200/);
  }
});
