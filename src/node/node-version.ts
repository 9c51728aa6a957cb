import { invalidOption, userError } from '../validation';

const OWNER = 'NodeApp';
/** Node majors stagecraft writes images for (even releases are the LTS lines). */
const SUPPORTED_NODE = ['20', '22', '24', '26'];

/** The Node major for the images, consistent with package.json's engines range. */
export function resolveNodeVersion(option: string | undefined, min: string | undefined, max: string | undefined): string {
  const minMajor = min ? Number(min.split('.')[0]) : undefined;
  const version = option ?? (minMajor !== undefined ? String(minMajor) : '24');
  if (!SUPPORTED_NODE.includes(version)) {
    throw invalidOption(OWNER, 'nodeVersion', version, `Expected a Node.js major: one of ${SUPPORTED_NODE.join(', ')}.`);
  }
  if (minMajor !== undefined && Number(version) < minMajor) {
    throw userError(`${OWNER}: nodeVersion "${version}" contradicts minNodeVersion "${min}" (package.json engines): the image's Node would not satisfy it. Raise nodeVersion or lower minNodeVersion.`);
  }
  if (max !== undefined && Number(version) > Number(max.split('.')[0])) {
    throw userError(`${OWNER}: nodeVersion "${version}" contradicts maxNodeVersion "${max}" (package.json engines).`);
  }
  return version;
}
