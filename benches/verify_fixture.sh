# Sourced by scale.sh and startup.sh: the one fixture both compare `extjwt verify` with
# jwt-cli's `jwt decode` on. With BIN, JWT and WORK set, make_verify_fixture writes an RSA 2048
# key, its certificate and public key, and a database with a signer for that certificate and one
# identity into $WORK, and sets TOKEN to an RS256 token that maps to the identity. Both tools
# are run once on it first, so a broken fixture stops the script (set -e) instead of measuring
# an error path.
make_verify_fixture() {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2> /dev/null
  openssl req -x509 -key "$WORK/key.pem" -out "$WORK/cert.pem" -days 30 -subj "/CN=bench" 2> /dev/null
  openssl x509 -in "$WORK/cert.pem" -pubkey -noout > "$WORK/pub.pem"
  "$BIN" --db "$WORK/v.db" signer create bench https://bench.idp -a ziti -f "$WORK/cert.pem" -k k1 -c email > /dev/null
  "$BIN" --db "$WORK/v.db" identity create alice --external-id alice@example.com > /dev/null
  TOKEN=$("$JWT" encode -A RS256 -k k1 -S "@$WORK/key.pem" -i https://bench.idp -a ziti --exp=+1h -P email=alice@example.com)
  "$BIN" --db "$WORK/v.db" verify "$TOKEN" > /dev/null
  "$JWT" decode -A RS256 -S "@$WORK/pub.pem" "$TOKEN" > /dev/null
}
