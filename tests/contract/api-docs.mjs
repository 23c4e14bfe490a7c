// Renders src/server/openapi.yaml as one static HTML page (no script, no style sheet: the
// server's Content-Security-Policy allows neither inline), and the C++ source that embeds it in
// kamusm-server, which serves it under /api/docs in demo mode (include/kamusm/server/api_docs.hpp).
// Usage: node api-docs.mjs <openapi.yaml> <out.html> <out.cpp>
import { readFileSync, writeFileSync } from "node:fs";
import yaml from "js-yaml";

const [input, output, source] = process.argv.slice(2);
if (!input || !output || !source) {
  console.error("usage: node api-docs.mjs <openapi.yaml> <out.html> <out.cpp>");
  process.exit(2);
}
const doc = yaml.load(readFileSync(input, "utf8"));

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
// The document's prose: paragraphs, numbered lists and `code`.
function prose(text = "") {
  const inline = (line) => escape(line.replace(/\s+/g, " ").trim()).replace(/`([^`]+)`/g, "<code>$1</code>");
  const numbered = /^\s*\d+\. /;
  return text.trim().split(/\n\s*\n/).map((block) => {
    const parts = block.split(/\n(?=\s*\d+\. )/);
    const lead = numbered.test(parts[0]) ? "" : `<p>${inline(parts.shift())}</p>`;
    const items = parts.map((item) => `<li>${inline(item.replace(numbered, ""))}</li>`).join("");
    return lead + (items ? `<ol>${items}</ol>` : "");
  }).join("\n");
}

const refName = (ref) => ref.split("/").pop();
const anchor = (kind, name) => `${kind}-${name}`;

// A schema as a nested list: type, constraints, then its properties or items.
function schema(node) {
  if (!node) return "";
  if (node.$ref) return `<a href="#${anchor("schema", refName(node.$ref))}">${escape(refName(node.$ref))}</a>`;
  const facts = [];
  if (node.type) facts.push(`<em>${escape(node.type)}</em>`);
  if (node.format) facts.push(`format ${escape(node.format)}`);
  if (node.enum) facts.push(`one of ${node.enum.map((v) => `<code>${escape(v)}</code>`).join(", ")}`);
  if (node.pattern) facts.push(`pattern <code>${escape(node.pattern)}</code>`);
  if (node.maxLength !== undefined) facts.push(`at most ${node.maxLength} characters`);
  if (node.minimum !== undefined) facts.push(`at least ${node.minimum}`);
  if (node.example !== undefined) facts.push(`e.g. <code>${escape(node.example)}</code>`);
  if (node.additionalProperties === false) facts.push("no other members");
  let html = facts.join(", ");
  if (node.description) html += ` — ${prose(node.description).replace(/^<p>|<\/p>$/g, "")}`;
  for (const [word, list] of [["all of", node.allOf], ["one of", node.oneOf]])
    if (list) html += `<ul>${list.map((item) => `<li>${word}: ${schema(item)}</li>`).join("")}</ul>`;
  if (node.properties) {
    const required = new Set(node.required ?? []);
    html += `<ul>${Object.entries(node.properties).map(([name, property]) =>
      `<li><code>${escape(name)}</code>${required.has(name) ? " (required)" : ""}: ${schema(property)}</li>`).join("")}</ul>`;
  } else if (node.required) {
    html += ` required: ${node.required.map((name) => `<code>${escape(name)}</code>`).join(", ")}`;
  }
  if (node.items) html += `<ul><li>items: ${schema(node.items)}</li></ul>`;
  return html;
}

function content(map = {}) {
  return Object.entries(map).map(([type, media]) => `<p><code>${escape(type)}</code>: ${schema(media.schema)}</p>`).join("");
}

function response(status, node) {
  if (node.$ref) {
    const name = refName(node.$ref);
    return `<tr><td>${status}</td><td><a href="#${anchor("response", name)}">${escape(name)}</a></td></tr>`;
  }
  const headers = Object.entries(node.headers ?? {}).map(([name, header]) =>
    `<p>header <code>${escape(name)}</code>${header.required ? " (always)" : ""}: ${schema(header.schema)}</p>`).join("");
  return `<tr><td>${status}</td><td>${prose(node.description)}${headers}${content(node.content)}</td></tr>`;
}

function operation(path, method, op) {
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-");
  const parameters = (op.parameters ?? []).map((p) => p.$ref ? doc.components.parameters[refName(p.$ref)] : p);
  return `<section id="${id}">
<h3><code>${method.toUpperCase()} ${escape(path)}</code></h3>
<p><strong>${escape(op.summary ?? "")}</strong></p>
${prose(op.description)}
${op.security ? `<p>Needs <code>Authorization: Bearer &lt;issuer token&gt;</code>.</p>` : ""}
${parameters.length ? `<h4>Path parameters</h4><ul>${parameters.map((p) => `<li><code>${escape(p.name)}</code>: ${schema(p.schema)}</li>`).join("")}</ul>` : ""}
${op.requestBody ? `<h4>Request body${op.requestBody.required ? "" : " (optional)"}</h4>${content(op.requestBody.content)}` : ""}
<h4>Responses</h4>
<table><thead><tr><th>Status</th><th>Answer</th></tr></thead><tbody>
${Object.entries(op.responses).map(([status, node]) => response(status, node)).join("\n")}
</tbody></table>
</section>`;
}

const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, op })));
const { responses = {}, schemas = {} } = doc.components ?? {};

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} ${escape(doc.info.version)}</title>
</head>
<body>
<h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1>
<p>Rendered from <code>src/server/openapi.yaml</code> (OpenAPI ${escape(doc.openapi)}) when the server was built.</p>
<nav><h2>Routes</h2><ul>
${operations.map(({ path, method, op }) => `<li><a href="#${`${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-")}"><code>${method.toUpperCase()} ${escape(path)}</code></a> — ${escape(op.summary ?? "")}</li>`).join("\n")}
</ul></nav>
<h2>Overview</h2>
${prose(doc.info.description)}
<h2>Routes</h2>
${operations.map(({ path, method, op }) => operation(path, method, op)).join("\n")}
<h2>Problem answers</h2>
${Object.entries(responses).map(([name, node]) => `<section id="${anchor("response", name)}"><h3>${escape(name)}</h3>${prose(node.description)}${Object.entries(node.headers ?? {}).map(([header, h]) => `<p>header <code>${escape(header)}</code>${h.required ? " (always)" : ""}: ${schema(h.schema)}</p>`).join("")}${content(node.content)}</section>`).join("\n")}
<h2>Schemas</h2>
${Object.entries(schemas).map(([name, node]) => `<section id="${anchor("schema", name)}"><h3>${escape(name)}</h3><p>${schema(node)}</p></section>`).join("\n")}
</body>
</html>
`;
writeFileSync(output, html);
// A JSON string is a valid C++ string literal too (its escapes are C++'s; the rest is UTF-8).
writeFileSync(source, `// Generated from ${input} by tests/contract/api-docs.mjs.
#include "kamusm/server/api_docs.hpp"

std::string_view kamusm::server::apiDocsHtml() {
    return ${JSON.stringify(html)};
}
`);
