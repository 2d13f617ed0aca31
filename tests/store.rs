//! The store as several sessions see it: two connections to one file.

mod common;

use common::TempDb;
use extjwt::model::{IdentityDraft, SignerDraft};
use extjwt::store::{Store, StoreError};

fn jwks_signer(name: &str, issuer: &str) -> SignerDraft {
    SignerDraft {
        name: name.into(),
        issuer: issuer.into(),
        audience: "ziti".into(),
        jwks_endpoint: Some(format!("https://{name}.example.com/jwks")),
        ..SignerDraft::default()
    }
}

#[test]
fn lookups_see_changes_made_by_another_connection() {
    let db = TempDb::new();
    let reader = Store::open(&db.path).unwrap();
    let mut writer = Store::open(&db.path).unwrap();
    assert!(reader.signer_by_issuer("https://a").unwrap().is_none());
    let created = writer
        .create_signer(&jwks_signer("a", "https://a").validate().unwrap())
        .unwrap();
    assert_eq!(
        reader.signer_by_issuer("https://a").unwrap().unwrap().id,
        created.id,
        "a miss is not cached past a commit"
    );

    let mut disabled = created.draft.clone();
    disabled.enabled = false;
    writer
        .update_signer(&created.id, created.version, &disabled.validate().unwrap())
        .unwrap();
    assert!(
        !reader
            .signer_by_issuer("https://a")
            .unwrap()
            .unwrap()
            .draft
            .enabled,
        "an update is seen"
    );

    assert!(reader.identity_by_external_id("alice@x").unwrap().is_none());
    let alice = writer
        .create_identity(&IdentityDraft {
            name: "alice".into(),
            external_id: Some("alice@x".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        reader
            .identity_by_external_id("alice@x")
            .unwrap()
            .unwrap()
            .id,
        alice.id
    );
    writer.delete_identity(&alice.id).unwrap();
    assert!(
        reader.identity_by_external_id("alice@x").unwrap().is_none(),
        "a delete is seen"
    );
}

#[test]
fn lookups_see_this_connections_own_writes() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(store.identity_by_external_id("bob@x").unwrap().is_none());
    store
        .create_identity(&IdentityDraft {
            name: "bob".into(),
            external_id: Some("bob@x".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(store.identity_by_external_id("bob@x").unwrap().is_some());
}

#[test]
fn update_from_a_stale_read_is_refused_and_changes_nothing() {
    let db = TempDb::new();
    let mut first = Store::open(&db.path).unwrap();
    let mut second = Store::open(&db.path).unwrap();
    let created = first
        .create_signer(&jwks_signer("a", "https://a").validate().unwrap())
        .unwrap();
    let read_by_second = second.find_signer("a").unwrap();
    let mut change = created.draft.clone();
    change.audience = "first".into();
    first
        .update_signer(&created.id, created.version, &change.validate().unwrap())
        .unwrap();
    let mut late = read_by_second.draft.clone();
    late.audience = "second".into();
    let err = second
        .update_signer(
            &read_by_second.id,
            read_by_second.version,
            &late.validate().unwrap(),
        )
        .unwrap_err();
    assert!(err.is_stale(), "{err}");
    assert_eq!(
        err.to_string(),
        "signer a was changed by another session; reload it and apply your change again"
    );
    assert_eq!(first.find_signer("a").unwrap().draft.audience, "first");
}

#[test]
fn constraint_errors_name_the_field_and_the_other_row() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .create_signer(
            &jwks_signer("okta", "https://idp.example.com")
                .validate()
                .unwrap(),
        )
        .unwrap();
    let err = store
        .create_signer(
            &jwks_signer("other", "https://idp.example.com")
                .validate()
                .unwrap(),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Conflict {
            field: "issuer",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "issuer: a signer with issuer \"https://idp.example.com\" already exists (okta)"
    );
}

#[test]
fn schema_enforces_rules_even_past_the_model() {
    // Written straight into SQLite, bypassing the model: the schema still refuses it.
    let db = TempDb::new();
    drop(Store::open(&db.path).unwrap());
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let insert = |target: &str, both_sources: bool| {
        conn.execute(
            "INSERT INTO signers (id, name, issuer, audience, cert_pem, jwks_endpoint, claims_property, use_external_id, enabled, scopes, target_token, enroll_to_cert_enabled, enroll_to_token_enabled, enroll_name_claims_selector, enroll_auth_policy_id, tags, fingerprint, created_at, updated_at, version)
             VALUES ('x', 'x', 'https://x', 'z', ?1, 'https://x/jwks', '/sub', 1, 1, '[]', ?2, 0, 0, '/sub', 'default', '{}', ?3, 't', 't', 1)",
            rusqlite::params![both_sources.then_some("pem"), target, both_sources.then_some("fp")],
        )
    };
    assert!(insert("FOO", false).is_err(), "target token check");
    assert!(insert("ACCESS", true).is_err(), "exactly one key source");
    assert!(insert("ACCESS", false).is_ok());
}

#[test]
fn audit_records_changed_field_names_never_values() {
    let mut store = Store::open_in_memory().unwrap();
    let s = store
        .create_signer(&jwks_signer("a", "https://a").validate().unwrap())
        .unwrap();
    let mut d = s.draft.clone();
    d.audience = "new-audience".into();
    d.enabled = false;
    store
        .update_signer(&s.id, s.version, &d.validate().unwrap())
        .unwrap();
    let log = store.audit_log(10, Some(&s.id)).unwrap();
    assert_eq!(log[0].action, "update");
    assert_eq!(
        log[0].fields,
        vec!["audience".to_string(), "enabled".to_string()]
    );
    assert_eq!(log[1].action, "create");
    let text = format!("{log:?}");
    assert!(!text.contains("new-audience"), "values are not logged");
}
