// Worker-thread bootstrap when the sources run as TypeScript (bin/slr.js, tsx, vitest):
// register tsx's loader in this thread, as bin/slr.js does for the main thread, then
// hand piscina the real worker. A compiled build (dist/) loads worker.js directly.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./worker.ts');
export default worker.default;
