// The backend contract as code: src/server/openapi.yaml, validated by a standard OpenAPI
// validator, and a check of one HTTP exchange against it. The server tests (check-stream.mjs),
// the browser tests (harness.mjs) and the conformance kit (kit.mjs) all check through here.
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv";
import { fileURLToPath } from "node:url";

export const documentPath = fileURLToPath(new URL("../../src/server/openapi.yaml", import.meta.url));

// Paths under these prefixes are the API; anything else is the web app's static files.
const apiPrefixes = ["/api/", "/demo/", "/internal/"];
// What the HTTP layer may answer to any request, before a route sees it.
const refusals = { 400: "BadRequest", 413: "PayloadTooLarge", 431: "HeadersTooLarge", 500: "Internal" };

function mediaType(value) {
  return (value ?? "").split(";")[0].trim().toLowerCase();
}

function parseJson(text) {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: "the body is not JSON" };
  }
}

function pathPattern(template) {
  const names = [];
  const source = template.replace(/[.]/g, "\\.").replace(/\{([^}]+)\}/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { regex: new RegExp(`^${source}$`), names };
}

// Validates the document (throws with the validator's errors) and returns check(exchange).
export async function loadContract(file = documentPath) {
  await SwaggerParser.validate(file);
  const document = await SwaggerParser.dereference(file);
  // OpenAPI 3.0 schemas are JSON Schema plus a few keywords of their own (example, format byte).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("byte", /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  const compiled = new WeakMap();
  const validate = (schema, value) => {
    if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
    const run = compiled.get(schema);
    return run(value) ? [] : run.errors.map((e) => `${e.instancePath || "body"} ${e.message}`);
  };
  const routes = Object.entries(document.paths).map(([template, item]) => ({
    template, item, ...pathPattern(template),
  }));

  function findRoute(path) {
    for (const route of routes) {
      const match = path.match(route.regex);
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      return { route, params };
    }
    return null;
  }

  // Why the request breaks the document, or null when it keeps to it.
  function requestProblem(operation, params, request) {
    for (const parameter of operation.parameters ?? []) {
      const errors = validate(parameter.schema, params[parameter.name]);
      if (errors.length) return `path parameter ${parameter.name}: ${errors.join("; ")}`;
    }
    const body = operation.requestBody;
    const text = request.body ?? "";
    if (!body) return text ? "a body where the route takes none" : null;
    if (!text) return body.required ? "no body" : null;
    const type = mediaType(request.headers?.["content-type"]);
    const content = body.content[type];
    if (!content) return `request Content-Type ${type || "(none)"} is not documented`;
    const parsed = parseJson(text);
    if (parsed.error) return parsed.error;
    const errors = validate(content.schema, parsed.value);
    return errors.length ? errors.join("; ") : null;
  }

  function checkResponse(response, spec, where) {
    const errors = [];
    const type = mediaType(response.headers["content-type"]);
    for (const [name, header] of Object.entries(spec.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) errors.push(`${where}: header ${name} is missing`);
        continue;
      }
      const typed = header.schema?.type === "integer" && /^-?[0-9]+$/.test(value) ? Number(value) : value;
      errors.push(...validate(header.schema, typed).map((e) => `${where}: header ${name} ${e}`));
    }
    if (!spec.content) {
      if (response.body) errors.push(`${where}: a body where the document has none`);
      return errors;
    }
    const content = spec.content[type];
    if (!content) {
      errors.push(`${where}: Content-Type ${type || "(none)"} is not documented (${Object.keys(spec.content)})`);
      return errors;
    }
    if (!type.endsWith("json")) return errors;
    const parsed = parseJson(response.body);
    if (parsed.error) return [...errors, `${where}: ${parsed.error}`];
    errors.push(...validate(content.schema, parsed.value).map((e) => `${where}: ${e}`));
    return errors;
  }

  // exchange: { method, path, request: { headers, body } | undefined (not known: raw bytes),
  // status, headers (lower-case names), body }. Returns what breaks the document ([] if nothing).
  function check(exchange) {
    const method = exchange.method.toLowerCase();
    const path = exchange.path.split("?")[0];
    const response = { headers: exchange.headers ?? {}, body: exchange.body ?? "" };
    const where = `${exchange.method} ${path} → ${exchange.status}`;
    // CORS preflights and the web app's files are not the API.
    if (method === "options" || !apiPrefixes.some((prefix) => path.startsWith(prefix))) return [];
    const refusal = (extra) => {
      const name = { ...refusals, ...extra }[exchange.status];
      if (!name) return [`${where}: status ${exchange.status} is not documented here`];
      return checkResponse(response, document.components.responses[name], where);
    };
    const found = findRoute(path);
    const operation = found?.route.item[method];
    // No route: 404, or 405 where the web app's files take every path for GET.
    if (!found) return refusal({ 404: "NotFound", 405: "MethodNotAllowed" });
    if (!operation) return refusal({ 405: "MethodNotAllowed", 404: "NotFound" });
    const spec = operation.responses[String(exchange.status)];
    if (!spec) return [`${where}: status ${exchange.status} is not documented for ${exchange.method} ${found.route.template}`];
    const errors = checkResponse(response, spec, where);
    if (exchange.request) {
      const problem = requestProblem(operation, found.params, exchange.request);
      if (problem && exchange.status < 400)
        errors.push(`${where}: the server took a request the document refuses (${problem})`);
    }
    return errors;
  }

  return { document, check };
}
