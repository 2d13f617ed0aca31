//! Hostile tokens: at least 100 000 arbitrary, structured and mutated tokens go through
//! `Verifier::verify` without a panic, each giving a complete report. Fixed seeds keep the run
//! repeatable; `PROPTEST_CASES` does not apply because the counts are part of the claim, but
//! `EXTJWT_FUZZ_SCALE` multiplies them for long runs.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use common::fuzz_config as config;
use extjwt::model::{IdentityDraft, SignerDraft};
use extjwt::store::Store;
use extjwt::verify::{FetchPolicy, KeyCache, Verifier};
use jsonwebtoken::Algorithm;
use proptest::prelude::*;
use serde_json::{Value, json};

struct World {
    store: Store,
    cache: KeyCache,
    valid: String,
}

thread_local! {
    static WORLD: World = world();
}

fn world() -> World {
    let key = common::rsa("fuzz.idp");
    let mut store = Store::open_in_memory().unwrap();
    let draft = SignerDraft {
        name: "fuzz".into(),
        issuer: "https://fuzz.idp".into(),
        audience: "ziti".into(),
        cert_pem: Some(key.cert_pem.clone()),
        kid: Some("k1".into()),
        claims_property: "/email".into(),
        ..SignerDraft::default()
    };
    store.create_signer(&draft.validate().unwrap()).unwrap();
    // A JWKS signer whose endpoint nothing listens on: the cache-only policy never fetches.
    let jwks = SignerDraft {
        name: "jwks".into(),
        issuer: "https://jwks.idp".into(),
        audience: "ziti".into(),
        jwks_endpoint: Some("http://127.0.0.1:9/jwks".into()),
        ..SignerDraft::default()
    };
    store.create_signer(&jwks.validate().unwrap()).unwrap();
    store
        .create_identity(&IdentityDraft {
            name: "alice".into(),
            external_id: Some("alice@example.com".into()),
            ..Default::default()
        })
        .unwrap();
    let valid = key.mint(Algorithm::RS256, Some("k1"), &json!({"iss": "https://fuzz.idp", "aud": "ziti", "email": "alice@example.com", "exp": Utc::now().timestamp() + 3600}));
    World {
        store,
        cache: KeyCache::new(),
        valid,
    }
}

fn check(token: &str) {
    WORLD.with(|w| {
        let report = Verifier::new(&w.store, &w.cache, FetchPolicy::CacheOnly)
            .verify(token, Utc::now(), 0)
            .expect("the store answers");
        assert_eq!(report.checks.len(), extjwt::verify::Check::ALL.len());
        // Rendering must not panic either.
        let _ = report.to_json();
        let _ = report.to_text();
    });
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("https://fuzz.idp".to_string()),
            Just("ziti".into()),
            Just("alice@example.com".into()),
            ".{0,20}"
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn claim_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("iss".to_string()),
        Just("aud".into()),
        Just("exp".into()),
        Just("nbf".into()),
        Just("email".into()),
        Just("alg".into()),
        Just("kid".into()),
        "[a-z]{1,3}"
    ]
}

proptest! {
    #![proptest_config(config(30_000, 0x5eed_0001))]
    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,300}") {
        check(&s);
    }
}

proptest! {
    #![proptest_config(config(40_000, 0x5eed_0002))]
    #[test]
    fn structured_tokens_never_panic(
        header in prop::collection::btree_map(claim_name(), json_value(), 0..5),
        payload in prop::collection::btree_map(claim_name(), json_value(), 0..7),
        alg in prop_oneof![Just("RS256"), Just("ES256"), Just("none"), Just("HS256"), Just("EdDSA"), Just("PS512"), Just("")],
        kid in prop_oneof![Just("k1".to_string()), ".{0,8}"],
        sig in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut header: serde_json::Map<String, Value> = header.into_iter().collect();
        header.insert("alg".into(), alg.into());
        header.insert("kid".into(), kid.into());
        let payload: serde_json::Map<String, Value> = payload.into_iter().collect();
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string()),
            URL_SAFE_NO_PAD.encode(sig)
        );
        check(&token);
    }
}

proptest! {
    #![proptest_config(config(40_000, 0x5eed_0003))]
    #[test]
    fn mutated_valid_tokens_never_panic(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 1..6)) {
        let mut bytes = WORLD.with(|w| w.valid.clone().into_bytes());
        for (at, byte, op) in edits {
            match op {
                0 if !bytes.is_empty() => { let i = at.index(bytes.len()); bytes[i] = byte; }
                1 => { let i = at.index(bytes.len() + 1); bytes.insert(i, byte); }
                2 if !bytes.is_empty() => { let i = at.index(bytes.len()); bytes.remove(i); }
                _ => { let i = at.index(bytes.len() + 1); bytes.truncate(i); }
            }
        }
        check(&String::from_utf8_lossy(&bytes));
    }
}
