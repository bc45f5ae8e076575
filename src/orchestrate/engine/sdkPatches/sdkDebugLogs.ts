/**
 * @pulumi/pulumi sends the engine a debug line for each step of each resource it registers ("Registering resource",
 * "RegisterResource RPC prepared", "... finished", and the same for outputs): about 50 per tenant stack, each a gRPC
 * call to the engine, which filters it for secrets and streams it back to the Automation API as an event. Nothing
 * shows them: only `pulumi --debug` displays debug diagnostics, and tenantctl passes no `--debug` and reports no
 * diagnostic events (it reports the engine's errors and the resources' changes).
 *
 * So in tenantctl's process, which runs the inline program of every stack of a run (engineSession.ts), the SDK's
 * `log.debug` does nothing; info, warnings and errors still go to the engine. Every caller in @pulumi/pulumi reaches it
 * through the module object (`log.debug(...)`), so replacing the export is enough. The Node.js language host
 * (`pulumi up -s acme --debug` by hand) is not affected.
 */
type SdkLog = { debug: (message: string, ...rest: unknown[]) => Promise<void> };

let done = false;

export function withoutSdkDebugLogs(): void {
  if (done) return;
  done = true;
  const log = require("@pulumi/pulumi/log") as SdkLog;
  log.debug = () => Promise.resolve();
}
