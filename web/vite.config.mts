// Vite builds the web app into web/dist, which the API serves at / (same origin). `npm run dev:web`
// runs Vite's dev server instead, proxying /api to the API on API_PORT (default 3000).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const webRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(webRoot);

/**
 * Lists the project files the bundle was made from (dist/.build-inputs.json), so that bootstrap
 * rebuilds when one of them changes, the API's schemas included (scripts/webApp.mjs).
 */
function recordBuildInputs(): Plugin {
  return {
    name: 'record-build-inputs',
    apply: 'build',
    generateBundle() {
      const files = [...this.getModuleIds()]
        .map((id) => id.split('?')[0] ?? id)
        .filter((id) => path.isAbsolute(id) && id.startsWith(repoRoot + path.sep) && !id.includes('node_modules'))
        .map((id) => path.relative(repoRoot, id))
        .sort();
      this.emitFile({ type: 'asset', fileName: '.build-inputs.json', source: `${JSON.stringify(files, null, 2)}\n` });
    },
  };
}

export default defineConfig({
  root: webRoot,
  plugins: [react(), recordBuildInputs()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    // The app imports the API's schemas from ../src.
    fs: { allow: [repoRoot] },
    proxy: { '/api': `http://127.0.0.1:${process.env.API_PORT ?? '3000'}` },
  },
});
