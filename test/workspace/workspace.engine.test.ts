import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { BUILDAH, ensureEngineReady, inToolroot, PackageIndex, SCRIPTS, startPackageIndex, waitFor } from '../harness';
import { exec } from '../harness/command';
import { npxProjen, projenNew } from '../package-util';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

/**
 * The sample workspace as a user gets it (`projen new --from` the packed package), built with the
 * real Docker engine through its own docker-bake.hcl and run through its own compose.yaml (bake and
 * compose are Docker's), and each image built with buildah too. Names are unique (`ws-<pid>`): the
 * engines are shared.
 */
const DOCKER = path.join(SCRIPTS, 'docker');
const NAME = `ws-${process.pid}`;
const POETRY_ENV = { POETRY_VIRTUALENVS_IN_PROJECT: 'true', POETRY_NO_INTERACTION: '1' };

let index: PackageIndex;
let dir: string;
let work: string;
let ids: string[] = [];
/** Each component's image reference, as compose.yaml names it. */
let images: Record<string, string> = {};
/** The images buildah built. */
const buildahTags: string[] = [];

function docker(args: string[], cwd = dir) {
  const r = exec(DOCKER, args, { cwd: fs.existsSync(cwd) ? cwd : '/', env: { ...process.env } });
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
  const services = parseYaml(fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf-8')).services;
  ids = Object.keys(services);
  images = Object.fromEntries(ids.map((id) => [id, services[id].image]));
  // What only this machine needs: builds on the host's network (dockerd has no NAT: RUN steps reach the
  // npm registry and the package index through the host; bake's HCL has no network key, a compose file
  // beside it does), and no host ports (the engine is shared).
  fs.writeFileSync(path.join(work, 'network.compose.yaml'), `services:\n${ids.map((id) => `  ${id}:\n    build:\n      network: host\n`).join('')}`);
  fs.writeFileSync(path.join(work, 'test.compose.yaml'), `services:\n${ids.map((id) => `  ${id}:\n    ports: !reset []\n`).join('')}`);
});

afterAll(async () => {
  // By the project's name, not its files: the temp folder may be gone already.
  docker(['compose', '-p', NAME, 'down', '--volumes', '--remove-orphans', '--timeout', '5'], work);
  for (const image of Object.values(images)) {
    docker(['rmi', '-f', image], work);
  }
  for (const tag of buildahTags) {
    BUILDAH.removeImage(tag);
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
    expect(images[id]).toMatch(new RegExp(`^${NAME}-${id}:`));
    expect(printed.target[id]).toMatchObject({ context: `apps/${id}`, dockerfile: 'Dockerfile', tags: [images[id]], platforms: ['linux/amd64'] });
  }
  // The variables: a registry and a tag for CI, the cache backend validated by bake itself.
  const ci = mustDocker(['buildx', 'bake', '--print'], dir);
  expect(JSON.parse(ci.stdout).target.api.tags).toEqual([images.api]);
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
  console.log(`compose config: services ${Object.keys(config.services).join(', ')}\n${['depends_on', 'environment', 'healthcheck', 'profiles'].map((key) => `web.${key}: ${JSON.stringify(config.services.web[key])}`).join('\n')}\nworker.profiles: ${JSON.stringify(config.services.worker.profiles)}`);
  expect(Object.keys(config.services).sort()).toEqual([...ids].sort());
  expect(config.services.web.depends_on.api).toMatchObject({ condition: 'service_healthy' });
  expect(config.services.web.environment.API_URL).toBe('http://api:8000');
});

test('docker buildx bake builds every image; compose up --wait runs them, healthy, and the web reaches the API through API_URL', async () => {
  const build = docker(['buildx', 'bake', '--progress', 'plain', '--allow', 'network.host', '-f', 'docker-bake.hcl', '-f', path.join(work, 'network.compose.yaml')]);
  if (build.status !== 0) {
    throw new Error(`bake exited ${build.status}:\n${build.output.slice(-8000)}`);
  }
  for (const id of ids) {
    expect(mustDocker(['image', 'inspect', '--format', '{{.Config.User}}', images[id]]).stdout.trim()).not.toMatch(/^(|0|root)$/);
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
    // From the web container's address on the project's network: the request crossed from web to api.
    const webAddress = mustDocker(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', `${NAME}-web-1`]).stdout.trim();
    expect(apiLog).toContain(`${webAddress} - - [`);
    expect(apiLog).toMatch(new RegExp(`${webAddress.replace(/\./g, '\\.')} - - \\[[^\\]]+\\] "GET / HTTP/1\\.1" 200`));
  }
});

test('buildah builds each image from its folder with the generated Dockerfile unchanged; each runs as a non-root user', () => {
  for (const id of ids) {
    const tag = `${NAME}-buildah-${id}:test`;
    buildahTags.push(tag);
    const built = BUILDAH.mustBuildImage({ contextDir: path.join(dir, 'apps', id), tag, platform: 'linux/amd64' });
    const info = BUILDAH.imageInfo(tag);
    // eslint-disable-next-line no-console
    console.log(`buildah ${id}: ${(info.size / 1e6).toFixed(2)} MB, user ${info.user}, cmd ${JSON.stringify(info.cmd)}, built in ${built.seconds.toFixed(1)} s`);
    expect(info.user).not.toMatch(/^(|0|root)(:.*)?$/);
    expect(info.labels['org.opencontainers.image.title']).toBe(id);
  }
  const job = BUILDAH.runImage(`${NAME}-buildah-worker:test`);
  expect(job.status).toBe(0);
  expect(job.stdout.trim()).toBe('Hello from worker!');
});

test('each component\'s own tool on its folder: real Poetry tests api, Go vets and tests worker, npm-run jest tests web (the root\'s web:test)', () => {
  const tool = (folder: string, cmd: string[], env: Record<string, string>) => {
    const r = inToolroot(path.join(dir, folder), cmd, env);
    if (r.status !== 0) {
      throw new Error(`${cmd.join(' ')} in ${folder} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    }
    return r.stdout + r.stderr;
  };
  tool('apps/api', ['poetry', 'install'], POETRY_ENV);
  expect(tool('apps/api', ['poetry', 'run', 'pytest', '-q'], POETRY_ENV)).toMatch(/\d+ passed/);
  const goEnv = { GOTOOLCHAIN: 'local', GOFLAGS: '', GOPROXY: 'off' };
  tool('apps/worker', ['go', 'vet', './...'], goEnv);
  expect(tool('apps/worker', ['go', 'test', './...'], goEnv)).toMatch(/^ok\s+\S+/m);
  const web = npxProjen(dir, ['web:test']);
  if (web.status !== 0) {
    throw new Error(`npx projen web:test exited ${web.status}:\n${web.output.slice(-6000)}`);
  }
  expect(web.output).toMatch(/Tests:\s+\d+ passed, \d+ total/);
});
