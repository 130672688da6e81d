import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "./_trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Portshare", template: "%s · Portshare" },
  description: "Operator console of the Portshare DHCPv4-over-DHCPv6 server",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
