import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * Directory of an installed package, found on Node's module search path (not
 * through its `exports`, which may hide package.json), or undefined.
 */
export function packageDir(name: string): string | undefined {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

function versionOf(pkgJson: string): string {
  try {
    return String((JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** Version of an installed package, 'not installed' when absent. */
export function packageVersion(name: string): string {
  const dir = packageDir(name);
  return dir ? versionOf(join(dir, 'package.json')) : 'not installed';
}

/** This tool's own version (from its package.json, two levels above src/figures). */
export function toolVersion(): string {
  return versionOf(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'));
}

/** Versions that determine a figure or report: the tool, Node, and the packages that compute and draw it. */
export function toolVersions(extra: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = { 'slr-verifier': toolVersion(), node: process.version };
  for (const p of ['@observablehq/plot', 'linkedom', '@resvg/resvg-js', 'piscina', ...extra]) out[p] = packageVersion(p);
  return out;
}
