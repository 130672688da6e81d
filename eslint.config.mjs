import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** Imports point one way (architecture.md, "Layers and who may import whom"). */
const layer = (files, forbidden, message) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns: [{ group: forbidden, message }] }] },
});

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ["node_modules/**", ".next/**", ".tmp/**", "server/db/generated/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  layer(["server/wire/**", "server/psid/**"], ["../*", "@/*"], "server/wire and server/psid import nothing of ours"),
  layer(["server/alloc/**"], ["../dhcp4o6*", "../udp*", "../api*", "../wire*", "@/app/*"], "server/alloc may import psid and db only"),
  layer(["server/dhcp4o6/**"], ["../db", "../db/*", "../udp*", "../api*"], "server/dhcp4o6 reaches the database only through server/alloc"),
  layer(["server/api/**"], ["../dhcp4o6*", "../udp*", "../wire*", "../../dhcp4o6*", "../../udp*", "../../wire*"], "server/api may import alloc, db and psid"),
  layer(["server/client/**"], ["../alloc*", "../db*", "../dhcp4o6*", "../udp*", "../api*", "../main*"], "server/client may import wire and psid only"),
  layer(["app/**", "components/**"], ["@/server/db*", "@/server/alloc*", "@prisma/*"], "pages reach data through server/api only"),
];

export default config;
