/**
 * The secrets provider of the stacks tenantctl creates, e.g. `awskms://alias/tenantctl?region=eu-west-1`, from
 * TENANTCTL_SECRETS_PROVIDER; unset or empty, the passphrase (PULUMI_CONFIG_PASSPHRASE). A KMS key is what a team
 * shares instead of a passphrase, and it is also cheaper per stack: the passphrase's key is derived anew at every CLI
 * start (PBKDF2, 1,000,000 rounds), a KMS data key is unwrapped with one call. A stack that exists keeps the provider
 * in its Pulumi.<stack>.yaml.
 */
export const SECRETS_PROVIDER_ENV = "TENANTCTL_SECRETS_PROVIDER";

export function secretsProviderFrom(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env[SECRETS_PROVIDER_ENV] || undefined;
}
