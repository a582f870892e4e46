// Svelte compiler options for the renderer (read by vite-plugin-svelte and svelte-check):
// runes everywhere, no legacy component syntax.
export default {
  compilerOptions: { runes: true },
};
