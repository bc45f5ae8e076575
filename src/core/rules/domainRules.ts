/** Rules about the names DNS and the certificate providers will be given: each limit is in src/core/limits.ts, with its source. */
import { CERTIFICATE_COMMON_NAME_MAX_LENGTH, DNS_NAME_MAX_LENGTH } from "../limits";
import type { Finding } from "../diagnostics";
import type { Rule } from "./context";

function isInside(hostname: string, zone: string): boolean {
  return hostname === zone || hostname.endsWith(`.${zone}`);
}

/**
 * Tenant hostnames (`<subdomain>.<baseDomain>`) are written into `dns.zone`: Cloudflare and Route 53 refuse a record
 * whose name lies outside the zone it is written to.
 */
export const baseDomainInsideDnsZone: Rule = ({ controlPlane }) =>
  isInside(controlPlane.baseDomain, controlPlane.dns.zone)
    ? []
    : [
        {
          file: controlPlane.file,
          path: ["platform", "baseDomain"],
          rule: "baseDomainInsideDnsZone",
          message: `tenant hostnames \`<subdomain>.${controlPlane.baseDomain}\` are written to the zone \`${controlPlane.dns.zone}\`, which does not contain them`,
          fix: `set \`platform.baseDomain\` to \`${controlPlane.dns.zone}\` or a name under it, or \`dns.zone\` to the zone that holds \`${controlPlane.baseDomain}\``,
        },
      ];

/** `<subdomain>.<baseDomain>` must be a name DNS can hold. */
export const tenantHostnameFitsDns: Rule = ({ tenants }) =>
  tenants.flatMap(({ file, spec, tenant }): Finding[] => {
    if (!tenant || tenant.domains.hostname.length <= DNS_NAME_MAX_LENGTH) return [];
    return [
      {
        file,
        path: spec.domains?.subdomain !== undefined ? ["domains", "subdomain"] : ["slug"],
        rule: "tenantHostnameFitsDns",
        message: `the tenant hostname \`${tenant.domains.hostname}\` has ${tenant.domains.hostname.length} characters; DNS names have at most ${DNS_NAME_MAX_LENGTH}`,
        fix: "choose a shorter `domains.subdomain`",
      },
    ];
  });

/** A custom hostname becomes a certificate's Common Name, with ACM and with Cloudflare for SaaS alike. */
export const customHostnamesFitCertificates: Rule = ({ tenants, controlPlane }) =>
  tenants.flatMap(({ file, tenant }) =>
    (tenant?.domains.custom ?? []).flatMap(({ hostname }, index): Finding[] =>
      hostname.length <= CERTIFICATE_COMMON_NAME_MAX_LENGTH
        ? []
        : [
            {
              file,
              path: ["domains", "custom", index, "hostname"],
              rule: "customHostnamesFitCertificates",
              message: `custom hostname \`${hostname}\` has ${hostname.length} characters; a certificate's name (${controlPlane.tls.provider === "acm" ? "ACM" : "Cloudflare for SaaS"}) has at most ${CERTIFICATE_COMMON_NAME_MAX_LENGTH}`,
              fix: "use a shorter hostname the customer owns",
            },
          ],
    ),
  );

/** Cloudflare for SaaS refuses a custom hostname equal to the SaaS zone itself ("Zone name restriction"). */
export const customHostnameIsNotTheZone: Rule = ({ tenants, controlPlane }) =>
  controlPlane.tls.provider !== "cloudflare"
    ? []
    : tenants.flatMap(({ file, tenant }) =>
        (tenant?.domains.custom ?? []).flatMap(({ hostname }, index): Finding[] =>
          hostname !== controlPlane.dns.zone
            ? []
            : [
                {
                  file,
                  path: ["domains", "custom", index, "hostname"],
                  rule: "customHostnameIsNotTheZone",
                  message: `custom hostname \`${hostname}\` is the Cloudflare for SaaS zone itself`,
                  fix: "a custom hostname is the customer's own name: remove it, or use a name the customer owns",
                },
              ],
        ),
      );
