/**
 * The fields of a stored record as an HGETALL reply gives them, each under
 * its own property (a fixed shape, read without a map); names the store
 * never writes are ignored.
 *
 * @example
 * ```ts
 * const f = fieldsOf(["id", "9b1d…", "owner", "org_1"]);
 * f?.owner; // "org_1"
 * ```
 */
export class StoredFields {
  id: string | undefined = undefined;
  owner: string | undefined = undefined;
  label: string | undefined = undefined;
  keyPrefix: string | undefined = undefined;
  last4: string | undefined = undefined;
  hash: string | undefined = undefined;
  scopes: string | undefined = undefined;
  metadata: string | undefined = undefined;
  role: string | undefined = undefined;
  createdBy: string | undefined = undefined;
  rotatedFrom: string | undefined = undefined;
  rotatedTo: string | undefined = undefined;
  createdAt: string | undefined = undefined;
  expiresAt: string | undefined = undefined;
  disabledAt: string | undefined = undefined;
  revokedAt: string | undefined = undefined;
  lastUsedAt: string | undefined = undefined;
  rlLimit: string | undefined = undefined;
  rlWindow: string | undefined = undefined;
  creditsRemaining: string | undefined = undefined;
  refillAmount: string | undefined = undefined;
  refillInterval: string | undefined = undefined;
  refilledAt: string | undefined = undefined;
  allowedIps: string | undefined = undefined;

  /** Files one field of the reply under its name. */
  set(name: string, value: string): void {
    switch (name) {
      case "id":
        this.id = value;
        break;
      case "owner":
        this.owner = value;
        break;
      case "label":
        this.label = value;
        break;
      case "keyPrefix":
        this.keyPrefix = value;
        break;
      case "last4":
        this.last4 = value;
        break;
      case "hash":
        this.hash = value;
        break;
      case "scopes":
        this.scopes = value;
        break;
      case "metadata":
        this.metadata = value;
        break;
      case "role":
        this.role = value;
        break;
      case "createdBy":
        this.createdBy = value;
        break;
      case "rotatedFrom":
        this.rotatedFrom = value;
        break;
      case "rotatedTo":
        this.rotatedTo = value;
        break;
      case "createdAt":
        this.createdAt = value;
        break;
      case "expiresAt":
        this.expiresAt = value;
        break;
      case "disabledAt":
        this.disabledAt = value;
        break;
      case "revokedAt":
        this.revokedAt = value;
        break;
      case "lastUsedAt":
        this.lastUsedAt = value;
        break;
      case "rlLimit":
        this.rlLimit = value;
        break;
      case "rlWindow":
        this.rlWindow = value;
        break;
      case "creditsRemaining":
        this.creditsRemaining = value;
        break;
      case "refillAmount":
        this.refillAmount = value;
        break;
      case "refillInterval":
        this.refillInterval = value;
        break;
      case "refilledAt":
        this.refilledAt = value;
        break;
      case "allowedIps":
        this.allowedIps = value;
        break;
    }
  }
}

/**
 * The fields of an HGETALL reply: a flat array (RESP2), a Map or an object
 * (RESP3). Null for an empty reply (no such key).
 *
 * @example
 * ```ts
 * fieldsOf(await send(["HGETALL", keys.record(hash)]));
 * ```
 */
export function fieldsOf(reply: unknown): StoredFields | null {
  const fields = new StoredFields();
  let any = false;
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
    any = reply.length > 1;
  } else if (reply instanceof Map) {
    for (const [k, v] of reply) fields.set(String(k), String(v));
    any = reply.size > 0;
  } else if (reply !== null && typeof reply === "object") {
    for (const [k, v] of Object.entries(reply)) {
      fields.set(k, String(v));
      any = true;
    }
  }
  return any ? fields : null;
}
