/**
 * PowerDNS Authoritative's HTTP API (`/api/v1`), as the record provider calls it: rrsets read from a zone and written
 * with a zone PATCH, 5xx and unreachable servers retried with bounded backoff, and every other failure one message
 * naming the tenant, the record and the server's answer. Never the API key in a message.
 *
 * A self-contained factory: its source travels in state with the provider (see ../dynamic/prebuilt.ts), so it may
 * refer to nothing outside itself but globals (`fetch`, `setTimeout`).
 */
import type { PowerDnsConnection } from "./powerdnsConnection";

/** Who is asking, for messages: the stack's tenant and the record (`CNAME acme.app.example.com`). */
export interface RrsetContext {
  readonly tenant: string;
  readonly record: string;
}

/** One rrset as tenantctl declares it: absolute names (trailing dot), contents in PowerDNS's presentation format. */
export interface Rrset {
  /** `acme.app.example.com.` */
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  /** Sorted, so two equal rrsets compare equal. */
  readonly records: readonly string[];
}

export function powerdnsApi() {
  /** Attempts for 5xx and unreachable servers, in all; the waits double from BASE_DELAY_MS. */
  const MAX_ATTEMPTS = 4;
  const BASE_DELAY_MS = 200;

  class PowerDnsApiError extends Error {
    constructor(
      message: string,
      readonly status?: number,
    ) {
      super(message);
      this.name = "PowerDnsApiError";
    }
  }

  /** PowerDNS names zones absolutely; its zone ids are those names (`example.com.`). */
  function absolute(name: string): string {
    return name.endsWith(".") ? name : `${name}.`;
  }

  function zoneUrl(connection: PowerDnsConnection, zone: string): string {
    const base = connection.apiUrl.replace(/\/+$/, "");
    return `${base}/api/v1/servers/${encodeURIComponent(connection.serverId)}/zones/${encodeURIComponent(absolute(zone))}`;
  }

  function where(connection: PowerDnsConnection, context: RrsetContext): string {
    return `PowerDNS ${connection.apiUrl.replace(/\/+$/, "")}, tenant "${context.tenant}", ${context.record}`;
  }

  /** The server's answer in a few words: its JSON `error`, else its text. */
  function answerText(status: number, body: string): string {
    let text = body.trim();
    try {
      const parsed = JSON.parse(text) as { error?: unknown };
      if (typeof parsed.error === "string") text = parsed.error;
    } catch {
      // not JSON: the text as it came
    }
    if (text.length > 300) text = `${text.slice(0, 300)}…`;
    return `${status}${text ? `: ${text}` : ""}`;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** One exchange, retried while the server fails (5xx) or cannot be reached; resolves with the last answer. */
  async function exchange(
    connection: PowerDnsConnection,
    context: RrsetContext,
    url: string,
    init: RequestInit,
  ): Promise<{ status: number; body: string }> {
    const headers = { "x-api-key": connection.apiKey, accept: "application/json", "content-type": "application/json" };
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) {
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          const reason = cause?.code ?? cause?.message ?? (error as Error).message;
          throw new PowerDnsApiError(
            `${where(connection, context)}: the API could not be reached after ${attempt} attempts (${reason}): check \`dns.powerdns.apiUrl\` (or TENANTCTL_POWERDNS_URL) and that PowerDNS runs with api=yes and webserver=yes.`,
          );
        }
        await sleep(BASE_DELAY_MS * 2 ** (attempt - 1));
        continue;
      }
      const body = await response.text();
      if (response.status >= 500 && attempt < MAX_ATTEMPTS) {
        await sleep(BASE_DELAY_MS * 2 ** (attempt - 1));
        continue;
      }
      return { status: response.status, body };
    }
  }

  function failure(
    connection: PowerDnsConnection,
    context: RrsetContext,
    doing: string,
    answer: { status: number; body: string },
  ): PowerDnsApiError {
    const hint =
      answer.status === 401 || answer.status === 403
        ? ": check the API key (tenantctl:powerdns.apiKey or TENANTCTL_POWERDNS_API_KEY)"
        : answer.status === 404
          ? ": check `dns.zone` (the zone must exist in PowerDNS) and `dns.powerdns.serverId`"
          : "";
    return new PowerDnsApiError(
      `${where(connection, context)}: could not ${doing}: ${answerText(answer.status, answer.body)}${hint}`,
      answer.status,
    );
  }

  /**
   * The rrset `name`/`type` as the server holds it, or undefined when it has none. Asks for that rrset only (PowerDNS
   * 4.8+ filters with `rrset_name`/`rrset_type`; older servers send the whole zone, which is filtered here).
   */
  async function readRrset(
    connection: PowerDnsConnection,
    context: RrsetContext,
    zone: string,
    name: string,
    type: string,
  ): Promise<Rrset | undefined> {
    const query = `?rrset_name=${encodeURIComponent(absolute(name))}&rrset_type=${encodeURIComponent(type)}`;
    const answer = await exchange(connection, context, `${zoneUrl(connection, zone)}${query}`, { method: "GET" });
    if (answer.status !== 200) throw failure(connection, context, `read zone ${absolute(zone)}`, answer);
    const body = JSON.parse(answer.body) as {
      rrsets?: { name: string; type: string; ttl: number; records: { content: string; disabled?: boolean }[] }[];
    };
    const found = (body.rrsets ?? []).find(
      (rrset) => rrset.name.toLowerCase() === absolute(name).toLowerCase() && rrset.type === type,
    );
    if (!found) return undefined;
    const records = found.records.filter((record) => !record.disabled).map((record) => record.content);
    if (records.length === 0) return undefined;
    return { name: found.name, type: found.type, ttl: found.ttl, records: records.sort() };
  }

  /** Sets the rrset to exactly `rrset` (PATCH, changetype REPLACE): creates it, or overwrites a hand edit. */
  async function replaceRrset(connection: PowerDnsConnection, context: RrsetContext, zone: string, rrset: Rrset) {
    const body = {
      rrsets: [
        {
          name: absolute(rrset.name),
          type: rrset.type,
          ttl: rrset.ttl,
          changetype: "REPLACE",
          records: rrset.records.map((content) => ({ content, disabled: false })),
        },
      ],
    };
    const answer = await exchange(connection, context, zoneUrl(connection, zone), {
      method: "PATCH",
      body: JSON.stringify(body),
    });
    if (answer.status !== 204 && answer.status !== 200)
      throw failure(connection, context, `write it into zone ${absolute(zone)}`, answer);
  }

  /** Removes the rrset; one already gone (or a zone already gone) is fine. */
  async function deleteRrset(
    connection: PowerDnsConnection,
    context: RrsetContext,
    zone: string,
    name: string,
    type: string,
  ) {
    const body = { rrsets: [{ name: absolute(name), type, changetype: "DELETE" }] };
    const answer = await exchange(connection, context, zoneUrl(connection, zone), {
      method: "PATCH",
      body: JSON.stringify(body),
    });
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
    throw failure(connection, context, `delete it from zone ${absolute(zone)}`, answer);
  }

  return { PowerDnsApiError, absolute, readRrset, replaceRrset, deleteRrset };
}

export type PowerDnsApi = ReturnType<typeof powerdnsApi>;
