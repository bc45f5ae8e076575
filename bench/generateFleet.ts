/** Generates a fleet of N tenants from the example files, each with its own slug and hostnames. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const EXAMPLES = ["acme", "globex", "initech"] as const;

export function generateFleet(targetDir: string, count: number, sourceDir = "tenants"): string {
  const tenantsDir = join(targetDir, "tenants");
  mkdirSync(tenantsDir, { recursive: true });
  // The example server's maxConnections is sized for three tenants; a generated fleet needs a bigger server.
  const template = readFileSync(join(sourceDir, "_control-plane.yaml"), "utf8").replace(
    /maxConnections: \d+/,
    "maxConnections: 10000000",
  );
  writeFileSync(join(tenantsDir, "_control-plane.yaml"), template);
  const sources = EXAMPLES.map((slug) => ({ slug, text: readFileSync(join(sourceDir, `${slug}.yaml`), "utf8") }));
  for (let i = 0; i < count; i++) {
    const { slug, text } = sources[i % sources.length]!;
    const newSlug = `t${String(i).padStart(5, "0")}-${slug}`;
    const body = text
      .replace(new RegExp(`^slug: ${slug}$`, "m"), `slug: ${newSlug}`)
      .replace(/^(\s+subdomain:) .*$/m, `$1 ${newSlug}`)
      .replace(
        /hostname: ([a-z]+)\.([a-z-]+)\.([a-z]+)/g,
        (_m, host: string, domain: string, tld: string) => `hostname: ${host}.${newSlug}-${domain}.${tld}`,
      );
    writeFileSync(join(tenantsDir, `${newSlug}.yaml`), body);
  }
  return tenantsDir;
}

if (require.main === module) {
  const [dir = "bench/out/fleet", count = "1000"] = process.argv.slice(2);
  process.stdout.write(`${generateFleet(dir, Number(count))}\n`);
}
