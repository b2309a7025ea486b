// A verification worker thread: runs claims of a claims module by id and posts
// their records back. The sources are TypeScript, so tsx's loader is registered
// first (as bin/slr.js and the figure workers do).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runClaim } = await import('./runner.ts');
const { claims } = await import(workerData.claimsModule);
const byId = new Map(claims.map((c) => [c.id, c]));

parentPort.on('message', async (msg) => {
  if (msg.type !== 'run') return;
  const claim = byId.get(msg.id);
  try {
    if (!claim) throw new Error(`claim ${msg.id} is not in ${workerData.claimsModule}`);
    const record = await runClaim(claim, msg.opts, (what) => parentPort.postMessage({ type: 'tick', what }));
    parentPort.postMessage({ type: 'done', id: msg.id, record });
  } catch (e) {
    parentPort.postMessage({ type: 'failed', id: msg.id, message: e instanceof Error ? e.message : String(e) });
  }
});
parentPort.postMessage({ type: 'ready' });
