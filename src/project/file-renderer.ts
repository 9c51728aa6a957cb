import { types } from 'util';
import { FileBase, IResolvable, IResolver, ResolveOptions } from 'projen/lib/file';

/**
 * projen's token resolution, to the letter of its public contract (`IResolver`, `IResolvable`,
 * `ResolveOptions`): projen has no public way to render a file without writing it, and its own
 * resolver is an internal module (`projen/lib/_resolve`) that may move in any release.
 */
export class TokenResolver implements IResolver {
  public resolve(value: any, options: ResolveOptions = {}): any {
    if (value === null || value === undefined) {
      return value;
    }
    if ((value as IResolvable).toJSON !== undefined) {
      return this.resolve((value as IResolvable).toJSON(), options);
    }
    if (types.isRegExp(value)) {
      if (value.flags) {
        throw new Error('RegExp with flags should be explicitly converted to a string');
      }
      return value.source;
    }
    if (types.isSet(value)) {
      return this.resolve(Array.from(value), options);
    }
    if (types.isMap(value)) {
      return this.resolve(Object.fromEntries(value), options);
    }
    if (types.isBoxedPrimitive(value)) {
      return this.resolve(value.valueOf(), options);
    }
    if (typeof value === 'function') {
      return this.resolve(value.apply(undefined, options.args ?? []), options);
    }
    if (typeof value !== 'object') {
      return value;
    }
    if (Array.isArray(value)) {
      if (options.omitEmpty && value.length === 0) {
        return undefined;
      }
      return value.map((item) => this.resolve(item, options)).filter((item) => item !== null && item !== undefined);
    }
    if (value.constructor && value.constructor.name !== 'Object') {
      throw new Error(`only data types can be resolved. trying to resolve object of type ${value.constructor.name}`);
    }
    const result: Record<string, any> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.resolve(item, options);
      if (resolved !== undefined) {
        result[key] = resolved;
      }
    }
    return options.omitEmpty && Object.keys(result).length === 0 ? undefined : result;
  }
}

/** It holds no state: one serves every file. */
const RESOLVER = new TokenResolver();

/** A file's content as its synthesis would write it (undefined: it would be deleted), without writing it. */
export function renderFile(file: FileBase): string | undefined {
  return (file as unknown as { synthesizeContent(resolver: IResolver): string | undefined }).synthesizeContent(RESOLVER);
}
