/**
 * The hostname a request asks for, as the registry stores it: lower case, no port, no trailing dot. A browser sends
 * `Acme.App.Example.com:8080`, a resolver may keep the root's dot; `tenantctl.tenant_domains.hostname` holds neither.
 */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  let host = hostHeader.trim().toLowerCase();
  // An IPv6 literal keeps its colons inside brackets; no tenant lives there, but its port must not be mistaken.
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1) || undefined;
  const colon = host.lastIndexOf(":");
  if (colon >= 0) host = host.slice(0, colon);
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host.length > 0 ? host : undefined;
}
