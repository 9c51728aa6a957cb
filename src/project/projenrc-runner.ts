import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { OWN_PACKAGE_NAME, testedRange } from './own-manifest';
import { userError } from '../validation';

/**
 * Makes `npx projen` run `.projenrc.ts` with tsx (esbuild: no type-check) inside the one node
 * process the task starts, and adds a `typecheck` task that type-checks it with tsc.
 *
 * Why not projen's own runners: ts-node type-checks on every synthesis (most of its time), and
 * TypeScript 6 rejects its transpile-only mode; projen's tsx runner wraps the step in
 * `npx -y -p tsx -c`, a second npm start, and tsx's CLI starts another node. `node --require
 * tsx/cjs` needs only `node`, works with Node 20, and finds tsx in the project's node_modules.
 *
 * Packages `.projenrc.ts` imports are loaded before tsx registers: their compiled JavaScript then
 * skips tsx's resolve and compile hooks, about a quarter of the synthesis's CPU time (measured by
 * `npx projen bench`). stagecraft is preloaded only when the project lists it (`devDependencies`
 * holds every package the project lists): an org package that depends on stagecraft may hold its
 * own copy, which a preloaded one would not be; `alsoPreload` names more (projen).
 * @returns the `typecheck` task
 */
export function runProjenrcWithTsx(
  project: Project,
  projenrcFile: string,
  tsconfigFile: string,
  devDependencies: string[],
  alsoPreload: string[] = [],
): Task {
  const preload = [...(devDependencies.includes(OWN_PACKAGE_NAME) ? [OWN_PACKAGE_NAME] : []), ...alsoPreload];
  const synth = project.defaultTask;
  if (!synth) {
    throw userError(`${project.name}: the project has no default task to run ${projenrcFile} with.`);
  }
  synth.reset();
  synth.env('TSX_TSCONFIG_PATH', tsconfigFile);
  synth.addSteps({ execArgs: ['node', ...preload.flatMap((p) => ['--require', p]), '--require', 'tsx/cjs', projenrcFile] });
  return project.addTask('typecheck', {
    description: `Type-check ${projenrcFile} (npx projen runs it without type-checking)`,
    steps: [{ execArgs: ['tsc', '--noEmit', '--project', tsconfigFile] }],
  });
}

/** The range of tsx, the runner of `.projenrc.ts`, that stagecraft is tested with. */
export const TSX_RANGE: string = testedRange('tsx');
