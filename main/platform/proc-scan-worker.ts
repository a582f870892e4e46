// Worker thread body for scanProcesses: scans its share of pids and posts the raw result.
import { parentPort, workerData } from 'node:worker_threads';
import { scanProcessesSync, type ProcScanRequest } from './proc-scan.js';

parentPort?.postMessage(scanProcessesSync(workerData as ProcScanRequest));
