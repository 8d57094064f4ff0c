import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * The dashboard is built into ui/dist and served by the API at `/` (src/api/routes/dashboard.ts).
 * In development, `vite --config ui/vite.config.ts` proxies /api to a running `devsync serve`.
 */
export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    assetsDir: "assets",
  },
  server: {
    proxy: { "/api": process.env.DEVSYNC_API_URL ?? "http://localhost:8080" },
  },
});
