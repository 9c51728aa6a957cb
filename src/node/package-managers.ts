import * as javascript from 'projen/lib/javascript';
import { invalidOption } from '../validation';

/** How a Docker build installs dependencies with one package manager. */
export interface PackageManagerCommands {
  /** Commands before installing (e.g. enabling corepack). */
  readonly setup: string[];
  /** Every dependency, exactly as locked. */
  readonly install: string;
  /** Production dependencies only, exactly as locked. */
  readonly installProduction: string;
  /**
   * Removes packages from the lock file (and package.json) without installing anything, so that
   * the install after it leaves them out; undefined when the package manager cannot.
   */
  readonly omit?: (names: string[]) => string;
  /** The package manager's download cache, for a cache mount. */
  readonly cache: string;
  /** Environment for the install stages: no update notices, audits or funding calls in a build. */
  readonly env: { [name: string]: string };
}

const NPM_QUIET = { NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_AUDIT: 'false', NPM_CONFIG_FUND: 'false' };

const COMMANDS: Partial<Record<javascript.NodePackageManager, PackageManagerCommands>> = {
  [javascript.NodePackageManager.NPM]: {
    setup: [],
    install: 'npm ci',
    installProduction: 'npm ci --omit=dev',
    omit: (names) => `npm uninstall --package-lock-only --ignore-scripts ${names.join(' ')}`,
    cache: '/root/.npm',
    env: NPM_QUIET,
  },
  [javascript.NodePackageManager.YARN_CLASSIC]: {
    setup: [],
    install: 'yarn install --frozen-lockfile',
    installProduction: 'yarn install --frozen-lockfile --production',
    cache: '/usr/local/share/.cache/yarn',
    env: NPM_QUIET,
  },
  [javascript.NodePackageManager.YARN_BERRY]: {
    setup: ['corepack enable'],
    install: 'yarn install --immutable',
    installProduction: 'yarn workspaces focus --all --production',
    cache: '/root/.yarn/berry/cache',
    env: { ...NPM_QUIET, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
  },
  [javascript.NodePackageManager.PNPM]: {
    setup: ['corepack enable'],
    install: 'pnpm install --frozen-lockfile',
    installProduction: 'pnpm install --frozen-lockfile --prod',
    cache: '/root/.local/share/pnpm/store',
    env: { ...NPM_QUIET, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
  },
};

/** The commands for the project's package manager; refuses one a Docker build cannot drive. */
export function packageManagerCommands(owner: string, manager: javascript.NodePackageManager): PackageManagerCommands {
  // projen's YARN is YARN_CLASSIC, YARN2 is YARN_BERRY.
  const normalized = manager === javascript.NodePackageManager.YARN ? javascript.NodePackageManager.YARN_CLASSIC
    : manager === javascript.NodePackageManager.YARN2 ? javascript.NodePackageManager.YARN_BERRY : manager;
  const commands = COMMANDS[normalized];
  if (!commands) {
    throw invalidOption(owner, 'packageManager', manager, `Expected one of ${Object.keys(COMMANDS).join(', ')}: the official Node image cannot run ${manager} without a custom base.`);
  }
  return commands;
}

/**
 * What projen's `$(npx -c "node --print process.env.PATH")` gives every task of an npm project for
 * its commands (the project's node_modules/.bin, then PATH), computed by node alone: npm's own start
 * made that one evaluation about 1.6 s of each `npx projen` in a generated node-app. The app's own
 * node_modules is the only one: its tools are never hoisted to a parent folder.
 */
const NODE_BIN_PATH = '$(node -p "require(\'path\').resolve(\'node_modules/.bin\') + require(\'path\').delimiter + process.env.PATH")';

/** Gives an npm project's tasks the PATH projen gives them, without starting npm for it. */
export function fastTaskPath(project: javascript.NodeProject): void {
  if (project.package.packageManager === javascript.NodePackageManager.NPM) {
    project.tasks.addEnvironment('PATH', NODE_BIN_PATH);
  }
}
