import * as path from 'path';
import { TypescriptConfig } from 'projen/lib/javascript';
import { TaskShell } from 'projen/lib/task-shell';
import { TypeScriptProject, TypeScriptProjectOptions } from 'projen/lib/typescript';
import { testedRange } from '../project/own-manifest';
import { invalidOption } from '../validation';

/** The range of esbuild, the static site's bundler (a devDependency of the app), that stagecraft is tested with. */
export const ESBUILD_RANGE: string = testedRange('esbuild');

/** The page stub's module, in the sources folder: what `public/index.html` loads as `/main.js`. */
export const DEFAULT_SITE_ENTRYPOINT = 'main.ts';

/**
 * Assembles a static site in the compile task, after projen's `tsc --build` (which type-checks):
 * the page(s) in public/ plus the entry modules bundled by esbuild, in one folder nginx serves. A
 * browser resolves no bare import (`from "greeting"`), so every npm package the code imports,
 * a workspace library included, is bundled in: ES modules, minified, with shared chunks split out.
 * Part of compile: the image's build stage runs the compile task, and the site must come out of it.
 * @param entrypoints the modules the pages load, relative to the project (each becomes `<site>/<path under srcdir>.js`)
 */
export function assembleStaticSite(project: TypeScriptProject, site: string, entrypoints: string[]): void {
  project.addDevDeps(`esbuild@${ESBUILD_RANGE}`);
  const target = project.tsconfig?.compilerOptions?.target;
  const esbuild = [
    'esbuild', ...entrypoints, '--bundle', '--format=esm', '--splitting', '--minify',
    ...(target ? [`--target=${target.toLowerCase()}`] : []),
    `--outbase=${project.srcdir}`, `--outdir=${site}`, '--log-level=warning',
  ].join(' ');
  project.compileTask.exec(`rm -rf ${site} && mkdir -p ${site} && cp -R public/. ${site}/ && ${esbuild}`, {
    name: 'assemble the static site',
    shell: TaskShell.sh(),
  });
  project.gitignore.exclude(`/${site}/`);
}

/** The bundle's entry modules: TypeScript or JavaScript files in the sources folder, which esbuild writes to the site under the same path. */
export function resolveSiteEntrypoints(owner: string, entrypoints: string[] | undefined, srcdir: string): string[] {
  const src = path.posix.normalize(srcdir).replace(/\/+$/, '');
  const resolved = entrypoints ?? [path.posix.join(src, DEFAULT_SITE_ENTRYPOINT)];
  if (resolved.length === 0) {
    throw invalidOption(owner, 'staticSiteEntrypoints', resolved, `Expected at least one module for the pages to load, such as "${src}/main.ts".`);
  }
  resolved.forEach((entry, i) => {
    const safe = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*\.(?:ts|tsx|mts|js|jsx|mjs)$/.test(entry) && !entry.split('/').includes('..');
    if (!safe || !path.posix.normalize(entry).startsWith(`${src}/`)) {
      throw invalidOption(owner, `staticSiteEntrypoints[${i}]`, entry, `Expected a .ts, .tsx, .mts, .js, .jsx or .mjs file under the sources folder "${src}", such as "${src}/main.ts".`);
    }
  });
  return resolved.map((e) => path.posix.normalize(e));
}

/**
 * Module settings of the TypeScript that Node runs (.projenrc.ts through tsx, the tests through
 * ts-jest), whatever the browser build says: CommonJS, as in every projen TypeScript project.
 * With the browser's ES2022, ts-node's CommonJS hook emits `import` statements; Node (20.19+)
 * detects them and hands .projenrc.ts to its ES module loader, which cannot load a .ts file
 * ("Unknown file extension .ts"): every `npx projen` failed. `null` resets the browser's "Bundler"
 * resolution to TypeScript's own default for CommonJS: TypeScript 5 rejects Bundler with CommonJS,
 * and 6 rejects the deprecated "Node" (node10).
 */
const NODE_MODULES = { module: 'CommonJS', moduleResolution: null as any };

/** Sets a tsconfig that extends the browser's back to what Node runs ({@link NODE_MODULES}). */
export function runByNode(config: TypescriptConfig): void {
  for (const [option, value] of Object.entries(NODE_MODULES)) {
    config.file.addOverride(`compilerOptions.${option}`, value);
  }
}

/** A static site's code runs in the browser: ES modules with DOM types; tests keep CommonJS for jest. */
export function browserBuild(options: Partial<TypeScriptProjectOptions>): Partial<TypeScriptProjectOptions> {
  return {
    tsconfig: {
      ...options.tsconfig,
      compilerOptions: { module: 'ES2022', moduleResolution: 'Bundler' as any, target: 'ES2022', lib: ['ES2022', 'DOM'], ...options.tsconfig?.compilerOptions },
    },
    tsconfigDev: {
      ...options.tsconfigDev,
      compilerOptions: { ...NODE_MODULES, lib: ['ES2022', 'DOM'], ...options.tsconfigDev?.compilerOptions },
    },
    jestOptions: {
      ...options.jestOptions,
      jestConfig: {
        // Browser modules import "./x.js"; jest resolves the .ts source.
        moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
        testEnvironment: 'node',
        ...options.jestOptions?.jestConfig,
      },
    },
  };
}
