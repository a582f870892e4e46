// The worker thread of a shared /proc scan (proc-scan.ts, sharedScan): claims chunks of pids
// alongside the thread that started it, then posts what it found and ends.

import { parentPort, workerData } from 'node:worker_threads';
import { scanClaimedChunks, type SharedScanData } from './proc-scan.js';

parentPort?.postMessage(scanClaimedChunks(workerData as SharedScanData, true));
