import { defineConfig } from 'vite';
import { preactAliases } from './preact-aliases.ts';
import { precompress } from './scripts/precompress.ts';
import { preloadBoot } from './scripts/preload-boot.ts';

const backend = process.env.RUBICON_BACKEND ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [precompress(), preloadBoot()],
  // JSX compiles to `react/jsx-runtime` as tsconfig says, which the aliases turn into Preact's.
  resolve: { alias: preactAliases },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
});
