// Types of scripts/prune-dist.mjs for the TypeScript callers (the Vitest global setup, tests).
export function staleOutputs(root?: string): string[];
export function pruneDist(root?: string): string[];
