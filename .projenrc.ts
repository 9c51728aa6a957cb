import { cdk, javascript } from 'projen';

const project = new cdk.JsiiProject({
  name: 'stagecraft',
  description:
    'projen project types whose multi-stage Dockerfile is derived from the app manifest: Poetry, pip, Node, Go, Rust and Java apps and workspaces of them, org-wide templates and policies.',
  author: 'stagecraft developers',
  authorAddress: 'stagecraft@users.noreply.github.com',
  repositoryUrl: 'https://github.com/stagecraft/stagecraft.git',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',
  // CI is `.ci/run` on a clean clone; nothing is published from here.
  github: false,
  release: false,
  keywords: ['projen', 'docker', 'dockerfile', 'poetry', 'jsii'],

  peerDeps: ['projen@^0.103.25', 'constructs@^10.5.0'],
  // Non-jsii runtime libraries travel inside the package.
  // dockerfile-ast and dockerfile-utils parse the rendered Dockerfile for the lint gate.
  bundledDeps: ['handlebars@^4.7.10', '@renovatebot/pep440@4.2.4', 'dockerfile-ast@^0.7.1', 'dockerfile-utils@^0.16.3'],
  // tsx runs a generated project's .projenrc.ts, esbuild bundles a generated static site: their
  // ranges here are the ones generated projects get.
  devDeps: ['smol-toml@^1.3.0', 'fast-check@^4.3.0', 'tsx@^4.23.0', 'esbuild@^0.28.0', 'yaml@^2.8.0'],

  jestOptions: {
    jestConfig: {
      // Real-tool and engine tests run in their own task (test:engine).
      testPathIgnorePatterns: ['/node_modules/', '\\.engine\\.test\\.ts$'],
    },
  },
});

// Real tools and a real container engine: slow, and they need what scripts/ installs.
project.addTask('test:engine', {
  description: 'Real-tool and engine tests (npm, Poetry, Go, buildah and Docker); scripts/test installs what they need',
  exec: "jest --coverage=false --runInBand --testPathIgnorePatterns=/node_modules/ --testMatch='<rootDir>/test/**/*.engine.test.ts'",
  receiveArgs: true,
});

// The README's option tables come from the jsii assembly, so they list every option with its default.
const tsNodeScript = `ts-node --transpile-only --skipProject -O '${JSON.stringify({ module: 'node16', moduleResolution: 'node16', esModuleInterop: true, target: 'es2022' })}'`;
project.postCompileTask.exec(`${tsNodeScript} projenrc/readme-options.ts`);

project.addTask('bench', {
  description: 'Benchmarks: ratios measured side by side in one run (needs what scripts/test installs)',
  exec: `${tsNodeScript} bench/run.ts`,
});
project.gitignore.exclude('/bench/results/');
// The example org package is built by the tests, not shipped in stagecraft's package.
project.npmignore?.exclude('/examples/', '/bench/', '/scripts/', '/.ci/');
// bench/ is type-checked and linted like test/.
new javascript.TypescriptConfig(project, {
  fileName: 'bench/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
  include: ['**/*.ts'],
  exclude: ['node_modules', 'results'],
  compilerOptions: { noEmit: true, rootDir: '..' },
});
project.eslint?.addLintPattern('bench');

// stagecraft supports Node 20 (the brief's floor); jsii's end-of-life banner would bury real output.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

project.synth();
