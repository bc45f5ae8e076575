import type { SslMode } from "../../context/databaseServerConfig";

/** Server admin credentials, used to connect before switching to the tenant's role. A secret in state. */
export interface AdminConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** @default "require" */
  readonly sslmode?: SslMode;
}
