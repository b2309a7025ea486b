import { expect } from 'vitest';
import { main } from '../../src/cli/main.ts';

/** Run `slr <args>` in-process, capturing stdout and stderr. */
export async function runCli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'slr', ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** Bad input: exit code 2 and exactly one line on stderr matching `message`, no stack trace. */
export function expectUsageError(r: { code: number; err: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/at .*\.ts:\d+/);
}
