export const SYSTEM_TESTS: string[];
export const SYSTEM_MARKERS: RegExp;
