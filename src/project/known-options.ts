import * as fs from 'fs';
import * as path from 'path';
import { userError } from '../validation';

const OWN_NAME = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf-8')).name;

/** jsii assemblies by module name, read once. */
const assemblies = new Map<string, any>();

function assembly(module: string): any {
  if (!assemblies.has(module)) {
    let file: string | undefined;
    try {
      file = module === OWN_NAME ? path.resolve(__dirname, '..', '..', '.jsii') : require.resolve(`${module}/.jsii`);
    } catch {
      file = undefined;
    }
    assemblies.set(module, file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')) : undefined);
  }
  return assemblies.get(module);
}

/** The jsii type of a fully qualified name: its module is the longest prefix that is a jsii package. */
function jsiiType(fqn: string): any {
  const parts = fqn.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const type = assembly(parts.slice(0, i).join('.'))?.types?.[fqn];
    if (type) {
      return type;
    }
  }
  return undefined;
}

/** Every property of a struct and the structs it extends; undefined when an assembly cannot be read. */
function structProperties(fqn: string, seen = new Set<string>()): Set<string> | undefined {
  const type = jsiiType(fqn);
  if (!type) {
    return undefined;
  }
  for (const p of type.properties ?? []) {
    seen.add(p.name);
  }
  for (const parent of type.interfaces ?? []) {
    if (!structProperties(parent, seen)) {
      return undefined;
    }
  }
  return seen;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/**
 * Refuses an option the project type does not have (a typo in a `.projenrc.js`,
 * or an option of another type), naming it and the closest known one. The
 * known options are those of the options struct of the class actually built
 * (an org's subclass has its own), read from the jsii assemblies, the same
 * source `projen new` reads. When an assembly cannot be read, nothing is checked.
 *
 * @param projectType `new.target` of the project constructor
 */
export function assertKnownOptions(projectType: Function, options: object): void {
  // jsii puts the fqn on each compiled class; a class compiled otherwise (tests) inherits its parent's.
  const rtti = Object.prototype.hasOwnProperty.call(projectType, Symbol.for('jsii.rtti')) ? (projectType as any)[Symbol.for('jsii.rtti')] : undefined;
  const fqn: string = rtti?.fqn ?? `${OWN_NAME}.${projectType.name}`;
  const optionsFqn: string | undefined = jsiiType(fqn)?.initializer?.parameters?.[0]?.type?.fqn;
  const known = optionsFqn ? structProperties(optionsFqn) : undefined;
  const owner = fqn.split('.').pop();
  if (!known) {
    return;
  }
  known.add('__new__'); // projen new's bootstrap data
  for (const key of Object.keys(options ?? {})) {
    if (!known.has(key)) {
      const closest = [...known].filter((k) => !k.startsWith('_')).sort((a, b) => distance(key, a) - distance(key, b))[0];
      const hint = closest && distance(key, closest) <= 3 ? ` Did you mean "${closest}"?` : '';
      throw userError(`${owner}: unknown option ${JSON.stringify(key)}.${hint} The options are listed in the README and in .projenrc.ts's type hints.`);
    }
  }
}
