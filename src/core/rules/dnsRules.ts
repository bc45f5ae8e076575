/**
 * Rules about the records DNS will be given, for every DNS provider: what a real DNS server would refuse, or could
 * never resolve. Tenant hostnames are CNAMEs to `platform.ingressHostname`, and customers point their custom domains
 * at the tenant's hostname, so a name in that chain equal to the ingress closes a loop. (Names outside the zone are
 * baseDomainInsideDnsZone's; a custom domain under the platform domain is customHostnamesOutsideOthers'; label and
 * name lengths and characters are the schema's, hostnameProblem.)
 */
import type { Finding } from "../diagnostics";
import type { Rule } from "./context";

/** `<subdomain>.<baseDomain>` equal to the ingress: its CNAME would point at itself. */
export const tenantHostnameIsNotTheIngress: Rule = ({ tenants, controlPlane }) =>
  tenants.flatMap(({ file, spec, tenant }): Finding[] =>
    tenant?.domains.hostname !== controlPlane.ingressHostname
      ? []
      : [
          {
            file,
            path: spec.domains?.subdomain !== undefined ? ["domains", "subdomain"] : ["slug"],
            rule: "tenantHostnameIsNotTheIngress",
            message: `the tenant hostname \`${tenant.domains.hostname}\` is \`platform.ingressHostname\` itself: its CNAME to the ingress would point at itself`,
            fix: `choose another \`domains.subdomain\`: \`${tenant.domains.subdomain}\` is the ingress's name`,
          },
        ],
  );

/** A custom domain equal to the ingress: custom → tenant hostname → ingress = custom, a CNAME loop. */
export const customHostnameIsNotTheIngress: Rule = ({ tenants, controlPlane }) =>
  tenants.flatMap(({ file, tenant }) =>
    (tenant?.domains.custom ?? []).flatMap(({ hostname }, index): Finding[] =>
      hostname !== controlPlane.ingressHostname
        ? []
        : [
            {
              file,
              path: ["domains", "custom", index, "hostname"],
              rule: "customHostnameIsNotTheIngress",
              message: `custom hostname \`${hostname}\` is \`platform.ingressHostname\`: it would point at \`${tenant!.domains.hostname}\`, which points back at it (a CNAME loop)`,
              fix: "a custom hostname is a name the customer owns: remove this one",
            },
          ],
    ),
  );

/**
 * `dns.provider: powerdns` needs to know where PowerDNS's API is; its key stays out of the files. (In a template with
 * schema errors, a `dns.powerdns` that has one was cut away and is reported already.)
 */
export const powerdnsApiNamed: Rule = ({ controlPlane, templatePartial }) =>
  controlPlane.dns.provider !== "powerdns" || controlPlane.dns.powerdns || templatePartial
    ? []
    : [
        {
          file: controlPlane.file,
          path: ["dns", "provider"],
          rule: "powerdnsApiNamed",
          message: "`dns.provider` is powerdns, but the template does not say where its HTTP API is",
          fix: "add `powerdns: { apiUrl: http://pdns.internal.example.com:8081 }` under `dns` (the API key goes in `tenantctl:powerdns.apiKey` or TENANTCTL_POWERDNS_API_KEY, never in the files)",
        },
      ];
