import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportFigure } from '../../src/report/figures.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { makeSmallFigure } from '../figures/small-figure.ts';
import { loadFixture, texStrings } from './fixture.ts';

/**
 * The report in a real browser: Debian's chromium driven by playwright-core
 * loads the page from disk (file://) with background networking off, and we
 * look at what a reader sees. Without chromium the test is skipped with a
 * message on a developer machine, and fails in CI (`.ci/run` installs it).
 */
const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
if (!present && !inCi) console.warn(`[browser.test.ts] SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium); in CI this is a failure`);

/** the screenshot is kept (out/ is git-ignored) so that a developer can look at the page as the test saw it */
const SCREENSHOT = fileURLToPath(new URL('../../out/test-report/report.png', import.meta.url));

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!present && !inCi)('the report in chromium', () => {
  const root = mkdtempSync(join(tmpdir(), 'slr-browser-'));
  const site = join(root, 'site');
  const fixture = loadFixture();
  let context: BrowserContext;
  const consoleErrors: string[] = [];
  const remoteRequests: string[] = [];
  let page: Awaited<ReturnType<BrowserContext['newPage']>>;

  beforeAll(async () => {
    expect(present, `${CHROMIUM} is missing; .ci/run installs it with apt-get`).toBe(true);
    const figures = join(site, 'figures');
    await makeSmallFigure(figures);
    renderReport(fixture, [loadReportFigure(figures, 'rates', site)], site);
    context = await chromium.launchPersistentContext(join(root, 'user-data'), { executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) remoteRequests.push(r.url());
    });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(join(site, 'index.html')).href, { waitUntil: 'load' });
    // evaluated in the page (as text: the tests are compiled without the DOM library)
    await page.evaluate('document.fonts.ready.then(() => true)');
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('should render every claim', async () => {
    const ids = await page.$$eval('article.claim', (els) => els.map((e) => e.getAttribute('data-claim-id')));
    expect(ids).toEqual(fixture.claims.map((c) => c.id));
    for (const c of fixture.claims) await expect(page.locator(`article[data-claim-id="${c.id}"]`).isVisible()).resolves.toBe(true);
  });

  it('should render every figure as a visible SVG of real size', async () => {
    const boxes = await page.$$eval('figure.slr-figure > .svg-wrap > svg', (els) => els.map((e) => e.getBoundingClientRect()).map((b) => [b.width, b.height]));
    expect(boxes).toHaveLength(1);
    for (const [w, h] of boxes) {
      expect(w).toBeGreaterThan(600);
      expect(h).toBeGreaterThan(300);
    }
  });

  it('should typeset every formula with no KaTeX error element, in KaTeX fonts loaded from the page itself', async () => {
    expect(await page.locator('.katex-error').count()).toBe(0);
    expect(await page.locator('.katex').count()).toBe(texStrings(fixture).length);
    const loaded = (await page.evaluate("[...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family)")) as string[];
    expect(loaded).toEqual(expect.arrayContaining(['KaTeX_Main', 'KaTeX_Math']));
  });

  it('should log no console error and request nothing from the network', () => {
    expect(consoleErrors).toEqual([]);
    expect(remoteRequests).toEqual([]);
  });

  it('should save a screenshot of the whole page', async () => {
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.info(`[browser.test.ts] screenshot: ${SCREENSHOT}`);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
  });
});
