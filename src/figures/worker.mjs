// Bootstrap of a sweep worker (piscina): the sources are TypeScript, so tsx's
// loader is registered inside the worker thread first, as bin/slr.js does.
import { register } from 'tsx/esm/api';

register();
const { computePoint } = await import('./compute.ts');

export default computePoint;
