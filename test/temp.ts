import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Project } from 'projen';

const created: string[] = [];
const removeCreated = () => created.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
// Jest ends its workers without an 'exit' event, so each test file removes its folders when it is
// done (this module is loaded once per test file); bench/ and other plain scripts at process exit.
if (typeof afterAll === 'function') {
  afterAll(removeCreated);
} else {
  process.on('exit', removeCreated);
}

/**
 * A fresh empty folder under the OS temp dir, removed when the test file (or script) is done.
 * Every test project gets one explicitly: projen puts a test project without an
 * outdir in the current folder when that is under the temp dir (a clone in /tmp),
 * and Testing.synth then deletes that folder.
 */
export function tempDir(prefix = 'stagecraft-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A bare projen project in its own temp folder. */
export function testProject(name: string): Project {
  return new Project({ name, outdir: tempDir(`${name}-`) });
}
