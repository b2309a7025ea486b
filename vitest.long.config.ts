import { defineConfig } from 'vitest/config';

// Long checks (large Monte Carlo grids, wide accuracy sweeps): `npm run test:long`.
export default defineConfig({
  test: {
    include: ['test/**/*.long.test.ts'],
    testTimeout: 1_800_000,
    pool: 'forks',
  },
});
