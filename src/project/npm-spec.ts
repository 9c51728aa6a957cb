import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { isUserError, userError } from '../validation';

/** A tarball or folder on disk rather than a registry package. */
export function isPathSpec(spec: string): boolean {
  return /^(\.{1,2}\/|\/|file:)/.test(spec) || spec.endsWith('.tgz');
}

/** `name@range`, `@scope/name@range`, `name`, or a tarball/folder path, to [name, range]. */
export function parseNpmSpec(outdir: string, spec: string): [string, string] {
  if (isPathSpec(spec)) {
    const location = spec.replace(/^file:/, '');
    const abs = path.resolve(outdir, location);
    let manifest: any;
    try {
      manifest = fs.statSync(abs).isDirectory()
        ? JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf-8'))
        : installedFrom(outdir, abs) ?? readTarballManifest(abs);
    } catch (e) {
      if (isUserError(e)) {
        throw e;
      }
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `there is no file or folder at ${abs}` : (e as Error).message;
      throw userError(`invalid devDeps entry ${JSON.stringify(spec)}: ${why}. Expected "name", "name@range", or the path of an npm package tarball or folder (relative to ${outdir}).`);
    }
    const rel = path.relative(outdir, abs).split(path.sep).join('/');
    return [manifest.name, `file:${rel.startsWith('.') ? rel : `./${rel}`}`];
  }
  const m = /^(@[^@/]+\/[^@]+|[^@]+)(?:@(.+))?$/.exec(spec);
  if (!m) {
    throw userError(`invalid devDeps entry ${JSON.stringify(spec)}. Expected "name", "name@range" or a path to a package tarball.`);
  }
  return [m[1], m[2] ?? '*'];
}

/**
 * The package npm installed from a tarball, as npm's hidden lockfile (node_modules/.package-lock.json)
 * records it: reading it is cheap, where unpacking the tarball took a tenth of each synthesis.
 */
function installedFrom(outdir: string, tarball: string): { name: string } | undefined {
  const lockfile = path.join(outdir, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(lockfile)) {
    return undefined;
  }
  const resolved = `file:${path.relative(outdir, tarball).split(path.sep).join('/')}`;
  const packages: { [location: string]: { resolved?: string } } = JSON.parse(fs.readFileSync(lockfile, 'utf-8')).packages ?? {};
  const location = Object.keys(packages).find((l) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(l) && packages[l].resolved === resolved);
  return location ? { name: location.slice('node_modules/'.length) } : undefined;
}

/** Reads package/package.json out of an npm tarball (gzip + ustar), without unpacking it. */
function readTarballManifest(file: string): any {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('utf-8').replace(/\0.*$/s, '');
    if (!name) {
      break;
    }
    const size = parseInt(header.subarray(124, 136).toString('utf-8').replace(/\0.*$/s, '').trim() || '0', 8);
    if (name === 'package/package.json') {
      return JSON.parse(tar.subarray(offset + 512, offset + 512 + size).toString('utf-8'));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw userError(`devDeps: ${file} is not an npm package tarball (no package/package.json).`);
}

/**
 * devDeps as projen's dependency API can write them into package.json: a
 * tarball or folder path (what `projen new --from ./pkg.tgz` records) becomes
 * `name@file:path`, which npm installs; other specs are kept as they are.
 */
export function installableDevDeps(outdir: string, specs: string[]): string[] {
  return specs.map((spec) => {
    if (!isPathSpec(spec)) {
      return spec;
    }
    const [name, range] = parseNpmSpec(outdir, spec);
    return `${name}@${range}`;
  });
}
