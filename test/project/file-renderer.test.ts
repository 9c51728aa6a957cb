import { resolve as projenResolve } from 'projen/lib/_resolve';
import { TokenResolver } from '../../src/project/file-renderer';

// The drift check renders files with TokenResolver; a file it renders differently from projen's
// own resolver would be reported as drift, or drift would go unseen.
describe('TokenResolver', () => {
  const resolver = new TokenResolver();
  const lazy = { toJSON: () => ({ a: () => [1, undefined, null, new Set(['x'])], b: undefined }) };
  const cases: Array<[string, any, any]> = [
    ['plain data', { a: 1, b: 'two', c: [true, false], d: { e: null } }, {}],
    ['functions and toJSON, nested', { f: () => ({ g: () => 'deep' }), lazy }, {}],
    ['context arguments', { f: (x: number, y: number) => x + y }, { args: [2, 3] }],
    ['empty values kept', { a: [], b: {}, c: { d: [] } }, {}],
    ['empty values omitted', { a: [], b: {}, c: { d: [] }, e: 'kept' }, { omitEmpty: true }],
    ['Sets, Maps, boxed primitives and RegExps', { s: new Set([1, 2]), m: new Map([['k', 'v']]), n: Object(3), r: /a+b/ }, {}],
    ['undefined and null array items dropped', [1, undefined, null, 2], {}],
  ];
  test.each(cases)('%s: as projen resolves', (_name, value, options) => {
    expect(resolver.resolve(value, options)).toStrictEqual(projenResolve(value, options));
  });

  test('refuses what projen refuses', () => {
    class NotData {}
    expect(() => resolver.resolve({ x: new NotData() })).toThrow(/only data types can be resolved.*NotData/);
    expect(() => projenResolve({ x: new NotData() })).toThrow(/only data types can be resolved.*NotData/);
    expect(() => resolver.resolve(/a/g)).toThrow(/RegExp with flags/);
  });
});
