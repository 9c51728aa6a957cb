import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { RUST_ROOT } from './rust-root';
import { startStaticFileServer } from '../harness/static-file-server';

/** Debian's packaged crates (librust-*-dev) in the Rust root that scripts/rustroot makes. */
export const DEBIAN_CRATES = path.join(RUST_ROOT, 'usr', 'share', 'cargo', 'registry');

export interface CrateRegistry {
  /** The sparse index URL, `http://127.0.0.1:PORT/index/`: what `crateRegistry` takes. */
  readonly url: string;
  /** `name@version` of each crate it serves. */
  readonly crates: string[];
  /** Requests it answered, e.g. `GET /index/cf/g-/cfg-if 200`. */
  readonly log: string[];
  stop(): Promise<void>;
}

/** Where cargo looks a crate up in an index: `1/a`, `2/ab`, `3/a/abc`, `cf/g-/cfg-if`. */
function indexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length <= 2) {
    return `${n.length}/${n}`;
  }
  if (n.length === 3) {
    return `3/${n[0]}/${n}`;
  }
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

/** One index line for a crate, from its (normalized) Cargo.toml: the registry protocol's fields. */
function indexEntry(manifest: any, cksum: string): object {
  const deps: object[] = [];
  const add = (table: any, kind: string, target: string | null) => {
    for (const [name, spec] of Object.entries<any>(table ?? {})) {
      const s = typeof spec === 'string' ? { version: spec } : spec;
      deps.push({
        name,
        ...(s.package ? { package: s.package } : {}),
        req: s.version ?? '*',
        features: s.features ?? [],
        optional: s.optional ?? false,
        default_features: s['default-features'] ?? true,
        target,
        kind,
      });
    }
  };
  add(manifest.dependencies, 'normal', null);
  add(manifest['build-dependencies'], 'build', null);
  for (const [target, tables] of Object.entries<any>(manifest.target ?? {})) {
    add(tables.dependencies, 'normal', target);
    add(tables['build-dependencies'], 'build', target);
  }
  return { name: manifest.package.name, vers: manifest.package.version, deps, cksum, features: manifest.features ?? {}, yanked: false };
}


/**
 * A cargo sparse registry on 127.0.0.1 serving Debian's packaged crates: each
 * unpacked crate under /usr/share/cargo/registry is packed again into a
 * `.crate` (a reproducible tar.gz of `name-version/`, Debian's `debian/`
 * folder left out), and the index is written from its Cargo.toml. What an
 * org's crates.io mirror serves, with Debian's sources instead of crates.io's
 * (so the checksums in Cargo.lock are this registry's).
 */
export async function startCrateRegistry(): Promise<CrateRegistry> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rust-crate-registry-'));
  const root = path.join(work, 'www');
  const logFile = path.join(work, 'requests.log');
  const served: string[] = [];
  for (const dir of fs.readdirSync(DEBIAN_CRATES).sort()) {
    const manifest: any = parseToml(fs.readFileSync(path.join(DEBIAN_CRATES, dir, 'Cargo.toml'), 'utf-8'));
    const { name, version } = manifest.package;
    const file = path.join(root, 'crates', name, version, 'download');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tar = spawnSync('sh', ['-c', 'tar -C "$1" --exclude "$2/debian" --exclude "$2/.cargo-checksum.json" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$2" | gzip -n > "$3"',
      'sh', DEBIAN_CRATES, dir, file], { encoding: 'utf-8' });
    if (tar.status !== 0) {
      throw new Error(`packing ${dir} failed: ${tar.stderr}`);
    }
    const cksum = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const indexFile = path.join(root, 'index', indexPath(name));
    fs.mkdirSync(path.dirname(indexFile), { recursive: true });
    fs.appendFileSync(indexFile, JSON.stringify(indexEntry(manifest, cksum)) + '\n');
    served.push(`${name}@${version}`);
  }
  const server = await startStaticFileServer(root, logFile, 'crate registry');
  const port = server.port;
  // The download URL needs the port: written once the server listens, before cargo asks.
  fs.writeFileSync(path.join(root, 'index', 'config.json'), JSON.stringify({ 'dl': `http://127.0.0.1:${port}/crates`, 'auth-required': false }));
  return {
    url: `http://127.0.0.1:${port}/index/`,
    crates: served,
    get log() {
      return server.log;
    },
    stop: async () => {
      server.stop();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
