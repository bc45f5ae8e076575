import type * as pulumi from "@pulumi/pulumi";
import type * as cloudflareGetZone from "@pulumi/cloudflare/getZone";

/**
 * The id of a Cloudflare zone: the configured one, or looked up by name.
 *
 * A configured id (`tenantctl:cloudflareZoneId`) saves one API call per preview and per tenant, which adds up when
 * `tenantctl drift` previews the whole fleet; the lookup keeps a fresh checkout working without extra config.
 */
export function cloudflareZoneId(
  zone: string,
  configuredZoneId: pulumi.Input<string> | undefined,
  opts: pulumi.InvokeOutputOptions,
): pulumi.Input<string> {
  if (configuredZoneId !== undefined) return configuredZoneId;
  // Loaded here, not at the top of the file, so a Route53 fleet never loads the Cloudflare SDK. The per-function
  // module skips the package index, whose ~2,000 lazy getters alone cost ~10 ms of start-up (vs ~1 ms).
  const { getZoneOutput } = require("@pulumi/cloudflare/getZone") as typeof cloudflareGetZone;
  return getZoneOutput({ filter: { name: zone } }, opts).id;
}
