//! The controller's quirks (design §3), each row minted in the test with a real key: RSA 1024,
//! 2048 and 4096 (test-only fixture keys in tests/fixtures/rsa, signed here with the textbook
//! RSA private operation so PSS salts can be chosen), P-256, P-384, P-521 and Ed25519 keys
//! made by rcgen and signed with aws-lc-rs. Each row asserts the verdict, the failing check,
//! the controller's answer to the client and the warnings; the CLI's `--json` must agree.

mod common;

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self as lc, EcdsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use common::TempDb;
use extjwt::model::{IdentityDraft, SignerDraft};
use extjwt::store::Store;
use extjwt::verify::{FetchPolicy, KeyCache, Verifier, VerifyReport};
use num_bigint::BigUint;
use rcgen::{CertificateParams, KeyPair, SignatureAlgorithm};
use serde_json::{Value, json};

/// A test-only RSA key from tests/fixtures/rsa.
struct RsaFixture {
    n: BigUint,
    d: BigUint,
    cert_pem: String,
}

fn rsa_fixture(bits: u32) -> RsaFixture {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rsa");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/rsa{bits}.json")).unwrap())
            .unwrap();
    let hex = |k: &str| BigUint::parse_bytes(json[k].as_str().unwrap().as_bytes(), 16).unwrap();
    RsaFixture {
        n: hex("n"),
        d: hex("d"),
        cert_pem: std::fs::read_to_string(format!("{dir}/rsa{bits}.cert.pem")).unwrap(),
    }
}

impl RsaFixture {
    fn size(&self) -> usize {
        self.n.bits().div_ceil(8) as usize
    }

    fn private_op(&self, em: &[u8]) -> Vec<u8> {
        let s = BigUint::from_bytes_be(em)
            .modpow(&self.d, &self.n)
            .to_bytes_be();
        let mut out = vec![0u8; self.size() - s.len()];
        out.extend(s);
        out
    }

    /// RSASSA-PKCS1-v1_5 (RFC 8017 §9.2).
    fn sign_pkcs1(&self, hash: &'static digest::Algorithm, message: &[u8]) -> Vec<u8> {
        let prefix: &[u8] = match hash.output_len() {
            32 => &[
                48, 49, 48, 13, 6, 9, 96, 134, 72, 1, 101, 3, 4, 2, 1, 5, 0, 4, 32,
            ],
            48 => &[
                48, 65, 48, 13, 6, 9, 96, 134, 72, 1, 101, 3, 4, 2, 2, 5, 0, 4, 48,
            ],
            _ => &[
                48, 81, 48, 13, 6, 9, 96, 134, 72, 1, 101, 3, 4, 2, 3, 5, 0, 4, 64,
            ],
        };
        let h = digest::digest(hash, message);
        let t_len = prefix.len() + h.as_ref().len();
        let mut em = vec![0x00, 0x01];
        em.extend(std::iter::repeat_n(0xff, self.size() - t_len - 3));
        em.push(0);
        em.extend_from_slice(prefix);
        em.extend_from_slice(h.as_ref());
        self.private_op(&em)
    }

    /// RSASSA-PSS with a salt of `salt_len` bytes (RFC 8017 §9.1.1).
    fn sign_pss(
        &self,
        hash: &'static digest::Algorithm,
        message: &[u8],
        salt_len: usize,
    ) -> Vec<u8> {
        let h_len = hash.output_len();
        let em_bits = self.n.bits() as usize - 1;
        let em_len = em_bits.div_ceil(8);
        let salt: Vec<u8> = (0..salt_len).map(|i| (i * 7 + 3) as u8).collect();
        let m_hash = digest::digest(hash, message);
        let mut ctx = digest::Context::new(hash);
        ctx.update(&[0u8; 8]);
        ctx.update(m_hash.as_ref());
        ctx.update(&salt);
        let h = ctx.finish();
        let mut db = vec![0u8; em_len - salt_len - h_len - 2];
        db.push(1);
        db.extend_from_slice(&salt);
        let mut mask = Vec::new();
        let mut counter = 0u32;
        while mask.len() < db.len() {
            let mut c = digest::Context::new(hash);
            c.update(h.as_ref());
            c.update(&counter.to_be_bytes());
            mask.extend_from_slice(c.finish().as_ref());
            counter += 1;
        }
        for (b, m) in db.iter_mut().zip(mask) {
            *b ^= m;
        }
        db[0] &= 0xff >> (8 * em_len - em_bits);
        let mut em = db;
        em.extend_from_slice(h.as_ref());
        em.push(0xbc);
        self.private_op(&em)
    }

