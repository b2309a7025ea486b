import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

/**
 * Every `npx slr …` line of the README's shell blocks is run (unless it says
 * `# not run by the test`: the full figure set, Figure 3, the report, a long
 * ERM sweep — each has its own test) and must exit 0, print nothing on stderr
 * but progress, and print what its command is for.
 */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
const lines = blocks.flatMap((b) => b.split('\n')).filter((l) => l.startsWith('npx slr '));
const examples = lines.filter((l) => !l.includes('# not run by the test')).map((l) => l.replace(/#.*$/, '').trim());

/** what each command's output must show */
const expected: Record<string, RegExp> = {
  risk: /risk/,
  verify: /(CONFIRMED|REFUTED)[\s\S]*as expected/,
  inspect: /Statement|\\begin|\\text|\\mathsf/,
  list: /cor-4\.3-spiked[\s\S]*expect REFUTED/,
  figure: /rates\.\{svg,png,csv,command\.txt\}/,
  erm: /test risk[\s\S]*softmax[\s\S]*linear/,
};

const out = mkdtempSync(join(tmpdir(), 'slr-readme-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('README examples', () => {
  it('should list examples of every command', () => {
    const commands = new Set(examples.map((l) => l.split(/\s+/)[2]));
    for (const c of Object.keys(expected)) expect(commands, c).toContain(c);
  });
  it('should mark the long examples it skips and run every other one', () => {
    expect(lines.length - examples.length).toBeLessThanOrEqual(5);
  });
  it.each(examples)('should run `%s`', { timeout: 120_000 }, async (line) => {
    let stdout = '';
    let stderr = '';
    const args = line
      .split(/\s+/)
      .slice(2)
      .map((a, i, all) => (all[i - 1] === '--out' ? join(out, a) : a));
    const code = await main(['node', 'slr', ...args, ...(args[0] === 'figure' || args[0] === 'verify' ? ['--no-progress'] : [])], {
      out: (s) => (stdout += s),
      err: (s) => (stderr += s),
    });
    expect(code, stderr).toBe(0);
    expect(stderr.replace(/^.*(progress|\d+\/\d+|█|░).*$/gm, '').trim()).toBe('');
    expect(stdout).toMatch(expected[args[0]]);
  });
});
