/**
 * Starts the example app (`node examples/app/start.js`): reads its configuration from the environment, then listens.
 * Prints one line, `examples/app listening on http://HOST:PORT`, once it answers; SIGTERM and SIGINT close it.
 */
import { buildApp } from "./app";
import { configFrom } from "./config";
import { Registry } from "./registry";
import { RotatingPassword } from "./runtimeCredentials";
import { TenantData } from "./tenantData";
import { TokenVerifier } from "./tokens";

async function main(): Promise<void> {
  const config = configFrom(process.env);
  const registry = new Registry(config.registryUrl);
  const data = new TenantData(new RotatingPassword(config.runtimeCredentialsFile));
  const tokens = config.auth ? new TokenVerifier(config.auth) : undefined;
  const app = buildApp({ registry, data, tokens });
  const url = await app.listen({ host: config.host, port: config.port });
  console.log(`examples/app listening on ${url}`);
  const stop = () => {
    void app
      .close()
      .then(() => Promise.all([registry.close(), data.close()]))
      .then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
