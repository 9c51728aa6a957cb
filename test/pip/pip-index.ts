import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir, inToolroot, PackageIndex, SCRIPTS } from '../harness';
import { mustExec } from '../harness/command';
import { tempDir } from '../temp';

/**
 * The wheel index plus setuptools, the pip app's build backend: the tool root ships its wheel
 * (Debian's python3-setuptools-whl, which python3-venv brings) beside the wheel index, not in it.
 * Served from a folder of this test's own (links to the index's projects), so the shared index
 * is never rebuilt under another test.
 */
export function startPipIndex(): PackageIndex {
  const root = tempDir('pip-index-');
  const simple = path.join(root, 'simple');
  fs.mkdirSync(simple);
  const shared = path.join(cacheDir(), 'wheel-index', 'simple');
  const projects = fs.readdirSync(shared).filter((p) => fs.statSync(path.join(shared, p)).isDirectory());
  for (const project of projects) {
    fs.symlinkSync(path.join(shared, project), path.join(simple, project));
  }
  const wheels = path.join(cacheDir(), 'toolroot', 'usr', 'share', 'python-wheels');
  const setuptools = fs.readdirSync(wheels).find((f) => /^setuptools-.*\.whl$/.test(f));
  if (!setuptools) {
    throw new Error(`no setuptools wheel in ${wheels}: scripts/toolroot installs python3-venv, which brings it`);
  }
  fs.mkdirSync(path.join(simple, 'setuptools'));
  const data = fs.readFileSync(path.join(wheels, setuptools));
  fs.writeFileSync(path.join(simple, 'setuptools', setuptools), data);
  const sha = createHash('sha256').update(data).digest('hex');
  fs.writeFileSync(path.join(simple, 'setuptools', 'index.html'), `<!DOCTYPE html>\n<html><body>\n<a href="${setuptools}#sha256=${sha}">${setuptools}</a>\n</body></html>\n`);
  const names = [...projects, 'setuptools'].sort();
  fs.writeFileSync(path.join(simple, 'index.html'), `<!DOCTYPE html>\n<html><body>\n${names.map((n) => `<a href="${n}/">${n}</a>`).join('\n')}\n</body></html>\n`);
  const pidFile = path.join(root, 'serve-index.pid');
  const script = path.join(SCRIPTS, 'serve-index');
  const url = mustExec(script, ['--pid-file', pidFile, '--root', root]).stdout.trim().split('\n').pop()!;
  return {
    url,
    stop: async () => {
      mustExec(script, ['--stop', '--pid-file', pidFile]);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs a generated task's steps as projen would (sh, the task's env), with the tool root's real Python and pip; its output. */
export function runPipTask(dir: string, name: string): string {
  const task = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks[name];
  let out = '';
  for (const step of task.steps) {
    // The machine's own pip settings (find-links and the like) stay out: only the task's env counts.
    const r = inToolroot(dir, ['env', '-u', 'PIP_FIND_LINKS', 'sh', '-c', step.exec], task.env ?? {});
    out += r.stdout + r.stderr;
    if (r.status !== 0) {
      throw new Error(`task ${name}: "${step.exec.slice(0, 120)}..." exited ${r.status}:\n${out}`);
    }
  }
  return out;
}
