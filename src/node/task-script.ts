import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { TaskStep } from 'projen/lib/task-model';
import { VARIABLE_NAME } from '../dockerfile/syntax';
import { userError } from '../validation';

/**
 * A projen task as one POSIX shell line, run without projen: the image build compiles with what
 * the app's lock file installs, not with the `.projenrc.ts` toolchain (projen, stagecraft), which
 * may come from a tarball outside the build context.
 *
 * It follows projen's task runtime for what a build task uses: `exec` and `execArgs` steps, `spawn`
 * of other tasks, step and task `cwd`, `env` (a value written `$(command)` is the command's output,
 * as projen evaluates it; the project-wide `PATH` puts the package manager's binaries first) and
 * `condition`. A step projen alone can run (`builtin`, arguments, `outputEnv`) is refused, naming
 * the task and the step.
 *
 * @returns undefined when the task has no step: nothing to run.
 */
export function taskScript(project: Project, task: Task): string | undefined {
  const env = { ...project.tasks.env, ...task.envVars };
  const body = taskBody(project, task, [task.name]);
  if (body === undefined) {
    return undefined;
  }
  return [...exportCommands(env), body].join(' && ');
}

function taskBody(project: Project, task: Task, path: string[]): string | undefined {
  const steps = task.steps.map((step, index) => stepCommand(project, step, index, path)).filter((s): s is string => s !== undefined);
  if (steps.length === 0) {
    return undefined;
  }
  let body = steps.join(' && ');
  if (task.cwd) {
    body = `cd ${shellQuote(task.cwd)} && ${body}`;
  }
  if (task.cwd || path.length > 1) {
    // A subshell: a spawned task's cwd and env end with it, as in projen.
    body = `( ${body} )`;
  }
  return task.condition ? `if ${task.condition}; then ${body}; fi` : body;
}

function stepCommand(project: Project, step: TaskStep, index: number, path: string[]): string | undefined {
  const where = `task "${path.join(' > ')}", step ${index + 1}${step.name ? ` ("${step.name}")` : ''}`;
  const refuse = (what: string): never => {
    throw userError(`${where} uses ${what}, which only projen can run; the image build runs the compile task without projen. `
      + 'Use exec steps, or set the build stage\'s "compile" instruction through the Dockerfile model (escape hatch).');
  };
  if (step.builtin) refuse(`the builtin "${step.builtin}"`);
  if (step.args?.length || step.receiveArgs) refuse('arguments');
  if (step.outputEnv) refuse('outputEnv');
  let command: string | undefined;
  if (step.spawn) {
    const spawned = project.tasks.tryFind(step.spawn);
    if (!spawned) {
      throw userError(`${where} spawns the task "${step.spawn}", which the project does not have.`);
    }
    if (path.includes(spawned.name)) {
      throw userError(`${where} spawns "${spawned.name}", which is already running: a cycle.`);
    }
    const spawnedBody = taskBody(project, spawned, [...path, spawned.name]);
    const spawnedEnv = exportCommands({ ...spawned.envVars, ...step.env });
    command = spawnedBody === undefined ? undefined : spawnedEnv.length ? `( ${[...spawnedEnv, spawnedBody].join(' && ')} )` : spawnedBody;
  } else if (step.exec !== undefined) {
    command = step.exec;
  } else if (step.execArgs) {
    command = step.execArgs.map(shellQuote).join(' ');
  }
  if (command === undefined) {
    return undefined; // a `say` step: nothing to run
  }
  if (!step.spawn && step.env && Object.keys(step.env).length) {
    command = `( ${[...exportCommands(step.env), command].join(' && ')} )`;
  }
  if (step.cwd) {
    command = `( cd ${shellQuote(step.cwd)} && ${command} )`;
  }
  return step.condition ? `if ${step.condition}; then ${command}; fi` : command;
}

/** `NAME=value && export NAME` commands; a `$(command)` value is evaluated by the shell, as projen does. */
function exportCommands(env: { [name: string]: string | undefined }): string[] {
  return Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => {
      if (!VARIABLE_NAME.test(name)) {
        throw userError(`invalid task environment variable name ${JSON.stringify(name)}: expected letters, digits and _.`);
      }
      // An assignment alone is never split into words, and a failing `$(command)` stops the build.
      const evaluated = value.startsWith('$(') && value.endsWith(')');
      return `${name}=${evaluated ? value : shellQuote(value)} && export ${name}`;
    });
}

/** One shell word, whatever the value holds. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, '\'\\\'\'')}'`;
}
