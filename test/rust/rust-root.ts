import * as path from 'path';
import { cacheDir, SCRIPTS } from '../harness';
import { exec } from '../harness/command';

/** The Debian 13 Rust root that scripts/rustroot makes: rustc and cargo 1.85, and Debian's packaged crates. */
export const RUST_ROOT = path.join(cacheDir(), 'rustroot');

/**
 * Real cargo in the Rust root, with a CARGO_HOME of the project's own (`.cargo-home`): nothing
 * cached from another run. Throws with its output when it fails; returns its stdout and stderr.
 */
export function mustCargo(dir: string, ...args: string[]): string {
  const r = exec(path.join(SCRIPTS, 'in-toolroot'), ['--root', RUST_ROOT, dir, '--', 'cargo', ...args], {
    env: { ...process.env, CARGO_HOME: path.join(dir, '.cargo-home'), CARGO_TERM_COLOR: 'never' },
  });
  if (r.status !== 0) {
    throw new Error(`cargo ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout + r.stderr;
}
