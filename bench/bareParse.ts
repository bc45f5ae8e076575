/** The baseline: read every file and YAML-parse it, nothing else. `node bareParse.js <dir> yaml|js-yaml` */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [dir = "tenants", parserName = "yaml"] = process.argv.slice(2);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parse: (text: string) => unknown = parserName === "js-yaml" ? require("js-yaml").load : require("yaml").parse;
let documents = 0;
for (const name of readdirSync(dir)) {
  if (!/\.ya?ml$/.test(name)) continue;
  parse(readFileSync(join(dir, name), "utf8"));
  documents++;
}
process.stdout.write(`${documents}\n`);
