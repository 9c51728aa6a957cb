import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { taskScript } from '../../src/node/task-script';
import { tempDir } from '../temp';

function project(): Project {
  return new Project({ name: 'p', outdir: tempDir('task-script-') });
}

/** Runs the script with the real /bin/sh in the project folder, as the image's RUN does. */
function runScript(p: Project, script: string): string {
  return execFileSync('/bin/sh', ['-c', script], { cwd: p.outdir, encoding: 'utf-8', env: { PATH: process.env.PATH } });
}

describe('a projen task as a shell line, run without projen', () => {
  test('exec steps in order, with the task env, step env and cwd, and spawned tasks in their own scope', () => {
    const p = project();
    fs.mkdirSync(path.join(p.outdir, 'sub dir'));
    p.tasks.addEnvironment('GLOBAL', "it's global");
    p.tasks.addEnvironment('EVALUATED', '$(echo from a command)');
    const inner = p.addTask('inner', { env: { INNER: 'inner value' }, cwd: 'sub dir' });
    inner.exec('echo "inner: $INNER $(basename "$PWD")"');
    const task = p.addTask('build-it');
    task.exec('echo "1: $GLOBAL / $EVALUATED"');
    task.say('a message, nothing to run');
    task.spawn(inner);
    task.exec('echo "3: ${INNER:-unset} $(basename "$PWD")"');
    task.exec('echo "4: $STEP"', { env: { STEP: 'a step value' }, cwd: 'sub dir' });
    task.exec('echo "5: ${STEP:-unset}"');
    task.exec('echo never', { condition: 'false' });
    const out = runScript(p, taskScript(p, task)!).trim().split('\n');
    expect(out).toEqual([
      "1: it's global / from a command",
      'inner: inner value sub dir',
      `3: unset ${path.basename(p.outdir)}`,
      '4: a step value',
      '5: unset',
    ]);
  });

  test('a failing step stops the line, as a failing step stops projen', () => {
    const p = project();
    const task = p.addTask('t');
    task.exec('false');
    task.exec('echo reached');
    expect(() => runScript(p, taskScript(p, task)!)).toThrow();
  });

  test('a task whose condition fails is skipped', () => {
    const p = project();
    const task = p.addTask('t', { condition: 'test -f missing' });
    task.exec('echo ran');
    expect(runScript(p, taskScript(p, task)!)).toBe('');
  });

  test('a task with no step has no line', () => {
    const p = project();
    expect(taskScript(p, p.addTask('empty'))).toBeUndefined();
  });

  test('execArgs are quoted words', () => {
    const p = project();
    const task = p.addTask('t');
    task.execArgs(['printf', '%s|', 'a b', "it's", '$HOME']);
    expect(runScript(p, taskScript(p, task)!)).toBe("a b|it's|$HOME|");
  });

  test.each([
    ['a builtin', (t: any) => t.builtin('release/bump-version'), /task "t", step 1 uses the builtin "release\/bump-version", which only projen can run/],
    ['arguments', (t: any) => t.exec('echo', { args: ['x'] }), /task "t", step 1 uses arguments, which only projen can run/],
    ['a missing task', (t: any) => t.spawn({ name: 'nowhere' } as any), /task "t", step 1 spawns the task "nowhere", which the project does not have/],
  ])('refuses %s, naming the task and the step', (_what, add, message) => {
    const p = project();
    const task = p.addTask('t');
    add(task);
    expect(() => taskScript(p, task)).toThrow(message);
  });

  test('refuses a cycle', () => {
    const p = project();
    const a = p.addTask('a');
    const b = p.addTask('b');
    a.spawn(b);
    b.spawn(a);
    expect(() => taskScript(p, a)).toThrow(/spawns "a", which is already running: a cycle/);
  });
});
