// The comment service a test file runs against: its own, started for that file alone (node
// --test runs each file in its own process) on a fresh SQLite database, serving the release
// build in dist/ with the sample articles, approving every comment, flood control off. No
// file depends on what another posted, and a service that does not start fails the file at
// once with the service's own log.
//   E2E_FIXTURES  the fixture server (tools/fixture-server), a second origin; scripts/test.sh
//                 starts it. Required: the service allows it as a cross-origin embedder.
//   E2E_SERVICE   (optional) use this running service instead of starting one; then
//                 E2E_DATABASE names its database, and files that read or write the
//                 database need it. Tests that count comments assume a fresh database.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BINARY = join(ROOT, 'target/debug/comment-service');
const HOW = 'run the end-to-end tests through scripts/test.sh, which builds everything and starts the fixture server';

function required(name, why) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (${why}): ${HOW}`);
  return value;
}

export const FIXTURES = required('E2E_FIXTURES', 'the fixture server, a second origin');

async function start() {
  for (const [path, what] of [[BINARY, 'the comment service (cargo build -p comment-service)'],
    [join(ROOT, 'dist/article-widget.js'), 'the release build (trunk build --release)']]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: ${what}; or ${HOW}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'article-widget-e2e-'));
  const logPath = join(dir, 'service.log');
  const log = openSync(logPath, 'w');
  const database = `sqlite://${dir}/comments.db`;
  const child = spawn(BINARY, ['--database', database, 'serve', '--address', '127.0.0.1:0',
    '--site', 'dist', '--articles', 'static/articles', '--allow-origin', FIXTURES,
    '--flood-seconds', '0', '--moderation', 'approve-all'], { cwd: ROOT, stdio: ['ignore', log, log] });
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? `status ${code}`; });
  process.on('exit', () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const failed = (why) => new Error(`the comment service ${why}; its log:\n${readFileSync(logPath, 'utf8')}`);
  for (let waited = 0; ; waited += 50) {
    const address = readFileSync(logPath, 'utf8').match(/listening on (http:\/\/[0-9.:]+)/);
    if (address) {
      child.unref();
      return { service: address[1], database };
    }
    if (exited) throw failed(`exited (${exited}) before it listened`);
    if (waited > 20_000) { child.kill(); throw failed('did not listen within 20 s'); }
    await sleep(50);
  }
}

const given = process.env.E2E_SERVICE;
const started = given ? { service: given, database: process.env.E2E_DATABASE } : await start();

/// The service's base address.
export const SERVICE = started.service;
/// The service's database (`sqlite://…`), for tests that read or write it beside the service.
export const DATABASE = started.database
  ?? required('E2E_DATABASE', `the database of the service E2E_SERVICE=${given} names`);
