/**
 * The layering, checked (`npm run deps`, part of the README's test command): src/core ← infra ← the app.
 *
 *   src/core/   the pure core: no Pulumi, no child processes, nothing of the app or of infra/
 *   infra/      the Pulumi program and components: of our own code, src/core only
 *   src/…       the app (cli, commands, orchestrate, report, sandbox): may use both
 *
 * Inside the app, each layer imports only the ones below it:
 *
 *   src/cli/          flags, and error kinds mapped to exit codes; imported by nothing of the product
 *   src/commands/     parse, call, return an outcome; imported by src/cli only, never by another command
 *   src/sandbox/      the sandbox's session and servers; calls orchestrate/run, never a command
 *   src/orchestrate/  select/ (which stacks) and plan/ (offline) ← run/ (the engine's runs) ← engine/ (what one
 *                     engine run shares, the SDK patches): engine/ knows nothing of run/, select/ or plan/
 *   src/report/       renderers: plain data in, text out; nothing of orchestrate, the commands or the CLI
 *
 * `process` (env, argv, exit, cwd) is a global, not an import, so test/unit/core/purity.test.ts checks that part and
 * test/unit/layering.test.ts that only src/cli exits. test/unit/layering.test.ts also shows that each rule below fails
 * on a wrong-direction import.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-stays-pure",
      comment: "src/core is the pure core: it may not import infra/, the app, Pulumi or child processes.",
      severity: "error",
      from: { path: "^src/core/" },
      to: {
        path: ["^infra/", "^src/(?!core/)", "^bench/", "^test/", "^node_modules/@pulumi/", "^(node:)?child_process$"],
      },
    },
    {
      name: "infra-stands-on-core-only",
      comment: "infra/ imports, of our own code, src/core only: the app builds on infra, never the other way round.",
      severity: "error",
      from: { path: "^infra/" },
      to: { path: ["^src/(?!core/)", "^bench/", "^test/"] },
    },
    {
      name: "pulumi-only-in-infra-and-orchestrate",
      comment: "Pulumi is loaded by infra/ and src/orchestrate/ only, so validate and explain never pay its start-up.",
      severity: "error",
      from: { path: "^src/(?!orchestrate/)" },
      to: { path: "^node_modules/@pulumi/" },
    },
    {
      name: "nothing-imports-the-cli",
      comment: "src/cli is the top: flags and exit codes. Nothing of the product imports it.",
      severity: "error",
      from: { path: "^(src|infra|bench)/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "only-the-cli-imports-commands",
      comment:
        "A command parses, calls and returns an outcome: shared work lives below (orchestrate, sandbox, report), never in another command.",
      severity: "error",
      from: { path: "^(src|infra|bench)/", pathNot: "^src/cli/" },
      to: { path: "^src/commands/" },
    },
    {
      name: "orchestrate-stays-below-the-app",
      comment: "src/orchestrate is called by commands and the sandbox; it never calls them back.",
      severity: "error",
      from: { path: "^src/orchestrate/" },
      to: { path: "^src/(cli|commands|sandbox|archive)/" },
    },
    {
      name: "engine-knows-no-run",
      comment:
        "orchestrate/engine is what one engine run shares (session, workspaces, providers, SDK patches): it knows nothing of which stacks run, in which order, or the offline plan.",
      severity: "error",
      from: { path: "^src/orchestrate/engine/" },
      to: { path: "^src/orchestrate/(run|select|plan)/" },
    },
    {
      name: "select-runs-nothing",
      comment:
        "orchestrate/select decides which stacks an invocation names, from the files (and git): no engine, no run, no render.",
      severity: "error",
      from: { path: "^src/orchestrate/select/" },
      to: { path: "^src/orchestrate/(run|plan|engine)/" },
    },
    {
      name: "plan-stays-offline",
      comment: "orchestrate/plan renders offline (no engine, no credentials): of engine/ it uses the SDK patches only.",
      severity: "error",
      from: { path: "^src/orchestrate/plan/" },
      to: { path: ["^src/orchestrate/run/", "^src/orchestrate/engine/(?!sdkPatches/)"] },
    },
    {
      name: "report-only-renders",
      comment:
        "src/report turns plain data into text: it imports nothing of orchestrate, infra, the commands, the sandbox or the CLI.",
      severity: "error",
      from: { path: "^src/report/" },
      to: { path: ["^src/(orchestrate|commands|cli|sandbox|archive)/", "^infra/"] },
    },
    {
      name: "example-app-uses-only-the-registry",
      comment:
        "examples/app is what a team's own service would be: it knows tenantctl through the registry only, never through its code.",
      severity: "error",
      from: { path: "^examples/" },
      to: { path: "^(src|infra|bench|test)/" },
    },
    {
      name: "product-uses-no-dev-dependency",
      comment: "What ships (src/, infra/) may not need a devDependency at run time.",
      severity: "error",
      from: { path: "^(src|infra)/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-circular",
      comment: "A cycle hides which module is the lower layer.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    // Type-only imports count: the core may not even name a Pulumi type.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.test.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
