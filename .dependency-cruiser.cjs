/**
 * The layering, checked (`npm run deps`, part of the README's test command): src/core ← infra ← the app.
 *
 *   src/core/   the pure core: no Pulumi, no child processes, nothing of the app or of infra/
 *   infra/      the Pulumi program and components: of our own code, src/core only
 *   src/…       the app (cli, commands, orchestrate, report, sandbox): may use both
 *
 * `process` (env, argv, exit, cwd) is a global, not an import, so test/unit/core/purity.test.ts checks that part.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-stays-pure",
      comment: "src/core is the pure core: it may not import infra/, the app, Pulumi or child processes.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: ["^infra/", "^src/(?!core/)", "^bench/", "^test/", "^node_modules/@pulumi/", "^(node:)?child_process$"] },
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
