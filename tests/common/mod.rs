//! Test support: real keys and certificates made with rcgen, tokens minted with jsonwebtoken,
//! and the real binary on a temporary database.
#![allow(dead_code)]

use assert_cmd::Command;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SignatureAlgorithm};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A key pair with a self-signed certificate for it.
pub struct TestKey {
    pub alg: Algorithm,
    pub private_pem: String,
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
}

fn make(
    alg: &'static SignatureAlgorithm,
    jwt_alg: Algorithm,
    cn: &str,
    days: (i64, i64),
) -> TestKey {
    let key = KeyPair::generate_for(alg).expect("key generation");
    let mut params = CertificateParams::new(vec![cn.to_string()]).expect("params");
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(days.0);
    params.not_after = now + time::Duration::days(days.1);
    let cert = params.self_signed(&key).expect("self-signed certificate");
    TestKey {
        alg: jwt_alg,
        private_pem: key.serialize_pem(),
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
    }
}

pub fn rsa(cn: &str) -> TestKey {
    make(&rcgen::PKCS_RSA_SHA256, Algorithm::RS256, cn, (1, 365))
}
pub fn p256(cn: &str) -> TestKey {
    make(
        &rcgen::PKCS_ECDSA_P256_SHA256,
        Algorithm::ES256,
        cn,
        (1, 365),
    )
}
pub fn p384(cn: &str) -> TestKey {
    make(
        &rcgen::PKCS_ECDSA_P384_SHA384,
        Algorithm::ES384,
        cn,
        (1, 365),
    )
}
pub fn ed25519(cn: &str) -> TestKey {
    make(&rcgen::PKCS_ED25519, Algorithm::EdDSA, cn, (1, 365))
}
/// A P-256 certificate valid from `before` days ago to `after` days ahead.
pub fn p256_valid(cn: &str, before: i64, after: i64) -> TestKey {
    make(
        &rcgen::PKCS_ECDSA_P256_SHA256,
        Algorithm::ES256,
        cn,
        (before, after),
    )
}

impl TestKey {
    pub fn encoding_key(&self) -> EncodingKey {
        let pem = self.private_pem.as_bytes();
        match self.alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => EncodingKey::from_rsa_pem(pem),
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
            other => panic!("no test keys for {other:?}"),
        }
        .expect("encoding key")
    }

    /// SHA-1 of the certificate DER, lowercase hex.
    pub fn fingerprint(&self) -> String {
        use sha1::Digest;
        sha1::Sha1::digest(&self.cert_der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A token signed with this key.
    pub fn mint(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_string);
        jsonwebtoken::encode(&header, claims, &self.encoding_key()).expect("mint token")
    }
}

/// A temporary directory with a database path in it.
pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("extjwt.db");
        TempDb { dir, path }
    }

    /// The binary with `--db` set to this database.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("extjwt").expect("binary");
        cmd.arg("--db").arg(&self.path).env_remove("EXTJWT_DB");
        cmd
    }

    /// Writes a file in the temporary directory and returns its path.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }

    /// `extjwt export` as text.
    pub fn export(&self) -> String {
        let out = self.cmd().arg("export").output().expect("run export");
        assert!(
            out.status.success(),
            "export failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }

    /// Runs the binary with `args`, asserts success and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }

    /// Runs a command that must fail: exit 2, one line on stderr holding `needle` (the field
    /// or the reason), and the database unchanged. Returns the error line.
    pub fn refused(&self, args: &[&str], needle: &str) -> String {
        let before = self.export();
        let out = self.cmd().args(args).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: expected exit 2, stderr: {stderr}"
        );
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{args:?}: not one line: {stderr}"
        );
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: error does not say {needle}: {stderr}"
        );
        assert_eq!(self.export(), before, "{args:?} changed the database");
        stderr
    }

    /// Runs the binary and parses its stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("json output")
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// Proptest settings for the hostile-input tests: a fixed seed (repeatable runs), no failure
/// files, and `cases` multiplied by `EXTJWT_FUZZ_SCALE` (the README records the million-case runs).
pub fn fuzz_config(cases: u32, seed: u64) -> proptest::test_runner::Config {
    let scale: u32 = std::env::var("EXTJWT_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    proptest::test_runner::Config {
        cases: cases * scale.max(1),
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..proptest::test_runner::Config::default()
    }
}

/// base64url without padding of a JSON value, for hand-built tokens.
pub fn b64url(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

impl TestKey {
    /// The RSA public key of this key's certificate as a JWK with n/e (unpadded base64url,
    /// no leading zeros, as IdPs publish them).
    pub fn rsa_jwk(&self, kid: &str) -> Value {
        use base64::Engine;
        use x509_parser::prelude::FromDer;
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&self.cert_der)
            .expect("certificate");
        let Ok(x509_parser::public_key::PublicKey::RSA(rsa)) = cert.public_key().parsed() else {
            panic!("not an RSA key")
        };
        let b64 = |b: &[u8]| {
            let trimmed: Vec<u8> = b.iter().skip_while(|x| **x == 0).copied().collect();
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(trimmed)
        };
        serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "n": b64(rsa.modulus), "e": b64(rsa.exponent)})
    }
}

/// Serves `body` as `application/json` on 127.0.0.1 to every request, for as long as the test
/// runs. Returns the URL and the count of requests answered.
pub fn serve_json(body: &Value) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = tiny_http::Server::http("127.0.0.1:0").expect("test server");
    let port = server.server_addr().to_ip().expect("ip").port();
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let body = body.to_string();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            counter.fetch_add(1, Ordering::SeqCst);
            let response = tiny_http::Response::from_string(body.clone()).with_header(
                tiny_http::Header::from_bytes("Content-Type", "application/json").expect("header"),
            );
            let _ = request.respond(response);
        }
    });
    (format!("http://127.0.0.1:{port}/jwks"), hits)
}
