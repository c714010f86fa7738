// Prepares the release build for delivery: strips the loader's comments, then precompresses: next to each text or WebAssembly file of the
// folder it writes FILE.br (brotli, quality 11) and FILE.gz (gzip, level 9), the highest
// levels, paid once at build time instead of on every request. The comment service (and any
// CDN or web server that supports precompressed files) sends the one the browser accepts.
// Run by Trunk after a release build (Trunk.toml, [[hooks]]); usage: node precompress.mjs DIR
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.html', '.json', '.svg', '.txt']);

// The loader is served as written, less its comment lines and indentation (its readable
// source is embed/article-widget.js).
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
  strip(join(dir, 'article-widget.js'));
  walk(dir);
}
