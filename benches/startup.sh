#!/usr/bin/env bash
# Where the time of one `extjwt verify` process goes (design §8, issue 14), against jwt-cli's
# `jwt decode` on the same RS256 token and key.
#
# Counted in executed instructions with callgrind, not in milliseconds: instruction counts repeat
# from run to run whatever else the machine is doing, where wall times of a 1-2 ms process on a
# shared 2-core VM move by 10-20 %. Each phase is counted with --toggle-collect on the function
# that runs it (inclusive: a phase's figure contains its sub-phases). Instructions are not time:
# page faults and system calls cost time without executing user instructions, so the hyperfine
# figures in benches/scale.sh stay the measure of the target; this script says which part to cut.
#
# Needs valgrind, openssl and jwt-cli (cargo install jwt-cli; or JWT=/path/to/jwt). Builds the
# `profiling` profile (release code with symbols). Run from the repository root.
set -euo pipefail
cargo build --profile profiling --quiet
BIN="$PWD/target/profiling/extjwt"
JWT="${JWT:-$(command -v jwt || echo "$HOME/.cargo/bin/jwt")}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=benches/verify_fixture.sh
source "$(dirname "$0")/verify_fixture.sh"
make_verify_fixture

# Instructions executed by a command, or only inside functions matching a callgrind pattern.
instructions() { # pattern ("" for the whole process), command...
  local pattern="$1"
  shift
  local toggle=()
  if [ -n "$pattern" ]; then toggle=("--toggle-collect=$pattern"); fi
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "${toggle[@]}" "$@" 2>&1 > /dev/null \
    | awk '/refs:/ { gsub(",", "", $NF); print $NF }'
}

# Prints one row. The phases of `extjwt verify` (labels indented by two spaces; their parts by
# four) add up in PARTS, so what no phase covers can be shown as the rest.
PARTS=0
row() { # label, pattern, command...
  local label="$1" count
  shift
  count=$(instructions "$@")
  printf "%-58s %6.2f M\n" "$label" "$(awk -v n="$count" 'BEGIN { print n / 1e6 }')"
  if [[ "$label" == "  "[!\ ]* ]]; then PARTS=$((PARTS + count)); fi
}

VERIFY=("$BIN" --db "$WORK/v.db" verify "$TOKEN")
DECODE=("$JWT" decode -A RS256 -S "@$WORK/pub.pem" "$TOKEN")
echo "== instructions executed (callgrind), same RS256 token and key"
row "jwt decode, whole process" "" "${DECODE[@]}"
row "  of which the dynamic loader" "_dl_start" "${DECODE[@]}"
row "jwt --version, whole process" "" "$JWT" --version
row "extjwt --version, whole process" "" "$BIN" --version
PARTS=0
WHOLE=$(instructions "" "${VERIFY[@]}")
printf "%-58s %6.2f M\n" "extjwt verify, whole process" "$(awk -v n="$WHOLE" 'BEGIN { print n / 1e6 }')"
row "  dynamic loader (libraries, relocations)" "_dl_start" "${VERIFY[@]}"
row "  command-line definition (clap builds every subcommand)" "*CommandFactory*command*" "${VERIFY[@]}"
row "  command-line parsing" "*try_get_matches*" "${VERIFY[@]}"
row "  config file" "*config::load*" "${VERIFY[@]}"
row "  store open (read-only)" "*Store::open_for_reading*" "${VERIFY[@]}"
row "    of which SQLite reads and parses the schema" "sqlite3ReadSchema" "${VERIFY[@]}"
row "  verification, in one read transaction" "*Store::in_one_read*" "${VERIFY[@]}"
row "    of which signer, identity and policy lookups" "*entity::query_one*" "${VERIFY[@]}"
row "    of which the RS256 signature check (aws-lc-rs)" "*keys::PublicKey::verify*" "${VERIFY[@]}"
row "  report rendering (escaped text)" "*VerifyReport::to_text*" "${VERIFY[@]}"
row "  store close" "*drop_in_place*Store*" "${VERIFY[@]}"
printf "%-58s %6.2f M\n" "  the rest (Rust runtime, stdout, exit)" "$(awk -v w="$WHOLE" -v p="$PARTS" 'BEGIN { print (w - p) / 1e6 }')"
