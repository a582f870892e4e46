// Types for the layer rule (plain JS, loaded by eslint.config.js as is).
import type { ESLint, Rule } from 'eslint';

export const ALLOWED: Readonly<Record<string, readonly string[]>>;
export const KNOWN_CROSSINGS: ReadonlySet<string>;
export const layersRule: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
