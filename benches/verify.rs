//! Verify pipeline vs a bare `jsonwebtoken::decode` of the same token, RS256 and ES256, in one
//! run so the ratio is meaningful (design §8: pipeline ≤ 1.3x bare decode).

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use extjwt::model::{IdentityDraft, SignerDraft};
use extjwt::store::Store;
use extjwt::verify::{FetchPolicy, KeyCache, Verifier};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rcgen::{CertificateParams, KeyPair, SignatureAlgorithm};
use serde_json::{Value, json};
use std::hint::black_box;

struct Case {
    name: &'static str,
    alg: Algorithm,
    token: String,
    decoding: DecodingKey,
    store: Store,
}

fn case(name: &'static str, sig: &'static SignatureAlgorithm, alg: Algorithm) -> Case {
    let key = KeyPair::generate_for(sig).expect("key");
    let cert = CertificateParams::new(vec!["bench.idp".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let pem = key.serialize_pem();
    let encoding = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(pem.as_bytes()),
        _ => EncodingKey::from_ec_pem(pem.as_bytes()),
    }
    .expect("encoding key");
    let mut header = Header::new(alg);
    header.kid = Some("bench-1".into());
    let claims = json!({"iss": "https://bench.idp", "aud": "ziti", "email": "alice@example.com",
                        "sub": "alice", "exp": Utc::now().timestamp() + 86_400});
    let token = jsonwebtoken::encode(&header, &claims, &encoding).expect("token");
    let public_pem = key.public_key_pem();
    let decoding = match alg {
        Algorithm::RS256 => DecodingKey::from_rsa_pem(public_pem.as_bytes()),
        _ => DecodingKey::from_ec_pem(public_pem.as_bytes()),
    }
    .expect("decoding key");
    let store = store_with(&[SignerDraft {
        name: "bench".into(),
        issuer: "https://bench.idp".into(),
        audience: "ziti".into(),
        cert_pem: Some(cert.pem()),
        kid: Some("bench-1".into()),
        claims_property: "/email".into(),
        ..SignerDraft::default()
    }]);
    Case {
        name,
        alg,
        token,
        decoding,
        store,
    }
}

/// An in-memory store with these signers and alice (externalId alice@example.com).
fn store_with(signers: &[SignerDraft]) -> Store {
    let mut store = Store::open_in_memory().expect("store");
    for draft in signers {
        store
            .create_signer(&draft.validate().expect("valid"))
            .expect("signer");
    }
    store
        .create_identity(&IdentityDraft {
            name: "alice".into(),
            external_id: Some("alice@example.com".into()),
            ..Default::default()
        })
        .expect("identity");
    store
}

fn bench(c: &mut Criterion) {
    for case in [
        case("RS256", &rcgen::PKCS_RSA_SHA256, Algorithm::RS256),
        case("ES256", &rcgen::PKCS_ECDSA_P256_SHA256, Algorithm::ES256),
    ] {
        let mut group = c.benchmark_group(case.name);
        let mut validation = Validation::new(case.alg);
        validation.set_audience(&["ziti"]);
        validation.set_issuer(&["https://bench.idp"]);
        group.bench_function("bare jsonwebtoken::decode", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Value>(black_box(&case.token), &case.decoding, &validation)
                    .expect("valid")
            })
        });
        let keys = KeyCache::new();
        let verifier = Verifier::new(&case.store, &keys, FetchPolicy::Blocking);
        assert!(
            verifier
                .verify(&case.token, Utc::now(), 0)
                .expect("report")
                .is_valid()
        );
        group.bench_function("extjwt Verifier pipeline", |b| {
            b.iter(|| {
                let now = Utc::now();
                verifier
                    .verify(black_box(&case.token), now, 0)
                    .expect("report")
            })
        });
        group.finish();
    }
}

