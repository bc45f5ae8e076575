#!/usr/bin/env node
// The example app is TypeScript (examples/app/src), compiled with the rest of the repository into dist/ by
// `npm run build` (which `npm ci` runs). This starts the compiled entry point, so the command stays
// `node examples/app/start.js` whatever the build's layout.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const main = join(__dirname, "..", "..", "dist", "examples", "app", "src", "main.js");
if (!existsSync(main)) {
  console.error(`examples/app: ${main} is missing; run \`npm run build\` first.`);
  process.exit(1);
}
require(main);
