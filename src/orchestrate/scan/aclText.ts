/**
 * PostgreSQL's access privileges as the scan reads them: an `aclitem[]` cast to `text[]` and parsed here, rather than
 * exploded on the server. In a backend that has just started (the scan opens one per tenant database), every catalog
 * function a query calls costs cache loads: `aclexplode` with `json_agg` and `pg_get_userbyid` per item, in each
 * tenant database, are work the server need not do (`npm run bench:scan-floor` prints what the read costs).
 *
 * An item reads `grantee=privileges/grantor` (aclitemout): the grantee is empty for PUBLIC, a name with anything but
 * letters, digits and `_` is double-quoted with `""` for a quote, and a privilege letter followed by `*` is held WITH
 * GRANT OPTION. The privilege names are those `aclexplode` gives.
 */
/** One privilege as aclexplode gives it: `grantee` is `public` for PUBLIC. */
export interface Privilege {
  readonly grantee: string;
  readonly privilege: string;
  readonly grantable: boolean;
}

const PRIVILEGE_NAMES: Readonly<Record<string, string>> = {
  a: "INSERT",
  r: "SELECT",
  w: "UPDATE",
  d: "DELETE",
  D: "TRUNCATE",
  x: "REFERENCES",
  t: "TRIGGER",
  X: "EXECUTE",
  U: "USAGE",
  C: "CREATE",
  T: "TEMPORARY",
  c: "CONNECT",
  s: "SET",
  A: "ALTER SYSTEM",
  m: "MAINTAIN",
};

/** One `aclitem` as text → its privileges, one per letter. */
export function privilegesOfAclItem(item: string): Privilege[] {
  let at = 0;
  let grantee = "";
  if (item.startsWith('"')) {
    at = 1;
    for (;;) {
      const quote = item.indexOf('"', at);
      if (quote < 0) throw new Error(`unreadable aclitem ${JSON.stringify(item)}: unterminated quoted name`);
      grantee += item.slice(at, quote);
      if (item[quote + 1] === '"') {
        grantee += '"';
        at = quote + 2;
      } else {
        at = quote + 1;
        break;
      }
    }
  } else {
    const equals = item.indexOf("=");
    grantee = item.slice(0, Math.max(equals, 0));
    at = Math.max(equals, 0);
  }
  if (item[at] !== "=") throw new Error(`unreadable aclitem ${JSON.stringify(item)}: no "=" after the grantee`);
  const slash = item.indexOf("/", at);
  const letters = item.slice(at + 1, slash < 0 ? undefined : slash);
  const privileges: Privilege[] = [];
  for (let i = 0; i < letters.length; i++) {
    const privilege = PRIVILEGE_NAMES[letters[i]!];
    if (!privilege) throw new Error(`unreadable aclitem ${JSON.stringify(item)}: unknown privilege "${letters[i]}"`);
    const grantable = letters[i + 1] === "*";
    if (grantable) i++;
    privileges.push({ grantee: grantee === "" ? "public" : grantee, privilege, grantable });
  }
  return privileges;
}

/** An `aclitem[]` as `text[]` (NULL: none) → its privileges, as `aclexplode` lists them. */
export function privilegesOfAcl(items: readonly string[] | null | undefined): Privilege[] {
  return (items ?? []).flatMap(privilegesOfAclItem);
}

/**
 * The built-in default privileges of objects `owner` creates (what `acldefault` gives when `pg_default_acl` has no row):
 * functions are EXECUTE for PUBLIC and the owner, types USAGE for both; other object types have no PUBLIC default.
 */
export function builtInDefaultPrivileges(objtype: string, owner: string): Privilege[] {
  const privilege = objtype === "f" ? "EXECUTE" : objtype === "T" ? "USAGE" : undefined;
  if (!privilege) throw new Error(`no built-in default privileges are known for object type "${objtype}"`);
  return [
    { grantee: "public", privilege, grantable: false },
    { grantee: owner, privilege, grantable: false },
  ];
}
