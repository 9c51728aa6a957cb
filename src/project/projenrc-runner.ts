import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { userError } from '../validation';

/** stagecraft's own package.json, whose devDependencies hold the tsx that generated projects get. */
const OWN_MANIFEST = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf-8'));

/**
 * Makes `npx projen` run `.projenrc.ts` with tsx (esbuild: no type-check) inside the one node
 * process the task starts, and adds a `typecheck` task that type-checks it with tsc.
 *
 * Why not projen's own runners: ts-node type-checks on every synthesis (most of its time), and
 * TypeScript 6 rejects its transpile-only mode; projen's tsx runner wraps the step in
 * `npx -y -p tsx -c`, a second npm start, and tsx's CLI starts another node. `node --require
 * tsx/cjs` needs only `node`, works with Node 20, and finds tsx in the project's node_modules.
 * @returns the `typecheck` task
 */
export function runProjenrcWithTsx(project: Project, projenrcFile: string, tsconfigFile: string): Task {
  const synth = project.defaultTask;
  if (!synth) {
    throw userError(`${project.name}: the project has no default task to run ${projenrcFile} with.`);
  }
  synth.reset();
  synth.env('TSX_TSCONFIG_PATH', tsconfigFile);
  synth.addSteps({ execArgs: ['node', '--require', 'tsx/cjs', projenrcFile] });
  return project.addTask('typecheck', {
    description: `Type-check ${projenrcFile} (npx projen runs it without type-checking)`,
    steps: [{ execArgs: ['tsc', '--noEmit', '--project', tsconfigFile] }],
  });
}

/** The range of tsx, the runner of `.projenrc.ts`, that stagecraft is tested with. */
export const TSX_RANGE: string = (OWN_MANIFEST.devDependencies ?? {}).tsx;
