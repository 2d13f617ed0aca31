//! Hostile import files: arbitrary text, arbitrary JSON, and documents shaped like exports with
//! wrong values go through the streaming importer without a panic; a refused file
//! changes nothing; nesting and size are bounded.

mod common;

use common::fuzz_config as config;
use extjwt::interchange::{ImportError, import_str};
use extjwt::store::Store;
use proptest::prelude::*;
use serde_json::{Map, Value};

thread_local! {
    static STORE: std::cell::RefCell<Store> = std::cell::RefCell::new(Store::open_in_memory().unwrap());
}

const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----";

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("https://idp.test".to_string()),
            Just("ftp://x".into()),
            Just("http://169.254.169.254/".into()),
            Just(PEM.to_string()),
            Just("email".into()),
            Just("ID".into()),
            Just("Router".into()),
            Just(String::new()),
            "[a-z]{1,6}",
            ".{0,40}"
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn field() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "id",
        "name",
        "issuer",
        "audience",
        "certPem",
        "jwksEndpoint",
        "kid",
        "claimsProperty",
        "useExternalId",
        "enabled",
        "externalAuthUrl",
        "clientId",
        "scopes",
        "targetToken",
        "tags",
        "enrollToCertEnabled",
        "enrollNameClaimsSelector",
        "createdAt",
        "type",
        "isAdmin",
        "externalId",
        "disabled",
        "authPolicyId",
        "zzz",
    ])
    .prop_map(str::to_string)
}

fn record() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(field(), value(), 0..10)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()))
}

fn document() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["externalJwtSigners", "data", "identities", "other"]),
        prop::collection::vec(record(), 0..5),
        prop::option::of(prop::collection::vec(record(), 0..4)),
    )
        .prop_map(|(list, records, identities)| {
            let mut top = Map::new();
            top.insert(list.to_string(), Value::from(records));
            if let Some(ids) = identities {
                top.insert("identities".into(), Value::from(ids));
            }
            Value::Object(top)
        })
}

/// The records a document's lists hold, when it parses.
fn records_in(text: &str) -> Option<usize> {
    let Value::Object(top) =
        serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')).ok()?
    else {
        return None;
    };
    Some(
        ["externalJwtSigners", "data", "identities"]
            .iter()
            .filter_map(|k| top.get(*k).and_then(Value::as_array))
            .map(Vec::len)
            .sum(),
    )
}

fn apply(text: &str) {
    STORE.with(|cell| {
        let mut store = cell.borrow_mut();
        let before = extjwt::interchange::export(&store).unwrap();
        match import_str(&mut store, text) {
            Ok(summary) => {
                let s = summary.outcome.signers;
                let i = summary.outcome.identities;
                assert_eq!(
                    Some(s.created + s.updated + s.unchanged + i.created + i.updated + i.unchanged),
                    records_in(text),
                    "every record is counted once"
                );
            }
            Err(_) => {
                assert_eq!(
                    extjwt::interchange::export(&store).unwrap(),
                    before,
                    "a refused import changed nothing"
                );
            }
        }
    });
}

proptest! {
    #![proptest_config(config(10_000, 0x1a2b_0001))]
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        apply(&text);
    }
}

proptest! {
    #![proptest_config(config(10_000, 0x1a2b_0002))]
    #[test]
    fn arbitrary_json_never_panics(v in value()) {
        apply(&v.to_string());
    }
}

proptest! {
    #![proptest_config(config(20_000, 0x1a2b_0003))]
    #[test]
    fn export_shaped_documents_never_panic(doc in document()) {
        apply(&doc.to_string());
    }
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!(
        "{{\"externalJwtSigners\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    STORE.with(|cell| {
        let result = import_str(&mut cell.borrow_mut(), &deep);
        assert!(matches!(result, Err(ImportError::NotJson(_))), "{result:?}");
    });
}
