// The contract check for programs in other languages (the C++ server tests): one exchange per
// line of JSON on stdin (see contract.mjs), one answer per line on stdout: [] when it keeps to
// src/server/openapi.yaml, else the list of what breaks it. The first line is "ready" once the
// document validated, or the validator's error.
import { createInterface } from "node:readline";
import { loadContract } from "./contract.mjs";

let contract;
try {
  contract = await loadContract();
} catch (error) {
  console.log(JSON.stringify(`src/server/openapi.yaml is not valid OpenAPI: ${error.message}`));
  process.exit(1);
}
console.log(JSON.stringify("ready"));
for await (const line of createInterface({ input: process.stdin })) {
  let errors;
  try {
    errors = contract.check(JSON.parse(line));
  } catch (error) {
    errors = [`cannot check this exchange: ${error.message}`];
  }
  console.log(JSON.stringify(errors));
}
