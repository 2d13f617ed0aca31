//! JWKS signers against a real HTTP server on 127.0.0.1, started by each test.

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use common::TestKey;
use extjwt::model::SignerDraft;
use extjwt::store::Store;
use extjwt::verify::{FetchPolicy, KeyCache, Verifier, VerifyReport};
use serde_json::{Value, json};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// What the test server answers with; changed by tests while it runs.
#[derive(Clone)]
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    location: Option<String>,
}

struct JwksServer {
    port: u16,
    hits: Arc<AtomicUsize>,
    answer: Arc<Mutex<Answer>>,
}

impl JwksServer {
    fn start(jwks: &Value) -> JwksServer {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let answer = Arc::new(Mutex::new(Answer {
            status: 200,
            content_type: "application/json".into(),
            body: jwks.to_string().into_bytes(),
            location: None,
        }));
        let (h, a) = (hits.clone(), answer.clone());
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                h.fetch_add(1, Ordering::SeqCst);
                let answer = a.lock().unwrap().clone();
                let mut response = tiny_http::Response::from_data(answer.body)
                    .with_status_code(answer.status)
                    .with_header(
                        tiny_http::Header::from_bytes("Content-Type", answer.content_type).unwrap(),
                    );
                if let Some(location) = answer.location {
                    response
                        .add_header(tiny_http::Header::from_bytes("Location", location).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        JwksServer { port, hits, answer }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/jwks", self.port)
    }

    fn set(&self, f: impl FnOnce(&mut Answer)) {
        f(&mut self.answer.lock().unwrap());
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn ec_jwk(key: &TestKey, kid: &str) -> Value {
    let (_, cert) = X509Certificate::from_der(&key.cert_der).unwrap();
    let Ok(PublicKey::EC(point)) = cert.public_key().parsed() else {
        panic!("not EC")
    };
    let data = point.data();
    let half = (data.len() - 1) / 2;
    json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": URL_SAFE_NO_PAD.encode(&data[1..1 + half]), "y": URL_SAFE_NO_PAD.encode(&data[1 + half..])})
}

fn store_with_jwks_signer(url: &str) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let draft = SignerDraft {
        name: "keycloak".into(),
        issuer: "https://sso.test/realms/ops".into(),
        audience: "ziti".into(),
        jwks_endpoint: Some(url.into()),
        claims_property: "/email".into(),
        ..SignerDraft::default()
    };
    store.create_signer(&draft.validate().unwrap()).unwrap();
    store
        .create_identity(&extjwt::model::IdentityDraft {
            name: "alice".into(),
            external_id: Some("alice@example.com".into()),
            ..Default::default()
        })
        .unwrap();
    store
}

fn token(key: &TestKey, kid: &str) -> String {
    key.mint(key.alg, Some(kid), &json!({"iss": "https://sso.test/realms/ops", "aud": "ziti", "email": "alice@example.com", "exp": Utc::now().timestamp() + 600}))
}

fn verify(store: &Store, cache: &KeyCache, token: &str) -> VerifyReport {
    Verifier::new(store, cache, FetchPolicy::Blocking)
        .verify(token, Utc::now(), 0)
        .unwrap()
}

fn reason(report: &VerifyReport) -> Option<&'static str> {
    report.reason().map(|r| r.code())
}

/// The fetch was refused by the address guard (nothing was connected to).
fn assert_refused_before_connecting(report: &VerifyReport, case: &str) {
    assert_eq!(reason(report), Some("key_unavailable"), "{case}");
    assert!(
        report
            .verdict()
            .unwrap()
            .detail
            .contains("refused before connecting"),
        "{case}: {}",
        report.to_text()
    );
}

#[test]
fn finds_key_by_kid_and_caches_the_set() {
    let key = common::rsa("sso");
    let server = JwksServer::start(&json!({"keys": [key.rsa_jwk("k1")]}));
    let store = store_with_jwks_signer(&server.url());
    let cache = KeyCache::new();
    let report = verify(&store, &cache, &token(&key, "k1"));
    assert!(report.is_valid(), "{}", report.to_text());
    verify(&store, &cache, &token(&key, "k1"));
    assert_eq!(server.hits(), 1, "a known kid is served from the cache");
}

#[test]
fn rotated_key_is_found_after_one_refetch_and_never_more_than_once_a_second() {
    let old = common::rsa("sso-old");
    let new = common::p256("sso-new");
    let server = JwksServer::start(&json!({"keys": [old.rsa_jwk("old")]}));
    let store = store_with_jwks_signer(&server.url());
    let cache = KeyCache::new();
    assert!(verify(&store, &cache, &token(&old, "old")).is_valid());
    server.set(|a| {
        a.body = json!({"keys": [old.rsa_jwk("old"), ec_jwk(&new, "new")]})
            .to_string()
            .into_bytes()
    });
    let early = verify(&store, &cache, &token(&new, "new"));
    assert_eq!(reason(&early), Some("key_not_found"), "{}", early.to_text());
    assert_eq!(
        server.hits(),
        1,
        "no refetch within a second of the last one"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let later = verify(&store, &cache, &token(&new, "new"));
    assert!(later.is_valid(), "{}", later.to_text());
    assert_eq!(server.hits(), 2, "exactly one refetch");
}

#[test]
fn server_down_is_key_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let store = store_with_jwks_signer(&format!("http://127.0.0.1:{port}/jwks"));
    let report = verify(&store, &KeyCache::new(), &token(&common::rsa("x"), "k1"));
    assert_eq!(reason(&report), Some("key_unavailable"));
    assert!(
        report.verdict().unwrap().detail.contains("fetching"),
        "{}",
        report.to_text()
    );
}

#[test]
fn wrong_content_type_non_200_and_oversized_bodies_are_refused() {
    let key = common::rsa("sso");
    let jwks = json!({"keys": [key.rsa_jwk("k1")]});
    type Change = Box<dyn Fn(&mut Answer)>;
    let cases: [(&str, Change); 3] = [
        (
            "content type",
            Box::new(|a: &mut Answer| a.content_type = "text/html".into()),
        ),
        ("HTTP 500", Box::new(|a: &mut Answer| a.status = 500)),
        (
            "larger than 16 MiB",
            Box::new(|a: &mut Answer| {
                // A valid JWKS padded to 17 MiB: only the safety cap can refuse it.
                let mut doc = json!({"keys": [], "padding": "x".repeat(17 * 1024 * 1024)});
                doc["keys"] = json!([]);
                a.body = doc.to_string().into_bytes();
            }),
        ),
    ];
    for (expected, change) in cases {
        let server = JwksServer::start(&jwks);
        server.set(change);
        let store = store_with_jwks_signer(&server.url());
        let report = verify(&store, &KeyCache::new(), &token(&key, "k1"));
        assert_eq!(
            reason(&report),
            Some("key_unavailable"),
            "{expected}: {}",
            report.to_text()
        );
        assert!(
            report.verdict().unwrap().detail.contains(expected),
            "{expected}: {}",
            report.to_text()
        );
    }
}

#[test]
fn x5c_key_verifies() {
    let key = common::p384("sso");
    let server = JwksServer::start(
        &json!({"keys": [{"kty": "EC", "kid": "c1", "x5c": [STANDARD.encode(&key.cert_der)]}]}),
    );
    let store = store_with_jwks_signer(&server.url());
    let report = verify(&store, &KeyCache::new(), &token(&key, "c1"));
    assert!(report.is_valid(), "{}", report.to_text());
}

#[test]
fn metadata_address_is_refused_when_the_signer_is_saved() {
    let draft = SignerDraft {
        name: "evil".into(),
        issuer: "https://evil".into(),
        audience: "ziti".into(),
        jwks_endpoint: Some("http://169.254.169.254/latest/meta-data".into()),
        ..SignerDraft::default()
    };
    let errors = draft.validate().unwrap_err();
    assert!(
        errors
            .for_field("jwksEndpoint")
            .unwrap()
            .contains("169.254.169.254")
    );
}

fn test_lookup(host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
    let ips: Vec<IpAddr> = match host {
        "metadata.test" => vec!["169.254.169.254".parse().unwrap()],
        "mixed.test" => vec!["127.0.0.1".parse().unwrap(), "fe80::1".parse().unwrap()],
        "good.test" => vec!["127.0.0.1".parse().unwrap()],
        _ => return Err(std::io::Error::other("unknown test host")),
    };
    Ok(ips
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect())
}

#[test]
fn host_resolving_into_a_refused_range_is_refused_before_connecting() {
    let key = common::rsa("sso");
    let server = JwksServer::start(&json!({"keys": [key.rsa_jwk("k1")]}));
    let cache = KeyCache::with_lookup(test_lookup);
    for host in ["metadata.test", "mixed.test"] {
        let store = store_with_jwks_signer(&format!("http://{host}:{}/jwks", server.port));
        let report = verify(&store, &cache, &token(&key, "k1"));
        assert_refused_before_connecting(&report, host);
    }
    assert_eq!(server.hits(), 0, "no connection was made");
    // The same lookup pointing at loopback works, so the refusal is the guard's doing.
    let store = store_with_jwks_signer(&format!("http://good.test:{}/jwks", server.port));
    assert!(verify(&store, &cache, &token(&key, "k1")).is_valid());
    assert_eq!(server.hits(), 1);
}

#[test]
fn a_redirect_to_an_address_that_embeds_a_refused_one_is_not_followed() {
    let key = common::rsa("sso");
    let server = JwksServer::start(&json!({"keys": [key.rsa_jwk("k1")]}));
    for target in [
        "http://[64:ff9b::a9fe:a9fe]/jwks",
        "http://[::a9fe:a9fe]/jwks",
        "http://[2002:a9fe:a9fe::]/jwks",
        "http://[fd00:ec2::254]/jwks",
        "http://169.254.169.254/latest/meta-data",
    ] {
        server.set(|a| {
            a.status = 302;
            a.location = Some(target.to_string());
        });
        let cache = KeyCache::new();
        let store = store_with_jwks_signer(&server.url());
        let report = verify(&store, &cache, &token(&key, "k1"));
        assert_refused_before_connecting(&report, target);
    }
}

#[test]
fn an_okp_key_before_rsa_stops_resolution_and_the_report_names_it() {
    let key = common::rsa("sso");
    let ed = common::ed25519("sso-ed");
    let (_, cert) = X509Certificate::from_der(&ed.cert_der).unwrap();
    let x = URL_SAFE_NO_PAD.encode(&cert.public_key().subject_public_key.data);
    let server = JwksServer::start(&json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": x},
        key.rsa_jwk("k1")
    ]}));
    let store = store_with_jwks_signer(&server.url());
    let report = verify(&store, &KeyCache::new(), &token(&key, "k1"));
    assert_eq!(
        reason(&report),
        Some("key_not_found"),
        "{}",
        report.to_text()
    );
    let detail = &report.verdict().unwrap().detail;
    assert!(
        detail.contains("key 0 (kid \"ed\") stops the controller's resolution"),
        "{detail}"
    );
    assert!(
        detail.contains("after a key the controller cannot resolve"),
        "{detail}"
    );
}

