import * as fc from 'fast-check';

/**
 * Strings built from what Docker, TOML, shells, JSON and the stubs' languages
 * (Python, TypeScript, Go, HTML, Markdown) treat specially, mixed with arbitrary text.
 */
export const hostile = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('\n', '\r\n', '\r', '"', "'", '\\', '\\\n', '$', '${HOME}', '$(id)', '`id`', '<<EOF', '<<1', '<< ', '#', ' ', '=', ';', '&&', '|', '[', ']', '{', '}', '\t', '\u2028', '\u0000', 'a', 'Z', '9', '-', '.', '/', ':', '@', 'é', '🐳', '"""', "'''", '\\N', '*/', '<script>', '&amp;', '_', '*', '+', '(', ')', '!', '~') },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));
