import * as fs from 'fs';
import * as path from 'path';

/** stagecraft's own package.json: the one source of the versions a generated project's tools get. */
export const OWN_MANIFEST = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf-8'));

/** stagecraft's npm name: the package a generated project's devDependencies list and its runner preloads. */
export const OWN_PACKAGE_NAME: string = OWN_MANIFEST.name;

/** The range of one of stagecraft's devDependencies: a generated project gets the tool at the range stagecraft is tested with. */
export function testedRange(name: string): string {
  const range = (OWN_MANIFEST.devDependencies ?? {})[name];
  if (typeof range !== 'string') {
    throw new Error(`stagecraft's package.json has no devDependency ${name}: .projenrc.ts must list it.`);
  }
  return range;
}