#[test]
fn the_last_of_duplicate_kids_wins() {
    let first = common::rsa("first");
    let second = common::rsa("second");
    let server = JwksServer::start(&json!({"keys": [first.rsa_jwk("dup"), second.rsa_jwk("dup")]}));
    let store = store_with_jwks_signer(&server.url());
    let cache = KeyCache::new();
    assert!(verify(&store, &cache, &token(&second, "dup")).is_valid());
    let report = verify(&store, &cache, &token(&first, "dup"));
    assert_eq!(
        reason(&report),
        Some("bad_signature"),
        "{}",
        report.to_text()
    );
}

#[test]
fn x5c_with_line_breaks_and_member_names_in_capitals_are_read_as_go_reads_them() {
    let key = common::p384("sso");
    let wrapped: String = STANDARD
        .encode(&key.cert_der)
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let server =
        JwksServer::start(&json!({"Keys": [{"KTY": "EC", "KID": "c1", "X5C": [wrapped]}]}));
    let store = store_with_jwks_signer(&server.url());
    let report = verify(&store, &KeyCache::new(), &token(&key, "c1"));
    assert!(report.is_valid(), "{}", report.to_text());
}

#[test]
fn a_string_in_keys_makes_the_whole_set_unusable() {
    let key = common::rsa("sso");
    let server = JwksServer::start(&json!({"keys": [key.rsa_jwk("k1"), "not a key"]}));
    let store = store_with_jwks_signer(&server.url());
    let report = verify(&store, &KeyCache::new(), &token(&key, "k1"));
    assert_eq!(
        reason(&report),
        Some("key_unavailable"),
        "{}",
        report.to_text()
    );
    assert!(
        report
            .verdict()
            .unwrap()
            .detail
            .contains("keys[1] is string"),
        "{}",
        report.to_text()
    );
}

