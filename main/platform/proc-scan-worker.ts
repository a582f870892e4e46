// The worker thread of shared /proc scans (proc-scan.ts, startScanWorker): for each order, claims
// chunks of pids alongside the thread that sent it, then answers with what it found. Between
// orders it waits on its port, without timers, for as long as the thread that started it wants.

import { parentPort } from 'node:worker_threads';
import { scanClaimedChunks, type ScanAnswer, type ScanOrder } from './proc-scan.js';

parentPort?.on('message', (order: ScanOrder) => {
  parentPort?.postMessage({
    id: order.id,
    raws: scanClaimedChunks(order.data, true),
  } satisfies ScanAnswer);
});
