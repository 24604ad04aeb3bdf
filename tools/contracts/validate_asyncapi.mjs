// Validates an AsyncAPI document with the official parser: the AsyncAPI JSON Schema of its version
// (from @asyncapi/specs) and the parser's own rules (references resolve, operations use their
// channel's messages, …). Fails on any error or warning; info and hints (e.g. "a newer AsyncAPI
// version exists") are printed only.
// Usage: node validate_asyncapi.mjs docs/asyncapi/innkeeper.json
import { readFileSync } from "node:fs";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";

const path = process.argv[2];
const { document, diagnostics } = await new Parser().parse(readFileSync(path, "utf8"), { source: path });
const failing = [DiagnosticSeverity.Error, DiagnosticSeverity.Warning];
let failures = 0;
for (const diagnostic of diagnostics) {
  const fails = failing.includes(diagnostic.severity);
  failures += fails ? 1 : 0;
  const where = diagnostic.path.join(".") || "(document)";
  console.log(`${fails ? "FAIL" : "note"} ${diagnostic.code} at ${where}: ${diagnostic.message}`);
}
if (!document || failures > 0) {
  console.log(`${path}: not a valid AsyncAPI document (${failures} errors and warnings above)`);
  process.exit(1);
}
console.log(`${path}: valid AsyncAPI ${document.version()} (${document.operations().length} operations)`);
