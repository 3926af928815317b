import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/**
 * In dev, the agent runs beside vite and its WebSocket and API are proxied to the page's origin.
 * The agent only talks to its own origin and wants its token: the proxy says it comes from the
 * agent's origin and, when the agent was started with NETNS_LAB_TOKEN, carries that token (the
 * browser's cookie belongs to the agent's port, not vite's).
 */
const agent = `http://127.0.0.1:${process.env.NETNS_LAB_AGENT_PORT ?? 7878}`;
const token = process.env.NETNS_LAB_TOKEN;
const toAgent: ProxyOptions = {
  target: agent,
  changeOrigin: true,
  headers: { origin: agent, ...(token ? { authorization: `Bearer ${token}` } : {}) },
};

export default defineConfig({
  plugins: [react()],
  // Relative asset paths: the agent may serve the app under any path.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/ws': { ...toAgent, ws: true },
      '/api': toAgent,
    },
  },
});
