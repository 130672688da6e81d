// The console's sections, in nav order: one place for each title, path and one-line purpose,
// used by the nav, the page headers and the loading placeholders.

export const SECTIONS = {
  dashboard: { href: "/", title: "Dashboard", description: "Pools, leases and the 4o6 worker of this server, refreshed every few seconds." },
  pools: { href: "/pools", title: "Pools", description: "Ranges of IPv4 addresses handed out whole (dedicated) or shared by port set (PSID)." },
  leases: { href: "/leases", title: "Leases", description: "Every binding of an address (and port set) to a client, newest first." },
  audit: { href: "/audit", title: "Audit", description: "Every operator action, who did it and what it changed, newest first." },
  operators: { href: "/operators", title: "Operators", description: "Console accounts: admins change things, viewers look." },
} as const;

export type Section = (typeof SECTIONS)[keyof typeof SECTIONS];

export const NAV_ITEMS = Object.values(SECTIONS).map((section) => ({ href: section.href, label: section.title }));
