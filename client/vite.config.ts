import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './scripts/precompress.ts';
import { preloadBoot } from './scripts/preload-boot.ts';

const backend = process.env.RUBICON_BACKEND ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react(), precompress(), preloadBoot()],
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
