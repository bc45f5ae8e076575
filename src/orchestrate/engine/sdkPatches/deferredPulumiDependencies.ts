/**
 * Loading @pulumi/pulumi loads, whether a program needs them or not, TypeScript (~0.4 s of CPU to compile its 9 MB),
 * and npm's Arborist with pacote, cacache, sigstore and friends (~0.3 s): they serve function serialization
 * (`pulumi.dynamic.Resource` with a closure, `serializeFunction`, code paths of lambda assets) and the experimental
 * component analyzer, none of which tenantctl's programs use (our dynamic providers travel as prebuilt source,
 * infra/dynamic/prebuilt.ts). That was more than half of what a one-stack run spends in Node.js.
 *
 * `deferPulumiDependencies()`, called before @pulumi/pulumi is first loaded, puts a stand-in for each of them in
 * Node's module cache: a proxy that loads the real module the first time anything of it is used, and forwards to it.
 * Everything that uses them still works, only later; nothing that does not use them pays for them.
 *
 * How each is imported decides how the stand-in looks (a module object or a function); see DEFERRED. A module that
 * is already loaded, or cannot be found from @pulumi/pulumi, is left alone.
 *
 * `pulumiAutomation()` (index.ts) calls it before it loads the SDK. A program started by the language host
 * (`pulumi up -s acme` by hand) cannot use it: the host loads @pulumi/pulumi before the program.
 */
import Module = require("node:module");
import { dirname, join } from "node:path";

interface Deferred {
  readonly name: string;
  /**
   * What TypeScript's `__importStar`/`__importDefault` in @pulumi/pulumi should see: `module` says `__esModule`, so
   * `__importStar` hands the stand-in itself on instead of copying (and so loading) every export; `function` says
   * nothing, so `__importDefault` wraps it as `{default: standIn}`, and the stand-in is callable.
   */
  readonly shape: "module" | "function";
}

/** The modules, as @pulumi/pulumi 3.248 imports them (runtime/closure/codePaths.js, typescript-shim.js). */
const DEFERRED: readonly Deferred[] = [
  { name: "typescript", shape: "module" },
  { name: "@npmcli/arborist", shape: "module" },
  { name: "normalize-package-data", shape: "function" },
];

let deferred = false;

export function deferPulumiDependencies(): void {
  if (deferred) return;
  deferred = true;
  let fromPulumi: NodeJS.Require;
  try {
    fromPulumi = Module.createRequire(join(dirname(require.resolve("@pulumi/pulumi/package.json")), "index.js"));
  } catch {
    return;
  }
  for (const { name, shape } of DEFERRED) {
    let path: string;
    try {
      path = fromPulumi.resolve(name);
    } catch {
      continue;
    }
    if (require.cache[path]) continue;
    require.cache[path] = standInModule(
      path,
      () => {
        // The stand-in leaves the cache first, so the real module takes its place for every later `require`.
        delete require.cache[path];
        return fromPulumi(name) as object;
      },
      shape,
    );
  }
}

function standInModule(path: string, loadReal: () => object, shape: Deferred["shape"]): NodeModule {
  let real: object | undefined;
  const load = () => (real ??= loadReal());
  // A function target, so that the stand-in of a module that is a function can be called and constructed.
  const target = function standIn() {} as unknown as object;
  const exports = new Proxy(target, {
    get: (_, key) =>
      key === "__esModule" && real === undefined ? shape === "module" || undefined : Reflect.get(load(), key),
    has: (_, key) => Reflect.has(load(), key),
    ownKeys: () => [
      ...new Set([
        ...Reflect.ownKeys(load()),
        ...Reflect.ownKeys(target).filter((key) => !Reflect.getOwnPropertyDescriptor(target, key)?.configurable),
      ]),
    ],
    getOwnPropertyDescriptor: (_, key) => {
      const own = Reflect.getOwnPropertyDescriptor(target, key);
      if (own && !own.configurable) return own;
      const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    apply: (_, self, args) => Reflect.apply(load() as (...a: unknown[]) => unknown, self, args),
    construct: (_, args) => Reflect.construct(load() as new (...a: unknown[]) => object, args),
  });
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = exports;
  return module;
}
