/**
 * A failed stack's engine error as one message a person can act on: the cause in words, the one line that shows it,
 * and the fix. No CLI command line, no event-log plumbing. What is not recognised keeps the engine's own diagnostics,
 * without the noise around them.
 */

interface KnownCause {
  readonly pattern: RegExp;
  readonly explain: (match: RegExpExecArray, slug?: string) => { readonly cause: string; readonly fix: string };
}

const KNOWN_CAUSES: readonly KnownCause[] = [
  {
    pattern:
      /the stack is currently locked by \d+ lock\(s\)[^\n]*(?:\n\s*(\S+): created by ([^@\s]+)@(\S+) \(pid (\d+)\) at (\S+))?/,
    explain: (m, slug) => ({
      cause: m[2]
        ? `the stack is locked by another run: ${m[2]}@${m[3]}, pid ${m[4]}, since ${m[5]}`
        : "the stack is locked by another run",
      fix: `wait for that run to end (\`--lock-timeout\` waits longer); if it is gone, \`tenantctl unlock ${slug ?? "<slug>"}\`${m[1] ? ` (the lock: ${m[1].replace(/\?.*$/, "")})` : ""}`,
    }),
  },
  {
    pattern: /password authentication failed for user "([^"]+)"/,
    explain: (m) => ({
      cause: `the database server refused the admin login of "${m[1]}"`,
      fix: "check the password in `tenantctl:databaseServers.<server>.password`, TENANTCTL_DATABASE_SERVERS or PGPASSWORD",
    }),
  },
  {
    pattern:
      /error connecting to PostgreSQL server (\S+)[^\n]*?(?:dial tcp (\S+): )?(connect: connection refused|no such host|i\/o timeout|connection timed out|network is unreachable)/,
    explain: (m) => ({
      cause: `the database server ${m[2] ?? m[1]} is unreachable (${m[3]})`,
      fix: "check the host and port (template `database.servers`, or `tenantctl:databaseServers` / TENANTCTL_DATABASE_SERVERS), and that the server accepts connections from here",
    }),
  },
  {
    pattern: /no (resource|language) plugin 'pulumi-(?:resource|language)-([\w-]+)' found[^\n]*/,
    explain: (m) => ({
      cause: `the Pulumi ${m[1]} plugin \`${m[2]}\` is missing`,
      fix: '`export PATH="$(tools/ensure-pulumi.sh):$PATH"` (the pinned engine and plugins), or install the plugin with `pulumi plugin install`',
    }),
  },
  {
    // A create that finds the object there already: a tenant from before tenantctl, or the leftovers of a run killed
    // where tenantctl could not see it (another host's lock). Never taken over without being asked.
    pattern: /(role|database|schema) "([^"]+)" already exists/,
    explain: (m, slug) => ({
      cause: `the ${m[1]} "${m[2]}" already exists on the database server, but stack ${slug ?? "<slug>"} does not manage it`,
      fix: `if it is this tenant's, \`tenantctl adopt ${slug ?? "<slug>"} --dry-run\` shows what would be imported and \`tenantctl adopt ${slug ?? "<slug>"}\` imports it; if it is not, rename it (tenantctl would create the same name)`,
    }),
  },
  {
    pattern: /spawn pulumi ENOENT|pulumi: (?:command )?not found/,
    explain: () => ({
      cause: "the Pulumi CLI is not on PATH",
      fix: 'install it (https://www.pulumi.com/docs/install/), or `export PATH="$(tools/ensure-pulumi.sh):$PATH"`',
    }),
  },
];

/** Lines of the engine's transcript that say nothing about what went wrong. */
const NOISE = [
  /^warning: using pulumi-resource-\S+ from \$PATH/,
  /^error: update failed$/,
  /^Resources:$/,
  /^[+~-]?\s*\d+ (created|errored|updated|deleted|unchanged)/,
  /^Duration: /,
  /^\S+:\S+:\S+ \([^)]*\):$/,
  /^error: 1 error occurred:$/,
];

export function engineErrorMessage(error: unknown, slug?: string): string {
  const text = error instanceof Error ? error.message : String(error);
  for (const { pattern, explain } of KNOWN_CAUSES) {
    const match = pattern.exec(text);
    if (match) {
      const { cause, fix } = explain(match, slug);
      return `${cause}\nfix: ${fix}`;
    }
  }
  // The program's own refusal (invalid tenant files, a missing credential) is already written for people.
  const stderr = /stderr: ([\s\S]*?)(?:\n\s*err\?:|$)/.exec(text)?.[1] ?? "";
  const transcript = /Diagnostics:/.test(stderr) || !/Diagnostics:/.test(text) ? stderr || text : text;
  const diagnostics = (
    /Diagnostics:\n([\s\S]*?)(?:\n\s*stderr: [\s\S]*)?$/.exec(transcript)?.[1] ?? transcript
  ).replace(/^Command failed with[^\n]*\n/, "");
  const lines = diagnostics
    .split("\n")
    .map((line) =>
      line
        .trimEnd()
        .replace(/^(\s*)error: /, "$1")
        .replace(/^(\s*)\t\* /, "$1"),
    )
    .filter(
      (line, index, all) =>
        line.trim() !== "" &&
        !NOISE.some((noise) => noise.test(line.trim())) &&
        all.findIndex((other) => other.trim() === line.trim()) === index,
    );
  const indent = Math.min(...lines.map((line) => /^\s*/.exec(line)![0].length));
  return lines
    .slice(0, 30)
    .map((line) => line.slice(indent))
    .join("\n");
}
