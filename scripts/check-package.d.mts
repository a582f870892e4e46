// Types of scripts/check-package.mjs for the TypeScript tests that import it.
export function checkPackage(
  unpackedDir: string,
  options?: { rendererRequired?: boolean; scannerRequired?: boolean },
): Promise<{ problems: string[]; files: number }>;
