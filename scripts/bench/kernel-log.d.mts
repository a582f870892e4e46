// Types for kernel-log.mjs, which the equivalence test imports from TypeScript.
export function generateKernelLog(options: {
  lines: number;
  eventShare?: number;
  seed?: number;
  events: readonly string[];
}): string;
