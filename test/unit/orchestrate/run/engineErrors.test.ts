/** Engine errors as people can act on them. The transcripts are what the real engine printed on this machine. */
import { describe, expect, it } from "vitest";
import { engineErrorMessage } from "../../../../src/orchestrate/run/engineErrors";

const wrapped = (diagnostics: string) =>
  new Error(
    `Command failed with exit code 255: pulumi up --yes --skip-preview --refresh --exec-agent tenantctl --color never --exec-kind auto.local --event-log /tmp/automation-logs-x/eventlog.txt --stack control-plane --non-interactive\nUpdating (control-plane):\n\nDiagnostics:\n${diagnostics}\n\nstderr: \nerr?: Error: exit code 255`,
  );

const UNREACHABLE = `  pulumi:pulumi:Stack (tenantctl-control-plane):
    warning: using pulumi-resource-postgresql from $PATH at /root/.cache/tenantctl/bin/pulumi-resource-postgresql
    error: update failed
  postgresql:index:Database (shared-primary):
    error:   sdk-v2/provider2.go:571: sdk.helper_schema: error connecting to PostgreSQL server 127.0.0.1 (scheme: postgres): dial tcp 127.0.0.1:1: connect: connection refused: provider=postgresql@3.18.1
    error: 1 error occurred:
    \t* error connecting to PostgreSQL server 127.0.0.1 (scheme: postgres): dial tcp 127.0.0.1:1: connect: connection refused
Resources:
    + 2 created
    2 errored`;

const AUTHENTICATION = `  postgresql:index:Database (shared-primary):
    error:   sdk-v2/provider2.go:571: sdk.helper_schema: error connecting to PostgreSQL server 127.0.0.1 (scheme: postgres): pq: password authentication failed for user "tenantctl_admin" (28P01): provider=postgresql@3.18.1`;

const LOCKED = `error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.
  file:///tmp/state/.pulumi/locks/organization/tenantctl/acme/4a1f.json?no_tmp_dir=true: created by root@runner-7 (pid 4242) at 2026-12-02T05:20:31Z`;

const EXISTS = `  postgresql:index:Role (hooli-role):
    error:   sdk-v2/provider2.go:571: sdk.helper_schema: error creating role tenant_hooli: pq: role "tenant_hooli" already exists: provider=postgresql@3.18.1`;

const INVALID = `  pulumi:pulumi:Stack (tenantctl-acme):
    error: the tenant files are invalid; nothing was deployed:

    tenants/acme.yaml:3:7 error plan: plan \`enterprse\` does not exist in the template
      fix: did you mean \`enterprise\`?
      > 3 | plan: enterprse
          |       ^`;

describe("engineErrorMessage", () => {
  it("names the common causes with their fix, without the command line", () => {
    expect(engineErrorMessage(wrapped(UNREACHABLE))).toBe(
      "the database server 127.0.0.1:1 is unreachable (connect: connection refused)\nfix: check the host and port (template `database.servers`, or `tenantctl:databaseServers` / TENANTCTL_DATABASE_SERVERS), and that the server accepts connections from here",
    );
    expect(engineErrorMessage(wrapped(AUTHENTICATION))).toMatch(
      /^the database server refused the admin login of "tenantctl_admin"\nfix: check the password in `tenantctl:databaseServers.<server>.password`/,
    );
    expect(engineErrorMessage(wrapped(LOCKED), "acme")).toBe(
      "the stack is locked by another run: root@runner-7, pid 4242, since 2026-12-02T05:20:31Z\nfix: wait for that run to end (`--lock-timeout` waits longer); if it is gone, `tenantctl unlock acme` (the lock: file:///tmp/state/.pulumi/locks/organization/tenantctl/acme/4a1f.json)",
    );
    expect(engineErrorMessage(wrapped(EXISTS), "hooli")).toBe(
      'the role "tenant_hooli" already exists on the database server, but stack hooli does not manage it\nfix: if it is this tenant\'s, `tenantctl adopt hooli --dry-run` shows what would be imported and `tenantctl adopt hooli` imports it; if it is not, rename it (tenantctl would create the same name)',
    );
    // tenantctl's own look at the server fails in the provider's words, so it gets the same cause and fix.
    expect(
      engineErrorMessage(
        wrapped(
          '    error: error connecting to PostgreSQL server 127.0.0.1:1 (database server "primary", looking for what already exists): connect: connection refused',
        ),
      ),
    ).toMatch(/^the database server 127.0.0.1:1 is unreachable \(connect: connection refused\)\nfix: /);
    expect(engineErrorMessage(new Error("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"))).toMatch(
      /^the Pulumi CLI is not on PATH\nfix: /,
    );
    expect(
      engineErrorMessage(
        wrapped(
          "    error: no resource plugin 'pulumi-resource-postgresql' found in the workspace at version v3.18.1 or on your $PATH",
        ),
      ),
    ).toMatch(
      /^the Pulumi resource plugin `postgresql` is missing\nfix: `export PATH="\$\(tools\/ensure-pulumi.sh\):\$PATH"`/,
    );
  });

  it("keeps the program's own refusal as written, code frame and all, without the plumbing", () => {
    const message = engineErrorMessage(wrapped(INVALID));
    expect(message).not.toMatch(/Command failed|--event-log|pulumi:pulumi:Stack/);
    expect(message).toContain("the tenant files are invalid; nothing was deployed:");
    expect(message).toContain(
      "tenants/acme.yaml:3:7 error plan: plan `enterprse` does not exist in the template\n  fix: did you mean `enterprise`?\n  > 3 | plan: enterprse\n      |       ^",
    );
  });
});
