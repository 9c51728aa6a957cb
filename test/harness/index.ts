/**
 * Real-tool test harness: two container engines (buildah as root with chroot isolation, and the
 * real Docker engine with BuildKit), stand-in base images in both, a Debian 13 tool root
 * (Poetry 2, Python 3.13, Go 1.27, Node) and a local Python package index, all made by scripts/
 * and cached. No container registry or PyPI is needed.
 *
 * Call {@link ensureEngineReady} in a beforeAll; everything else assumes it ran. A test that
 * builds or runs an image does so with every engine: `describe.each(ENGINES)('%s', (engine) => ...)`.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Buildah } from './buildah';
import { CommandResult, exec, mustExec, SCRIPTS } from './command';
import { Docker } from './docker';
import { ContainerEngine } from './engine';

export type { CommandResult } from './command';
export { SCRIPTS, waitFor } from './command';
export * from './engine';
export { TestImages } from './test-images';
export type { CheckOptions, CheckResult, CheckTarget, CheckWarning } from './docker';

export const BUILDAH = new Buildah();
export const DOCKER = new Docker();

/**
 * The engines the tests run with: both, or those STAGECRAFT_ENGINES names (e.g. `buildah`), for a
 * developer who wants one. CI runs both.
 */
export const ENGINES: ContainerEngine[] = (process.env.STAGECRAFT_ENGINES ?? 'buildah,docker').split(',').map((name) => {
  const engine = [BUILDAH, DOCKER].find((e) => e.name === name.trim());
  if (!engine) {
    throw new Error(`STAGECRAFT_ENGINES: unknown engine "${name}" (known: buildah, docker)`);
  }
  return engine;
});

/**
 * What every test project built by an engine is generated with: no `# syntax=` directive. With
 * it, BuildKit fetches the frontend image (docker/dockerfile:1) from Docker Hub, which this
 * machine cannot reach ("failed to resolve source metadata"); without it Docker builds with its
 * built-in frontend (RUN --mount, COPY --link, heredocs). buildah ignores the directive either way.
 */
export const BUILT_IN_FRONTEND = { dockerfileSyntax: '' } as const;

/** The cache root the scripts use (STAGECRAFT_CACHE, else $XDG_CACHE_HOME/stagecraft, else ~/.cache/stagecraft). */
export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return process.env.STAGECRAFT_CACHE || path.join(xdg, 'stagecraft');
}

let ready = false;

/**
 * Installs buildah/podman/debootstrap if missing; builds (or finds up to date) the tool root, the
 * wheel index and the stand-in images; starts the Docker engine unless it runs (it is left running
 * for the next test file: `scripts/docker-engine stop` stops it; scripts/test stops the one it
 * started) and loads the stand-ins into it. Each script is idempotent and takes seconds when its
 * cache is current; a cold machine takes several minutes (debootstrap, apt-get).
 * Throws with the failing script's last lines.
 */
export function ensureEngineReady(): void {
  if (ready) {
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the engine tests need root (debootstrap, chroot, buildah and dockerd run as root)');
  }
  for (const script of ['install-engine', 'toolroot', 'wheel-index']) {
    mustExec(path.join(SCRIPTS, script), []);
  }
  if (ENGINES.includes(DOCKER)) {
    mustExec(path.join(SCRIPTS, 'docker-engine'), ['start']);
    mustExec(path.join(SCRIPTS, 'standin-images'), ['--docker']);
  } else {
    mustExec(path.join(SCRIPTS, 'standin-images'), []);
  }
  ready = true;
}

export interface PackageIndex {
  /** The PEP 503 index URL, `http://127.0.0.1:PORT/simple/`: for PIP_INDEX_URL and `[[tool.poetry.source]]`. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves the local wheel index (Poetry 2.1.2, pytest, requests, httpx, ... repacked from Debian 13)
 * on a free port of 127.0.0.1. Each call starts its own server.
 * Poetry records the source URL in poetry.lock's content-hash: lock against the same server
 * you build with.
 */
export async function startPackageIndex(): Promise<PackageIndex> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-index-'));
  const pidFile = path.join(dir, 'serve-index.pid');
  const script = path.join(SCRIPTS, 'serve-index');
  const url = mustExec(script, ['--pid-file', pidFile]).stdout.trim().split('\n').pop()!;
  return {
    url,
    stop: async () => {
      mustExec(script, ['--stop', '--pid-file', pidFile]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `cmd` inside the Debian 13 tool root with `dir` mounted at the same path and as cwd; host
 * network (so a {@link startPackageIndex} URL works), the caller's environment plus `env`.
 * Tip: set POETRY_VIRTUALENVS_IN_PROJECT=true, or Poetry keeps venvs in the tool root's ~/.cache.
 */
export function inToolroot(dir: string, cmd: string[], env: Record<string, string> = {}): CommandResult {
  return exec(path.join(SCRIPTS, 'in-toolroot'), [dir, '--', ...cmd], { env: { ...process.env, ...env } });
}

/** An HTTP GET from the test process; resolves with the status and body, or rejects on a network error. */
export function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
    req.on('error', reject);
  });
}

/** Bytes of a file, or of every file under a folder (an image's mounted root, say). */
export function treeBytes(p: string): number {
  const stat = fs.lstatSync(p);
  return stat.isDirectory() ? fs.readdirSync(p).reduce((n, f) => n + treeBytes(path.join(p, f)), 0) : stat.size;
}

/** The files a static site's image serves, beside the nginx base image's own 50x.html. */
export function servedSiteFiles(engine: ContainerEngine, image: string): string[] {
  return engine.listImagePaths(image, '/usr/share/nginx/html/**').filter((f) => !f.endsWith('/50x.html'));
}
