//! `verify --batch` throughput against the machine's ceiling, in one run (design §8: at least
//! 80 % of cores × the bare-decode rate). 100 000 RS256 tokens (500 distinct ones, repeated:
//! minting 100 000 RSA signatures would dominate the setup) through `verify::batch::run` with
//! one worker per core, and one bare `jsonwebtoken::decode` on one core.

use std::io::Cursor;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use extjwt::model::{IdentityDraft, SignerDraft};
use extjwt::store::Store;
use extjwt::verify::{KeyCache, batch};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rcgen::{CertificateParams, KeyPair};
use serde_json::{Value, json};
use std::hint::black_box;

const TOKENS: usize = 100_000;

fn bench(c: &mut Criterion) {
    let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    let cert = CertificateParams::new(vec!["bench.idp".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let encoding = EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).expect("key");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bench.db");
    let mut store = Store::open(&path).expect("store");
    store
        .create_signer(
            &SignerDraft {
                name: "bench".into(),
                issuer: "https://bench.idp".into(),
                audience: "ziti".into(),
                cert_pem: Some(cert.pem()),
                kid: Some("bench-1".into()),
                claims_property: "/email".into(),
                ..SignerDraft::default()
            }
            .validate()
            .expect("valid"),
        )
        .expect("signer");
    let mut distinct = Vec::new();
    for i in 0..500 {
        store
            .create_identity(&IdentityDraft {
                name: format!("user{i}"),
                external_id: Some(format!("user{i}@example.com")),
                ..Default::default()
            })
            .expect("identity");
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("bench-1".into());
        let claims = json!({"iss": "https://bench.idp", "aud": "ziti", "email": format!("user{i}@example.com"),
                            "exp": Utc::now().timestamp() + 86_400});
        distinct.push(jsonwebtoken::encode(&header, &claims, &encoding).expect("token"));
    }
    drop(store);
    let input: String = (0..TOKENS)
        .map(|i| distinct[i % distinct.len()].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let cores = std::env::var("BENCH_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));

    let mut group = c.benchmark_group("verify --batch");
    group.sample_size(10);
    let decoding = DecodingKey::from_rsa_pem(key.public_key_pem().as_bytes()).expect("key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["ziti"]);
    group.bench_function("bare jsonwebtoken::decode, one token, one core", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<Value>(black_box(&distinct[0]), &decoding, &validation)
                .expect("valid")
        })
    });
    let mut stores: Vec<Store> = (0..cores)
        .map(|_| Store::open_for_reading(&path).expect("store"))
        .collect();
    let cache = KeyCache::new();
    group.bench_function(
        format!("batch::run, {TOKENS} tokens, {cores} workers"),
        |b| {
            b.iter(|| {
                let mut valid = 0usize;
                batch::run(
                    &mut stores,
                    &cache,
                    Cursor::new(input.as_bytes()),
                    Utc::now(),
                    0,
                    |_, r| r.is_valid(),
                    |_, ok| {
                        valid += usize::from(ok);
                        Ok(())
                    },
                )
                .expect("batch");
                assert_eq!(valid, TOKENS);
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
