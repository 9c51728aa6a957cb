import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as os from 'os';
import * as path from 'path';

/** The repository's scripts/ folder. */
export const SCRIPTS = path.resolve(__dirname, '../../scripts');

const MAX_BUFFER = 512 * 1024 * 1024;

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function exec(command: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  const r = spawnSync(command, args, { encoding: 'utf-8', maxBuffer: MAX_BUFFER, ...options });
  const stderr = String(r.stderr ?? '') + (r.error ? `${r.error.message}\n` : '');
  // A signal-killed or unstartable process has no exit status: report it as a failure.
  const status = r.status ?? (r.signal ? 128 + (os.constants.signals[r.signal] ?? 0) : 127);
  return { status, stdout: String(r.stdout ?? ''), stderr };
}

export function mustExec(command: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  const r = exec(command, args, options);
  if (r.status !== 0) {
    const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-15).join('\n');
    throw new Error(`${path.basename(command)} ${args.join(' ')} exited ${r.status}:\n${tail}`);
  }
  return r;
}

/** Polls `probe` until it returns a value or the time is up. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitFor: nothing after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
