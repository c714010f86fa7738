// Prepares the release build for delivery: minifies its JavaScript (the loader and
// wasm-bindgen's glue, with terser from the tools folder, see scripts/tools.sh), then
// precompresses: next to each text or WebAssembly file of the folder it writes FILE.br
// (brotli, quality 11) and FILE.gz (gzip, level 9), the highest levels, paid once at build
// time instead of on every request. The comment service (and any CDN or web server that
// supports precompressed files) sends the one the browser accepts.
// Run by Trunk after a release build (Trunk.toml, [[hooks]]); usage: node precompress.mjs DIR
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const TOOLS = process.env.ARTICLE_WIDGET_TOOLS ?? join(homedir(), '.cache/article-widget-tools');

function loadTerser() {
  try {
    return createRequire(join(TOOLS, 'node_modules', 'index.js'))('terser');
  } catch {
    return null;
  }
}

const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.html', '.json', '.svg', '.txt']);

// The readable sources are embed/article-widget.js and the glue wasm-bindgen writes; what is
// served is minified (names inside each module shortened, comments and spaces out; exported
// and imported names, which the loader and the module share, kept as they are).
async function minify(terser, path) {
  const result = await terser.minify(readFileSync(path, 'utf8'), {
    module: true,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  writeFileSync(path, result.code + '\n');
}

// Without terser (the tools not installed), the loader loses only its comment lines.
function strip(path) {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').filter((line) => !/^\s*\/\//.test(line)).map((line) => line.trim());
  writeFileSync(path, lines.filter((line) => line !== '').join('\n') + '\n');
}

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { walk(path); continue; }
    if (!COMPRESSIBLE.has(extname(name))) continue;
    const data = readFileSync(path);
    if (data.length < 256) continue; // not worth a second request path
    const br = brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [constants.BROTLI_PARAM_MODE]: extname(name) === '.wasm' ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      },
    });
    const gz = gzipSync(data, { level: 9 });
    // Only when it saves bytes: a variant larger than the file would be worse than none.
    if (br.length < data.length) writeFileSync(path + '.br', br);
    if (gz.length < data.length) writeFileSync(path + '.gz', gz);
  }
}

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('usage: node scripts/precompress.mjs DIR');
  process.exit(2);
}
if ((process.env.TRUNK_PROFILE ?? 'release') === 'release') {
  const terser = loadTerser();
  if (terser) {
    for (const name of ['article-widget.js', 'article-widget-core.js']) await minify(terser, join(dir, name));
  } else {
    console.warn(`precompress: terser is not in ${TOOLS} (scripts/tools.sh installs it); the JavaScript is served unminified`);
    strip(join(dir, 'article-widget.js'));
  }
  walk(dir);
}
