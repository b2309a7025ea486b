// Worker-thread bootstrap when the sources run as TypeScript (tsx, vitest): register tsx's
// loader in this thread, then run the evaluation worker. A compiled build loads evaluation-worker.js.
import { register } from 'tsx/esm/api';

register();
await import('./evaluation-worker.ts');
