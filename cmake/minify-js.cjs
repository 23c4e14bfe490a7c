// Minifies the JavaScript the pages load, in place: Emscripten's loaders as they are linked
// (cmake/WebApp.cmake) and the pages' own scripts (tests/build-web.sh). Emscripten would do this
// with the Closure Compiler, which Debian does not package; terser (node-terser) renames what is
// local and drops what is never used. Names at a script's top level stay, as other scripts on
// the page may use them.
"use strict";
const fs = require("fs");
const { minify } = require("terser");

async function main(files) {
  for (const file of files) {
    const result = await minify(fs.readFileSync(file, "utf8"), {
      compress: { passes: 2 },
      format: { comments: false },
    });
    fs.writeFileSync(file, result.code);
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`minify-js: ${error.message}`);
  process.exit(1);
});
