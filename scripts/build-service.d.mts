// Types of scripts/build-service.mjs for the TypeScript tests that import it.
export const SERVICE_BUNDLE: string;
/** Builds the session service's bundle into `out` (default SERVICE_BUNDLE); resolves with its path. */
export function buildService(out?: string): Promise<string>;
/** The scan worker's file, written beside the bundle. */
export const WORKER_FILE: string;
