// Copies the front-end packages installed by npm into balcao/static/vendor/,
// which is git-ignored: assets come from the npm registry at build time.
import { cpSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "balcao", "static", "vendor");
const copies = [
  ["node_modules/@govbr-ds/core/dist/core.min.css", "govbr/core.min.css"],
  // The source maps the minified files point at: without them collectstatic's manifest
  // storage (BALCAO_DEBUG=0) refuses the files that reference them.
  ["node_modules/@govbr-ds/core/dist/core.min.css.map", "govbr/core.min.css.map"],
  ["node_modules/@govbr-ds/core/dist/core.min.js", "govbr/core.min.js"],
  ["node_modules/@govbr-ds/core/dist/core.min.js.map", "govbr/core.min.js.map"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
];
for (const [src, dest] of copies) {
  const from = join(root, src);
  if (!existsSync(from)) {
    console.error(`missing ${src}: run npm ci first`);
    process.exit(1);
  }
  const to = join(out, dest);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}
console.log(`assets copied to ${out}`);
