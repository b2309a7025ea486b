import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

/** Every `npx slr …` line in the README's example block is run and must exit 0 with output. */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = readme
  .split('\n')
  .filter((l) => l.startsWith('npx slr '))
  .map((l) => l.replace(/#.*$/, '').trim());

describe('README examples', () => {
  it('should list examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });
  it.each(examples)('should run `%s`', async (line) => {
    let out = '';
    let err = '';
    const code = await main(['node', 'slr', ...line.split(/\s+/).slice(2)], { out: (s) => (out += s), err: (s) => (err += s) });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/risk/);
  });
});