#[test]
fn a_set_over_the_old_one_mebibyte_cap_is_read() {
    let key = common::rsa("sso");
    let mut doc = json!({"keys": [key.rsa_jwk("k1")]});
    doc["padding"] = json!("x".repeat(1_150_000));
    let server = JwksServer::start(&doc);
    let store = store_with_jwks_signer(&server.url());
    let report = verify(&store, &KeyCache::new(), &token(&key, "k1"));
    assert!(report.is_valid(), "{}", report.to_text());
}

#[test]
fn a_key_the_set_stopped_publishing_is_still_held_with_a_warning() {
    let key = common::rsa("sso");
    let server = JwksServer::start(&json!({"keys": [key.rsa_jwk("old")]}));
    let store = store_with_jwks_signer(&server.url());
    let cache = KeyCache::new();
    assert!(verify(&store, &cache, &token(&key, "old")).is_valid());
    server.set(|a| a.body = json!({"keys": []}).to_string().into_bytes());
    std::thread::sleep(Duration::from_millis(1100));
    cache.fetch(&server.url()).unwrap();
    let report = verify(&store, &cache, &token(&key, "old"));
    assert!(report.is_valid(), "{}", report.to_text());
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("no longer publishes kid \"old\"")),
        "{}",
        report.to_text()
    );
}

#[test]
fn an_https_endpoint_that_does_not_speak_tls_is_a_clear_error() {
    // The TLS stack (rustls on aws-lc-rs) is built and used: a server answering plain text to
    // the handshake is reported, not a panic.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::Write;
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot tls");
        }
    });
    let store = store_with_jwks_signer(&format!("https://127.0.0.1:{port}/jwks"));
    let report = verify(&store, &KeyCache::new(), &token(&common::rsa("x"), "k1"));
    assert_eq!(
        reason(&report),
        Some("key_unavailable"),
        "{}",
        report.to_text()
    );
    assert!(
        report.verdict().unwrap().detail.contains("fetching"),
        "{}",
        report.to_text()
    );
}