    /// The largest salt the key allows.
    fn max_salt(&self, hash: &'static digest::Algorithm) -> usize {
        (self.n.bits() as usize - 1).div_ceil(8) - hash.output_len() - 2
    }
}

/// An EC key made by rcgen, with a certificate, signing through aws-lc-rs.
struct EcFixture {
    pair: EcdsaKeyPair,
    cert_pem: String,
    /// Coordinate size of its curve.
    size: usize,
}

fn ec_fixture(
    alg: &'static SignatureAlgorithm,
    signing: &'static lc::EcdsaSigningAlgorithm,
    size: usize,
) -> EcFixture {
    let key = KeyPair::generate_for(alg).unwrap();
    let cert = CertificateParams::new(vec!["ec.test".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    EcFixture {
        pair: EcdsaKeyPair::from_pkcs8(signing, &key.serialize_der()).unwrap(),
        cert_pem: cert.pem(),
        size,
    }
}

impl EcFixture {
    /// An ECDSA signature over `hash(message)` truncated to the curve, as r ‖ s padded to
    /// `out_size` bytes each (the JWS alg's size, which need not be the curve's).
    fn sign(&self, hash: &'static digest::Algorithm, message: &[u8], out_size: usize) -> Vec<u8> {
        let full = digest::digest(hash, message);
        let own: &'static digest::Algorithm = match self.size {
            32 => &digest::SHA256,
            48 => &digest::SHA384,
            _ => &digest::SHA512,
        };
        // ECDSA signs the hash's leftmost bits, as many as the curve has: aws-lc-rs signs a
        // digest of the key's own hash size, so a longer hash is cut to that size here. (A
        // shorter one, SHA-256 on P-384, is not needed by these rows.)
        assert!(full.as_ref().len() >= own.output_len());
        let value = &full.as_ref()[..own.output_len()];
        let imported = digest::Digest::import_less_safe(value, own).unwrap();
        let sig = self.pair.sign_digest(&imported).unwrap();
        let (r, s) = sig.as_ref().split_at(self.size);
        let mut out = Vec::new();
        for half in [r, s] {
            out.extend(std::iter::repeat_n(0, out_size.saturating_sub(half.len())));
            out.extend_from_slice(half);
        }
        out
    }
}

fn ps<'a>(
    key: &'a RsaFixture,
    hash: &'static digest::Algorithm,
    salt: usize,
) -> impl Fn(&[u8]) -> Vec<u8> + 'a {
    move |m| key.sign_pss(hash, m, salt)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with this header and payload, signed by `sign` over `header.payload`.
fn mint(header: &Value, claims: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = sign(input.as_bytes());
    format!("{input}.{}", b64(&signature))
}

