import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The console is served by our own server (server/main/start.ts); Next only builds and renders.
  typedRoutes: false,
  // `next build` type-checks what the web app is made of (app/, components/ and the server code
  // they import), not every test and script in the repository: `npm start` builds on demand,
  // and a type error in a unit test must not stop the console from starting. `npm run
  // typecheck` still checks everything.
  typescript: { tsconfigPath: "tsconfig.next.json" },
};

export default config;
