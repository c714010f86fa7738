#!/usr/bin/env bash
# Loads the release demo page (dist/, served with the comments API at $1, as
# `comment-service serve --site dist` does) in headless Chromium and checks what it rendered:
# the real build, after wasm-opt, must show each sample article in full, and the comments the
# service holds.
set -euo pipefail
base=${1:?usage: smoke-dist.sh http://127.0.0.1:PORT}
passed=0 failed=0
check() { # description, command…
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok    $what"; else failed=$((failed + 1)); echo "FAIL  $what"; fi
}
render() { # url -> DOM after scripts ran
  timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-quic \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d)" \
    --virtual-time-budget=15000 --dump-dom "$1" 2>/dev/null
}
count() { grep -o "$1" <<<"$2" | wc -l; }

dom=$(render "$base/")
check "default article: headline" grep -q 'class="aw-headline"[^>]*>Russia and Iran sign a cooperation treaty in the Kremlin</h1>' <<<"$dom"
check "default article: kicker" grep -q '<p class="aw-kicker">Breaking News</p>' <<<"$dom"
check "default article: featured image" grep -q "<img src=\"$base/static/images/kremlin-dusk.svg\"" <<<"$dom"
body=$(sed -n 's/.*<div class="aw-body">\(.*\)<\/div><\/article>.*/\1/p' <<<"$dom")
check "default article: 21 paragraphs" test "$(count '<p>' "$body")" -eq 21
check "default article: no related block" bash -c '! grep -q "class=\"aw-related\""' <<<"$dom"

check "default article: the comment form" grep -q '>Leave a Reply</h3>' <<<"$dom"
check "default article: an empty thread" grep -q '>No comments yet</h2>' <<<"$dom"

# A comment posted through the API (as a reader's browser would) shows on the page.
node -e '
  fetch(process.argv[1] + "/api/articles/russia-iran-treaty/comments", {
    method: "POST",
    headers: {"Content-Type": "application/json", "Idempotency-Key": "smoke-" + Date.now()},
    body: JSON.stringify({parent: null, author: "Smoke Test", email: "smoke@example.com", website: null,
      content: "Posted by the smoke test.", honeypot: "", rendered_at: Date.now() - 10000}),
  }).then(r => process.exit(r.status === 201 ? 0 : 1), () => process.exit(1));
' "$base" && posted=yes || posted=no
check "a comment posted to the service (201)" test "$posted" = yes
dom=$(render "$base/")
check "the posted comment appears in the thread" grep -q 'Posted by the smoke test.' <<<"$dom"
check "the thread heading counts it" grep -q '>1 Response</h2>' <<<"$dom"

dom=$(render "$base/?src=static/articles/iran-russia-treaty-fa.json")
check "comments closed on the Persian article, said in Persian" grep -q 'امکان ارسال دیدگاه بسته شده است.' <<<"$dom"
check "?src= shows the Persian article right to left" grep -q '<article lang="fa" dir="rtl"' <<<"$dom"

dom=$(render "$base/?src=static/articles/russia-iran-explainer.json")
check "explainer: related links" test "$(count '<li><a href="' "$(sed -n 's/.*\(<nav.*<\/nav>\).*/\1/p' <<<"$dom")")" -eq 2

dom=$(render "$base/?src=static/articles/missing.json")
check "a missing article shows its error" grep -q 'Article not found' <<<"$dom"

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
