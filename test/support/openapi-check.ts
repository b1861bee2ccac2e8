/**
 * Checks an HTTP answer against the OpenAPI documents of `keyward/openapi`:
 * the request must match a documented operation, the operation must declare
 * the status, every header it declares must be there (when required) and
 * valid, `WWW-Authenticate` and `Retry-After` must not appear where it does
 * not declare them, and the JSON body must validate against the declared
 * schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). Anything else throws.
 */
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { OpenApiDocument, OpenApiObject } from "keyward/openapi";
import type { Exchange, RawRequest } from "./http.js";

/** Headers whose presence is part of the contract: present only where the document declares them. */
const CONTRACT_HEADERS = ["www-authenticate", "retry-after"];
const ERROR_BODY = { $ref: "#/components/schemas/ErrorBody" };

interface Match {
  doc: number;
  template: string;
  item: OpenApiObject;
  literals: number;
}

export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  constructor(private readonly docs: readonly OpenApiDocument[]) {
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
    docs.forEach((doc, i) => {
      this.ajv.addSchema(doc as unknown as OpenApiObject, `doc${i}`);
    });
  }

  /** Throws unless the answer to `method path` is one the documents declare. */
  check(req: Pick<RawRequest, "method" | "path" | "undocumented">, res: Exchange): void {
    const method = (req.method ?? "GET").toLowerCase();
    const path = req.path.split("?")[0] as string;
    const where = `${method.toUpperCase()} ${path} → ${res.status}`;
    const match = this.match(path);
    const operation = match?.item[method] as OpenApiObject | undefined;
    if (req.undocumented) {
      // an unknown route or method: the document must not describe it, and the answer is the 404 error body
      if (operation) throw new Error(`${where}: marked undocumented, but the document describes it`);
      if (res.status !== 404) throw new Error(`${where}: an undocumented route must answer 404`);
      this.validate(0, ERROR_BODY, res.json, `${where} body`);
      return;
    }
    if (!match || !operation) throw new Error(`${where}: no operation of the document matches`);
    const responses = operation.responses as Record<string, OpenApiObject>;
    const declared = responses[String(res.status)] ?? responses[`${String(res.status)[0]}XX`] ?? responses.default;
    if (!declared) {
      throw new Error(`${where}: status not declared (declared: ${Object.keys(responses).join(", ")})`);
    }
    const response = this.deref(match.doc, declared);
    this.checkHeaders(match.doc, response, res, where);
    this.checkBody(match.doc, response, res, where);
  }

  private checkHeaders(doc: number, response: OpenApiObject, res: Exchange, where: string): void {
    const declared = new Map<string, OpenApiObject>();
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, OpenApiObject>)) {
      declared.set(name.toLowerCase(), this.deref(doc, header));
    }
    for (const name of CONTRACT_HEADERS) {
      if (res.headers[name] !== undefined && !declared.has(name)) throw new Error(`${where}: undeclared header ${name}`);
    }
    for (const [name, header] of declared) {
      const value = res.headers[name];
      if (value === undefined) {
        if (header.required === true) throw new Error(`${where}: required header ${name} is missing`);
        continue;
      }
      const schema = (header.schema ?? {}) as OpenApiObject;
      const text = String(value);
      const typed =
        schema.type === "integer" || schema.type === "number" ? (/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text) : text;
      this.validate(doc, schema, typed, `${where} header ${name}`);
    }
  }

  private checkBody(doc: number, response: OpenApiObject, res: Exchange, where: string): void {
    const content = response.content as Record<string, OpenApiObject> | undefined;
    if (!content) return;
    const type = String(res.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim()
      .toLowerCase();
    const media = type ? content[type] : undefined;
    if (!media) throw new Error(`${where}: content-type ${type || "(none)"} not declared (${Object.keys(content).join(", ")})`);
    if (res.text !== "" && res.json === undefined) throw new Error(`${where}: the body is not JSON`);
    if (media.schema) this.validate(doc, media.schema as OpenApiObject, res.json, `${where} body`);
  }

  private validate(doc: number, schema: OpenApiObject, value: unknown, what: string): void {
    let validate = this.compiled.get(schema);
    if (!validate) {
      // local refs (#/components/…) point into the document, added to ajv as `doc<i>`
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"doc${doc}#/components/`));
      validate = this.ajv.compile(rebased);
      this.compiled.set(schema, validate);
    }
    if (!validate(value)) {
      throw new Error(`${what} does not match the document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`);
    }
  }

  /** Follows `$ref`s inside document `doc`. */
  private deref(doc: number, value: OpenApiObject): OpenApiObject {
    let out = value;
    for (let hops = 0; typeof out.$ref === "string"; hops++) {
      if (hops > 10 || !out.$ref.startsWith("#/")) throw new Error(`cannot follow $ref ${out.$ref}`);
      let target: unknown = this.docs[doc];
      for (const part of out.$ref.slice(2).split("/")) {
        target = (target as Record<string, unknown>)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
      }
      if (!target) throw new Error(`$ref ${out.$ref} leads nowhere`);
      out = target as OpenApiObject;
    }
    return out;
  }

  /** The path item whose template matches `path`, preferring literal segments (as OpenAPI does). */
  private match(path: string): Match | undefined {
    const segments = path.split("/").filter(Boolean);
    let best: Match | undefined;
    this.docs.forEach((doc, i) => {
      for (const [template, item] of Object.entries(doc.paths)) {
        const parts = template.split("/").filter(Boolean);
        if (parts.length !== segments.length) continue;
        let literals = 0;
        const fits = parts.every((part, k) => {
          if (/^\{[^}]+\}$/.test(part)) return (segments[k] as string).length > 0;
          literals++;
          return part === segments[k];
        });
        if (fits && (!best || literals > best.literals)) best = { doc: i, template, item, literals };
      }
    });
    return best;
  }
}