struct Row {
    name: &'static str,
    token: String,
    /// (reason code, failing check, client error); None: valid, client got 200.
    verdict: Option<(&'static str, &'static str, &'static str)>,
    /// Substrings, one per expected warning (the warnings must be exactly these many).
    warnings: Vec<&'static str>,
}

struct World {
    db: TempDb,
    now: DateTime<Utc>,
    rows: Vec<Row>,
}

fn signer(name: &str, cert_pem: &str, kid: Option<&str>, claims: &str) -> SignerDraft {
    SignerDraft {
        name: name.into(),
        issuer: format!("https://{name}.idp"),
        audience: "ziti".into(),
        cert_pem: Some(cert_pem.to_string()),
        kid: kid.map(str::to_string),
        claims_property: claims.into(),
        ..SignerDraft::default()
    }
}

fn world() -> World {
    let db = TempDb::new();
    let mut store = Store::open(&db.path).unwrap();
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
    let t = now.timestamp();
    let rsa1024 = rsa_fixture(1024);
    let rsa2048 = rsa_fixture(2048);
    let rsa4096 = rsa_fixture(4096);
    let p256 = ec_fixture(
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &lc::ECDSA_P256_SHA256_FIXED_SIGNING,
        32,
    );
    let p384 = ec_fixture(
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &lc::ECDSA_P384_SHA384_FIXED_SIGNING,
        48,
    );
    let p521 = ec_fixture(
        &rcgen::PKCS_ECDSA_P521_SHA512,
        &lc::ECDSA_P521_SHA512_FIXED_SIGNING,
        66,
    );
    let groups = ec_fixture(
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &lc::ECDSA_P256_SHA256_FIXED_SIGNING,
        32,
    );
    let ed = common::ed25519("ed.idp");
    let drafts = [
        signer("rsa1024", &rsa1024.cert_pem, Some("k"), "/email"),
        signer("rsa2048", &rsa2048.cert_pem, Some("k2"), "/email"),
        signer("rsa4096", &rsa4096.cert_pem, Some("k4"), "/email"),
        signer("p256", &p256.cert_pem, Some("e256"), "/email"),
        signer("p384", &p384.cert_pem, Some("e384"), "/email"),
        signer("p521", &p521.cert_pem, Some("e521"), "/email"),
        signer("ed", &ed.cert_pem, Some("ed"), "/email"),
        signer("groups", &groups.cert_pem, Some("g"), "groups/01"),
        // Saved by the ziti CLI or web console with kid "": never falls back to the fingerprint.
        signer(
            "emptykid",
            &common::rsa("emptykid").cert_pem,
            Some(""),
            "/email",
        ),
    ];
    for d in drafts {
        store.create_signer(&d.validate().unwrap()).unwrap();
    }
    let identity = |name: &str, ext: &str, disabled: bool, until: Option<String>| IdentityDraft {
        name: name.into(),
        external_id: Some(ext.into()),
        disabled,
        disabled_until: until,
        ..IdentityDraft::default()
    };
    for d in [
        identity("alice", "alice@example.com", false, None),
        identity(
            "locked",
            "locked@example.com",
            true,
            Some(DateTime::from_timestamp(t + 3600, 0).unwrap().to_rfc3339()),
        ),
        identity(
            "unlocked",
            "unlocked@example.com",
            true,
            Some(DateTime::from_timestamp(t - 3600, 0).unwrap().to_rfc3339()),
        ),
    ] {
        store.create_identity(&d.validate().unwrap()).unwrap();
    }
    let claims = |iss: &str| json!({"iss": format!("https://{iss}.idp"), "aud": "ziti", "email": "alice@example.com", "exp": t + 3600});
    let with = |iss: &str, patch: Value| {
        let mut c = claims(iss);
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let h = |alg: &str, kid: &str| json!({"alg": alg, "kid": kid, "typ": "JWT"});
    let ed_sign = |claims: &Value| ed.mint(jsonwebtoken::Algorithm::EdDSA, Some("ed"), claims);
    let mut rows = Vec::new();
    let mut row = |name, token, verdict, warnings: Vec<&'static str>| {
        rows.push(Row {
            name,
            token,
            verdict,
            warnings,
        })
    };
    row(
        "RSA 1024 RS256: accepted with a weak-key warning",
        mint(&h("RS256", "k"), &claims("rsa1024"), |m| {
            rsa1024.sign_pkcs1(&digest::SHA256, m)
        }),
        None,
        vec!["weak key"],
    );
    row(
        "RSA 1024 RS384 (no aws-lc-rs path): accepted",
        mint(&h("RS384", "k"), &claims("rsa1024"), |m| {
            rsa1024.sign_pkcs1(&digest::SHA384, m)
        }),
        None,
        vec!["weak key"],
    );
    row(
        "RSA 1024 PS256 salt 32",
        mint(
            &h("PS256", "k"),
            &claims("rsa1024"),
            ps(&rsa1024, &digest::SHA256, 32),
        ),
        None,
        vec!["weak key"],
    );
    row(
        "RSA 2048 PS256 salt 0: golang-jwt's auto salt accepts it",
        mint(
            &h("PS256", "k2"),
            &claims("rsa2048"),
            ps(&rsa2048, &digest::SHA256, 0),
        ),
        None,
        vec!["PSS salt of 0 bytes"],
    );
    row(
        "RSA 2048 PS256 salt 32 (the hash length)",
        mint(
            &h("PS256", "k2"),
            &claims("rsa2048"),
            ps(&rsa2048, &digest::SHA256, 32),
        ),
        None,
        vec![],
    );
    let max = rsa2048.max_salt(&digest::SHA512);
    row(
        "RSA 2048 PS512 maximum salt",
        mint(
            &h("PS512", "k2"),
            &claims("rsa2048"),
            ps(&rsa2048, &digest::SHA512, max),
        ),
        None,
        vec!["PSS salt of"],
    );
    row(
        "RSA 4096 RS512",
        mint(&h("RS512", "k4"), &claims("rsa4096"), |m| {
            rsa4096.sign_pkcs1(&digest::SHA512, m)
        }),
        None,
        vec![],
    );
    row(
        "P-521 ES512",
        mint(&h("ES512", "e521"), &claims("p521"), |m| {
            p521.sign(&digest::SHA512, m, 66)
        }),
        None,
        vec![],
    );
    row(
        "ES384 signed with a P-256 key: the curve is not checked",
        mint(&h("ES384", "e256"), &claims("p256"), |m| {
            p256.sign(&digest::SHA384, m, 48)
        }),
        None,
        vec!["ES384 is meant for P-384"],
    );
    row(
        "P-384 ES384",
        mint(&h("ES384", "e384"), &claims("p384"), |m| {
            p384.sign(&digest::SHA384, m, 48)
        }),
        None,
        vec![],
    );
    row(
        "ES256 header over a P-521 key: r ‖ s is not 64 bytes",
        mint(&h("ES256", "e521"), &claims("p521"), |m| {
            p521.sign(&digest::SHA512, m, 66)
        }),
        Some(("bad_signature", "signature", "invalid")),
        vec!["ES256 is meant for P-256"],
    );
    row("Ed25519", ed_sign(&claims("ed")), None, vec![]);
    let es = |c: &Value| {
        mint(&h("ES256", "e256"), c, |m| {
            p256.sign(&digest::SHA256, m, 32)
        })
    };
    row(
        "scope as an array: refused before any signer is chosen",
        es(&with("p256", json!({"scope": ["openid", "email"]}))),
        Some(("malformed", "format", "missing")),
        vec![],
    );
    row(
        "z_ia as a string: CustomClaims refuses it",
        es(&with("p256", json!({"z_ia": "true"}))),
        Some(("malformed", "format", "missing")),
        vec![],
    );
    row(
        "aud holding a number: the decoder panics",
        es(&with("p256", json!({"aud": ["ziti", 7]}))),
        Some(("malformed", "format", "missing")),
        vec!["panics"],
    );
    row(
        "exp 0 means no expiry",
        es(&with("p256", json!({"exp": 0}))),
        None,
        vec!["never expires"],
    );
    row(
        "exp absent: never expires",
        es(&json!({"iss": "https://p256.idp", "aud": "ziti", "email": "alice@example.com"})),
        None,
        vec!["never expires"],
    );
    row(
        "exp fraction truncates to now: expired",
        es(&with("p256", json!({"exp": t as f64 + 0.9}))),
        Some(("expired", "expiry", "expired")),
        vec![],
    );
    row(
        "exp as an RFC 3339 string: typed claims accept it, MapClaims does not",
        es(&with("p256", json!({"exp": "2099-01-01T00:00:00Z"}))),
        Some(("malformed", "expiry", "invalid")),
        vec![],
    );
    row(
        "exp as any other string: refused by the typed claims",
        es(&with("p256", json!({"exp": "tomorrow"}))),
        Some(("malformed", "format", "missing")),
        vec![],
    );
    row(
        "nbf as an RFC 3339 string",
        es(&with("p256", json!({"nbf": "2000-01-01T00:00:00Z"}))),
        Some(("malformed", "not-before", "invalid")),
        vec![],
    );
    row(
        "claim pointer groups/01 reads index 1 (strconv.Atoi)",
        mint(
            &h("ES256", "g"),
            &json!({"iss": "https://groups.idp", "aud": "ziti", "exp": t + 60, "groups": ["x", "alice@example.com"]}),
            |m| groups.sign(&digest::SHA256, m, 32),
        ),
        None,
        vec![],
    );
    row(
        "signer kid \"\": no fallback to the fingerprint",
        mint(&h("RS256", "anything"), &claims("emptykid"), |m| {
            rsa4096.sign_pkcs1(&digest::SHA256, m)
        }),
        Some(("key_not_found", "key", "invalid")),
        vec![],
    );
    row(
        "identity disabled until an hour from now",
        es(&with("p256", json!({"email": "locked@example.com"}))),
        Some(("identity_disabled", "identity-enabled", "missing")),
        vec![],
    );
    row(
        "identity whose lock ended an hour ago",
        es(&with("p256", json!({"email": "unlocked@example.com"}))),
        None,
        vec![],
    );
    row(
        "alg ES256K is not a method golang-jwt knows: not even a candidate",
        mint(&h("ES256K", "e256"), &claims("p256"), |m| {
            p256.sign(&digest::SHA256, m, 32)
        }),
        Some(("unsupported_algorithm", "algorithm", "missing")),
        vec![],
    );
    row(
        "alg HS256 is known but refused",
        mint(&h("HS256", "e256"), &claims("p256"), |_| vec![1; 32]),
        Some(("unsupported_algorithm", "algorithm", "invalid")),
        vec![],
    );
    row(
        "kid of the wrong type",
        mint(&json!({"alg": "ES256", "kid": 5}), &claims("p256"), |m| {
            p256.sign(&digest::SHA256, m, 32)
        }),
        Some(("key_not_found", "key", "invalid")),
        vec![],
    );
    row(
        "ISS spelled in capitals binds the signer, but verification wants iss",
        es(
            &json!({"ISS": "https://p256.idp", "aud": "ziti", "email": "alice@example.com", "exp": t + 60}),
        ),
        Some(("unknown_issuer", "signer", "invalid")),
        vec![],
    );
    World { db, now, rows }
}

fn verify(world: &World, token: &str) -> VerifyReport {
    let store = Store::open(&world.db.path).unwrap();
    let cache = KeyCache::new();
    Verifier::new(&store, &cache, FetchPolicy::Blocking)
        .verify(token, world.now, 0)
        .unwrap()
}

#[test]
fn every_quirk_gives_the_controllers_verdict_answer_and_warnings() {
    let world = world();
    for row in &world.rows {
        let report = verify(&world, &row.token);
        let text = report.to_text().to_string();
        let got = report.verdict().map(|c| {
            (
                c.status.reason().unwrap().code(),
                c.check.name(),
                c.client_error().unwrap().code(),
            )
        });
        assert_eq!(got, row.verdict, "{}: {text}", row.name);
        let answer = report.controller().unwrap();
        assert_eq!(
            answer.status,
            if row.verdict.is_some() { 401 } else { 200 },
            "{}",
            row.name
        );
        assert_eq!(
            report.warnings.len(),
            row.warnings.len(),
            "{}: {text}",
            row.name
        );
        for expected in &row.warnings {
            assert!(
                report.warnings.iter().any(|w| w.contains(expected)),
                "{}: warning {expected:?} missing: {text}",
                row.name
            );
        }
    }
}

#[test]
fn the_cli_json_agrees_row_by_row() {
    let world = world();
    let at = world.now.timestamp().to_string();
    for row in &world.rows {
        let report = verify(&world, &row.token);
        let out = world
            .db
            .cmd()
            .args(["verify", "--json", "--at", &at, "-"])
            .write_stdin(row.token.clone())
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json, report.to_json(), "{}", row.name);
        let expected_error = row.verdict.map(|v| v.2);
        assert_eq!(
            json["controller"]["error"].as_str(),
            expected_error,
            "{}",
            row.name
        );
        assert_eq!(
            out.status.code(),
            Some(if row.verdict.is_some() { 1 } else { 0 }),
            "{}",
            row.name
        );
    }
}
