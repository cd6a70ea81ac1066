import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const backend = process.env.RUBICON_BACKEND ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The world map (Natural Earth 1:50m) is its own chunk, loaded by the map only.
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
});
