#!/usr/bin/env node
"use strict";
// The CLI is precompiled by `npm install` (the `prepare` script) so that start-up stays fast.
require("../dist/src/cli/main.js").main(process.argv.slice(2));
