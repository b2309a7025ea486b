/**
 * Worker-thread entry of the ERM sweep (piscina). Runs one point per task and
 * returns it, or the error as plain data (error classes do not survive the
 * thread boundary; the sweep rebuilds the typed error). `workerData.setup`,
 * when set, is a module URL imported once before any task: the place to
 * register user-defined activations or tasks, which live per thread.
 */
import { workerData } from 'node:worker_threads';
import { SlrError } from '../errors.ts';
import { type ErmPoint, type ErmPointSpec, runErmPoint } from './point.ts';

export type WorkerReply = { ok: true; point: ErmPoint } | { ok: false; name: string; message: string; typed: boolean };

const setup: unknown = (workerData as { setup?: unknown } | undefined)?.setup;
if (typeof setup === 'string' && setup !== '') await import(setup);

export default function run(spec: ErmPointSpec): WorkerReply {
  try {
    return { ok: true, point: runErmPoint(spec) };
  } catch (e) {
    const typed = e instanceof SlrError;
    return { ok: false, name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e), typed };
  }
}
