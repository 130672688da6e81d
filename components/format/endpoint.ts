/** A socket address as written in URLs and logs: "[::1]:547" for IPv6, "192.0.2.1:67" for IPv4. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}