/// The same RS256 key as a certificate signer and as a JWKS signer (n/e, fetched once from a
/// server on 127.0.0.1, then cached): design §8 wants them equal within 10 %.
fn key_sources(c: &mut Criterion) {
    use base64::Engine;
    use x509_parser::prelude::{FromDer, X509Certificate};
    let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    let cert = CertificateParams::new(vec!["bench.idp".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let (_, parsed) = X509Certificate::from_der(cert.der()).expect("parse");
    let x509_parser::public_key::PublicKey::RSA(rsa) = parsed.public_key().parsed().expect("spki")
    else {
        panic!("rsa")
    };
    let b64 = |bytes: &[u8]| {
        let trimmed: Vec<u8> = bytes.iter().skip_while(|b| **b == 0).copied().collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(trimmed)
    };
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "bench-1", "n": b64(rsa.modulus), "e": b64(rsa.exponent)}]}).to_string();
    let server = tiny_http::Server::http("127.0.0.1:0").expect("server");
    let port = server.server_addr().to_ip().expect("ip").port();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let header =
                tiny_http::Header::from_bytes("Content-Type", "application/json").expect("header");
            let _ =
                request.respond(tiny_http::Response::from_string(jwks.clone()).with_header(header));
        }
    });
    let base = SignerDraft {
        audience: "ziti".into(),
        kid: Some("bench-1".into()),
        claims_property: "/email".into(),
        ..SignerDraft::default()
    };
    let cert_signer = SignerDraft {
        name: "cert".into(),
        issuer: "https://cert.idp".into(),
        cert_pem: Some(cert.pem()),
        ..base.clone()
    };
    let jwks_signer = SignerDraft {
        name: "jwks".into(),
        issuer: "https://jwks.idp".into(),
        jwks_endpoint: Some(format!("http://127.0.0.1:{port}/jwks")),
        kid: None,
        ..base
    };
    let store = store_with(&[cert_signer, jwks_signer]);
    let encoding = EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).expect("encoding");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("bench-1".into());
    let token = |iss: &str| {
        let claims = json!({"iss": iss, "aud": "ziti", "email": "alice@example.com", "exp": Utc::now().timestamp() + 86_400});
        jsonwebtoken::encode(&header, &claims, &encoding).expect("token")
    };
    let keys = KeyCache::new();
    let verifier = Verifier::new(&store, &keys, FetchPolicy::Blocking);
    let mut group = c.benchmark_group("key source (RS256, cached)");
    for (label, token) in [
        ("certificate signer", token("https://cert.idp")),
        ("JWKS signer", token("https://jwks.idp")),
    ] {
        let report = verifier.verify(&token, Utc::now(), 0).expect("report");
        assert!(report.is_valid(), "{}", report.to_text());
        group.bench_function(label, |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(&token), Utc::now(), 0)
                    .expect("report")
            })
        });
    }
    group.finish();
}

/// ES512 over P-521: jsonwebtoken has no ES512, so the baseline is aws-lc-rs's bare P-521
/// signature check of the same token.
fn es512(c: &mut Criterion) {
    use aws_lc_rs::signature::{self as lc, EcdsaKeyPair, KeyPair as _, UnparsedPublicKey};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
    let cert = CertificateParams::new(vec!["bench.idp".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let pair = EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P521_SHA512_FIXED_SIGNING, &key.serialize_der())
        .expect("pair");
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let input = format!(
        "{}.{}",
        b64(&json!({"alg": "ES512", "kid": "bench-1", "typ": "JWT"})),
        b64(
            &json!({"iss": "https://bench.idp", "aud": "ziti", "email": "alice@example.com",
                    "sub": "alice", "exp": Utc::now().timestamp() + 86_400})
        )
    );
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let signature = pair.sign(&rng, input.as_bytes()).expect("sign");
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()));
    let public = pair.public_key().as_ref().to_vec();
    let store = store_with(&[SignerDraft {
        name: "bench".into(),
        issuer: "https://bench.idp".into(),
        audience: "ziti".into(),
        cert_pem: Some(cert.pem()),
        kid: Some("bench-1".into()),
        claims_property: "/email".into(),
        ..SignerDraft::default()
    }]);
    let mut group = c.benchmark_group("ES512 (P-521)");
    group.bench_function("bare aws-lc-rs P-521 verify", |b| {
        b.iter(|| {
            UnparsedPublicKey::new(&lc::ECDSA_P521_SHA512_FIXED, &public)
                .verify(black_box(input.as_bytes()), signature.as_ref())
                .expect("valid")
        })
    });
    let keys = KeyCache::new();
    let verifier = Verifier::new(&store, &keys, FetchPolicy::Blocking);
    assert!(
        verifier
            .verify(&token, Utc::now(), 0)
            .expect("report")
            .is_valid()
    );
    group.bench_function("extjwt Verifier pipeline", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&token), Utc::now(), 0)
                .expect("report")
        })
    });
    group.finish();
}

criterion_group!(benches, bench, key_sources, es512);
criterion_main!(benches);
