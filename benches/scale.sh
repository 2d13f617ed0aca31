#!/usr/bin/env bash
# Process-level figures for the README's performance table (design §8, issue 6):
#   - `extjwt signer list --json` and console start-up to first frame with 100 000 signers:
#     wall time and peak memory from /usr/bin/time -v (the console runs in a pty via script(1));
#   - `extjwt verify` against jwt-cli's `jwt decode` on the same RS256 token and key, with
#     hyperfine, and both programs' `--version` (process start and argument parsing alone).
#     `bash benches/startup.sh` breaks the verify process down by phase.
# Needs: /usr/bin/time (apt-get install time), script (util-linux), hyperfine (apt-get install
# hyperfine), jwt-cli (cargo install jwt-cli), openssl. Run from the repository root.
set -euo pipefail
cargo build --release --quiet
BIN="$PWD/target/release/extjwt"
JWT="${JWT:-$(command -v jwt || echo "$HOME/.cargo/bin/jwt")}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== 100 000 signers"
awk 'BEGIN {
  printf "{\"externalJwtSigners\": [";
  for (i = 0; i < 100000; i++) {
    if (i) printf ",";
    printf "{\"name\":\"signer-%06d\",\"issuer\":\"https://idp-%d.example.com/oauth2/default\",\"audience\":\"api://ziti-%d\",\"jwksEndpoint\":\"https://idp-%d.example.com/jwks\",\"enabled\":true}", i, i, i % 50, i;
  }
  printf "]}\n";
}' > "$WORK/big.json"
"$BIN" --db "$WORK/big.db" import "$WORK/big.json"

# Runs "$2" (a shell command that writes /usr/bin/time -v output to $TIME_FILE) five times and
# prints the best wall time with its peak RSS.
best_of_five() { # label, command
  local label="$1" command="$2" best_ms=999999 rss=0 wall ms kb
  export TIME_FILE="$WORK/time.txt"
  for _ in 1 2 3 4 5; do
    bash -c "$command" > /dev/null 2>&1 || true
    wall=$(grep "Elapsed (wall clock)" "$TIME_FILE" | awk '{print $NF}')
    ms=$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%d", s * 1000 }')
    kb=$(grep "Maximum resident set size" "$TIME_FILE" | awk '{print $NF}')
    if [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; rss=$kb; fi
  done
  printf "%-50s best of 5: %5d ms, peak RSS %6.1f MiB\n" "$label" "$best_ms" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
}

best_of_five "signer list --json (100 000 signers)" \
  "/usr/bin/time -v -o \$TIME_FILE $BIN --db $WORK/big.db signer list --json"
# The console needs a terminal: script(1) gives it a pty; time measures extjwt alone inside it.
best_of_five "console start-up to first frame (100 000)" \
  "script -qec '/usr/bin/time -v -o \$TIME_FILE $BIN --db $WORK/big.db --exit-after-first-frame' /dev/null"

echo "== extjwt verify vs jwt decode (RS256, same token and key)"
# shellcheck source=benches/verify_fixture.sh
source "$(dirname "$0")/verify_fixture.sh"
make_verify_fixture
hyperfine --warmup 20 --runs 300 -N \
  "$BIN --db $WORK/v.db verify $TOKEN" \
  "$JWT decode -A RS256 -S @$WORK/pub.pem $TOKEN" \
  "$BIN --version" \
  "$JWT --version"

# Writes an import file of N identities; with "bad", one more record without a name ends it.
identities_json() { # count, [bad]
  awk -v n="$1" -v bad="${2:-}" 'BEGIN {
    printf "{\"identities\": [";
    for (i = 0; i < n; i++) {
      if (i) printf ",";
      printf "{\"name\":\"user-%07d\",\"externalId\":\"user-%07d@example.com\",\"type\":\"User\",\"enabled\":true}", i, i;
    }
    if (bad) printf ",{\"name\":\"\",\"type\":\"User\"}";
    printf "]}\n";
  }'
}

echo "== import: 1 000 000 identities, with an identity create started midway"
identities_json 1000000 > "$WORK/ids.json"
/usr/bin/time -v -o "$WORK/import.txt" "$BIN" --db "$WORK/ids.db" import "$WORK/ids.json" > /dev/null &
IMPORT_PID=$!
sleep 3
# Waits on the import's write lock (busy timeout 120 s) and must succeed once it commits.
"$BIN" --db "$WORK/ids.db" identity create midway --external-id midway@example.com > /dev/null \
  && echo "identity create started midway: succeeded"
wait "$IMPORT_PID"
printf "%-50s %s, peak RSS %6.1f MiB\n" "import 1 000 000 identities" \
  "$(grep 'Elapsed (wall clock)' "$WORK/import.txt" | awk '{print $NF}')" \
  "$(awk '/Maximum resident set size/ {print $NF/1024}' "$WORK/import.txt")"

echo "== import: 64 MiB file whose last record is bad"
identities_json 730000 bad > "$WORK/bad.json"
/usr/bin/time -v -o "$WORK/bad.txt" "$BIN" --db "$WORK/bad.db" import "$WORK/bad.json" > /dev/null 2>&1 || true
printf "%-50s %s (%s MiB file), peak RSS %6.1f MiB\n" "import rejected at its last record" \
  "$(grep 'Elapsed (wall clock)' "$WORK/bad.txt" | awk '{print $NF}')" \
  "$(( $(stat -c %s "$WORK/bad.json") / 1048576 ))" \
  "$(awk '/Maximum resident set size/ {print $NF/1024}' "$WORK/bad.txt")"
