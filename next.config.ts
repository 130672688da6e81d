import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The console is served by our own server (server/main/start.ts); Next only builds and renders.
  typedRoutes: false,
};

export default config;
