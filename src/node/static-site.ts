import { TypescriptConfig } from 'projen/lib/javascript';
import { TaskShell } from 'projen/lib/task-shell';
import { TypeScriptProject, TypeScriptProjectOptions } from 'projen/lib/typescript';

/**
 * Assembles a static site in the compile task: the page(s) in public/ plus the compiled modules, in
 * one folder nginx serves. Part of compile: the image's build stage runs the compile task, and the
 * site must come out of it.
 */
export function assembleStaticSite(project: TypeScriptProject, site: string): void {
  project.compileTask.exec(`rm -rf ${site} && mkdir -p ${site} && cp -R public/. ${site}/ && cp -R ${project.libdir}/. ${site}/`, {
    name: 'assemble the static site',
    shell: TaskShell.sh(),
  });
  project.gitignore.exclude(`/${site}/`);
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
