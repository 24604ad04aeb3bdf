// Generates TypeScript types from every OpenAPI document in a folder with openapi-typescript, in one
// process (a CLI run per document costs a second of start-up each). Writes <out>/<name>.ts.
// Usage: node generate_typescript.mjs docs/openapi build/typescript
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

const [source, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const names = readdirSync(source).filter((name) => name.endsWith(".json")).sort();
if (names.length === 0) throw new Error(`no OpenAPI documents in ${source}`);
for (const name of names) {
  const document = JSON.parse(readFileSync(join(source, name), "utf8"));
  // Unknown or dangling references fail here rather than yielding `unknown`.
  const ast = await openapiTS(document, { silent: true });
  writeFileSync(join(out, `${basename(name, ".json")}.ts`), astToString(ast));
}
console.log(`generated ${names.length} TypeScript modules into ${out}`);
