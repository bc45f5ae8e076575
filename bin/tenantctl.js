#!/usr/bin/env node
"use strict";
// The CLI is precompiled by `npm install` (the `prepare` script) so that start-up stays fast.
let cli;
try {
  cli = require("../dist/src/cli/main.js");
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes("dist/src/cli/main.js")) {
    process.stderr.write(
      "tenantctl: not built yet (dist/ is missing): run `npm run build` (npm ci does it unless --ignore-scripts)\n",
    );
    process.exit(1);
  }
  throw error;
}
cli.main(process.argv.slice(2));
