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
    let mut store = Store::open_in_memory().expect("store");
    let draft = SignerDraft {
        name: "bench".into(),
        issuer: "https://bench.idp".into(),
        audience: "ziti".into(),
        cert_pem: Some(cert.pem()),
        kid: Some("bench-1".into()),
        claims_property: "/email".into(),
        ..SignerDraft::default()
    };
    store
        .create_signer(&draft.validate().expect("valid"))
        .expect("signer");
    store
        .create_identity(&IdentityDraft {
            name: "alice".into(),
            external_id: Some("alice@example.com".into()),
            ..Default::default()
        })
        .expect("identity");
    Case {
        name,
        alg,
        token,
        decoding,
        store,
    }
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

criterion_group!(benches, bench);
criterion_main!(benches);
