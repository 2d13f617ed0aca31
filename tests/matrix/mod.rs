//! The verification table, shared by the library/CLI test and the console test: every row
//! mints a real token with a real key.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use extjwt::model::{AuthPolicyDraft, IdentityDraft, SignerDraft};
use extjwt::store::Store;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use crate::common::{self, TempDb, TestKey};

pub struct Fixture {
    pub db: TempDb,
    pub rsa: TestKey,
    pub p256: TestKey,
    pub p384: TestKey,
    pub ed: TestKey,
    pub off: TestKey,
    pub nested: TestKey,
    pub byid: TestKey,
    /// A signer imported from the controller's list output with its short id kept and
    /// useExternalId off (openziti/edge-api `source/management/ext-jwt-signers.yml`
    /// `externalJwtSignerDetail`).
    pub ctrl: TestKey,
    pub carol_id: String,
    pub now: DateTime<Utc>,
}

pub fn signer(
    name: &str,
    issuer: &str,
    key: &TestKey,
    kid: Option<&str>,
    claims: &str,
) -> SignerDraft {
    SignerDraft {
        name: name.into(),
        issuer: issuer.into(),
        audience: "ziti".into(),
        cert_pem: Some(key.cert_pem.clone()),
        kid: kid.map(str::to_string),
        claims_property: claims.into(),
        ..SignerDraft::default()
    }
}

pub fn fixture() -> Fixture {
    let db = TempDb::new();
    let mut store = Store::open(&db.path).unwrap();
    let f = Fixture {
        rsa: common::rsa("rsa.idp"),
        p256: common::p256("p256.idp"),
        p384: common::p384("p384.idp"),
        ed: common::ed25519("ed.idp"),
        off: common::p256("off.idp"),
        nested: common::p256("nested.idp"),
        byid: common::p256("byid.idp"),
        ctrl: common::p256("ctrl.idp"),
        carol_id: String::new(),
        now: DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap(),
        db,
    };
    let drafts = [
        signer("rsa", "https://rsa.idp", &f.rsa, Some("rsa-1"), "email"),
        signer("p256", "https://p256.idp", &f.p256, None, "/email"),
        signer(
            "p384",
            "https://p384.idp",
            &f.p384,
            Some("p384-1"),
            "/email",
        ),
        signer("ed", "https://ed.idp", &f.ed, Some("ed-1"), "/email"),
        SignerDraft {
            enabled: false,
            ..signer("off", "https://off.idp", &f.off, Some("off-1"), "/email")
        },
        signer(
            "nested",
            "https://nested.idp",
            &f.nested,
            Some("n-1"),
            "/realm/user",
        ),
        signer(
            "slash",
            "https://slash.idp",
            &common::p256("slash.idp"),
            Some("s-1"),
            "/a~1b",
        ),
        SignerDraft {
            use_external_id: false,
            ..signer("byid", "https://byid.idp", &f.byid, Some("id-1"), "/sub")
        },
    ];
    let mut ids = std::collections::HashMap::new();
    for d in drafts {
        let created = store.create_signer(&d.validate().unwrap()).unwrap();
        ids.insert(created.draft.name.clone(), created.id);
    }
    // Check 13's policies: ext-JWT off; only the p256 signer; a secondary ext-JWT signer.
    let mut policy = |name: &str, edit: &dyn Fn(&mut AuthPolicyDraft)| {
        let mut d = AuthPolicyDraft {
            name: name.into(),
            ..AuthPolicyDraft::default()
        };
        edit(&mut d);
        store.create_auth_policy(&d.validate().unwrap()).unwrap().id
    };
    let no_ext_jwt = policy("no-ext-jwt", &|d| d.primary.ext_jwt.allowed = false);
    let only_p256 = policy("only-p256", &|d| {
        d.primary.ext_jwt.allowed_signers = vec![ids["p256"].clone()]
    });
    let second = policy("second-factor", &|d| {
        d.secondary.require_ext_jwt_signer = Some(ids["p384"].clone())
    });
    let identity = |name: &str, ext: Option<&str>, disabled: bool| IdentityDraft {
        name: name.into(),
        external_id: ext.map(str::to_string),
        disabled,
        ..IdentityDraft::default()
    };
    store
        .create_identity(&identity("alice", Some("alice@example.com"), false))
        .unwrap();
    store
        .create_identity(&identity("bob", Some("bob@example.com"), true))
        .unwrap();
    let carol = store
        .create_identity(&identity("carol", None, false))
        .unwrap();
    for (name, policy_id) in [("dave", no_ext_jwt), ("erin", only_p256), ("frank", second)] {
        store
            .create_identity(&IdentityDraft {
                auth_policy_id: policy_id,
                ..identity(name, Some(&format!("{name}@example.com")), false)
            })
            .unwrap();
    }
    // The controller's list output, field for field (openziti/edge-api
    // `source/management/ext-jwt-signers.yml` and `source/shared/identities.yml`): short ids,
    // an identity type as an entity reference, the policy as a reference next to its id.
    let signers = json!({"data": [{
        "_links": {}, "id": "kPq3.Zx9a", "createdAt": "2026-10-02T08:11:54.116Z",
        "updatedAt": "2026-10-02T08:11:54.116Z", "tags": {}, "name": "ctrl",
        "issuer": "https://ctrl.idp", "audience": "ziti", "certPem": f.ctrl.cert_pem,
        "jwksEndpoint": null, "kid": "ctrl-1", "claimsProperty": "sub", "useExternalId": false,
        "enabled": true, "commonName": "ctrl.idp", "fingerprint": f.ctrl.fingerprint(),
        "notAfter": "2036-01-01T00:00:00.000Z", "notBefore": "2026-01-01T00:00:00.000Z",
        "externalAuthUrl": null, "clientId": null, "scopes": null, "targetToken": "ACCESS",
        "enrollToCertEnabled": false, "enrollToTokenEnabled": false,
        "enrollNameClaimsSelector": "", "enrollAttributeClaimsSelector": "",
        "enrollAuthPolicyId": ""
    }], "meta": {"pagination": {"limit": -1, "offset": 0, "totalCount": 1}}});
    let identities = json!({"data": [{
        "_links": {}, "id": "Al1c.E001", "createdAt": "2026-10-07T09:00:00.000Z",
        "updatedAt": "2026-10-07T09:00:00.000Z", "tags": {}, "name": "ctrl-user",
        "type": {"entity": "identity-types", "id": "Default", "name": "Default"},
        "typeId": "Default", "isAdmin": false, "isDefaultAdmin": false, "externalId": null,
        "authPolicyId": "default", "authPolicy": {"entity": "auth-policies", "id": "default", "name": "Default"},
        "roleAttributes": ["vpn"], "disabled": false, "disabledAt": null, "disabledUntil": null
    }], "meta": {"pagination": {"limit": -1, "offset": 0, "totalCount": 1}}});
    for list in [signers, identities] {
        extjwt::interchange::import_str(&mut store, &list.to_string()).unwrap();
    }
    Fixture {
        carol_id: carol.id,
        ..f
    }
}

pub fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

pub struct Row {
    pub name: &'static str,
    pub token: String,
    pub leeway: u64,
    /// None: valid.
    pub reason: Option<&'static str>,
    pub check: Option<&'static str>,
}

pub fn rows(f: &Fixture) -> Vec<Row> {
    let now = f.now.timestamp();
    let claims = |iss: &str| json!({"iss": iss, "aud": "ziti", "email": "alice@example.com", "sub": "alice", "iat": now, "exp": now + 3600});
    let with = |iss: &str, patch: Value| {
        let mut c = claims(iss);
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let rsa_ok = f
        .rsa
        .mint(Algorithm::RS256, Some("rsa-1"), &claims("https://rsa.idp"));
    let parts: Vec<&str> = rsa_ok.split('.').collect();
    let mut rows = Vec::new();
    let mut row = |name, token: String, leeway, reason, check| {
        rows.push(Row {
            name,
            token,
            leeway,
            reason,
            check,
        })
    };

    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        row(
            "valid RSA family",
            f.rsa.mint(alg, Some("rsa-1"), &claims("https://rsa.idp")),
            0,
            None,
            None,
        );
    }
    row(
        "valid ES256 (kid = certificate fingerprint)",
        f.p256.mint(
            Algorithm::ES256,
            Some(&f.p256.fingerprint()),
            &claims("https://p256.idp"),
        ),
        0,
        None,
        None,
    );
    row(
        "valid ES384",
        f.p384.mint(
            Algorithm::ES384,
            Some("p384-1"),
            &claims("https://p384.idp"),
        ),
        0,
        None,
        None,
    );
    row(
        "valid EdDSA",
        f.ed.mint(Algorithm::EdDSA, Some("ed-1"), &claims("https://ed.idp")),
        0,
        None,
        None,
    );
    row(
        "valid with aud array",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"aud": ["other", "ziti"]})),
        ),
        0,
        None,
        None,
    );
    row(
        "expired",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"exp": now - 3 * 86400})),
        ),
        0,
        Some("expired"),
        Some("expiry"),
    );
    row(
        "expired but inside leeway",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"exp": now - 10})),
        ),
        30,
        None,
        None,
    );
    row(
        "nbf in the future",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"nbf": now + 600})),
        ),
        0,
        Some("not_yet_valid"),
        Some("not-before"),
    );
    row(
        "wrong audience",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"aud": "other"})),
        ),
        0,
        Some("audience_mismatch"),
        Some("audience"),
    );
    row(
        "no audience",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"aud": null})),
        ),
        0,
        Some("audience_mismatch"),
        Some("audience"),
    );
    row(
        "unknown issuer",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &claims("https://nobody.idp"),
        ),
        0,
        Some("unknown_issuer"),
        Some("signer"),
    );
    row(
        "controller short id as sub, signer from list output with useExternalId off",
        f.ctrl.mint(
            Algorithm::ES256,
            Some("ctrl-1"),
            &json!({"iss": "https://ctrl.idp", "aud": "ziti", "sub": "Al1c.E001", "iat": now, "exp": now + 3600}),
        ),
        0,
        None,
        None,
    );
    row(
        "issuer differs by a trailing slash",
        f.rsa
            .mint(Algorithm::RS256, Some("rsa-1"), &claims("https://rsa.idp/")),
        0,
        Some("unknown_issuer"),
        Some("signer"),
    );
    row(
        "no iss",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"iss": null})),
        ),
        0,
        Some("unknown_issuer"),
        Some("signer"),
    );
    row(
        "disabled signer",
        f.off
            .mint(Algorithm::ES256, Some("off-1"), &claims("https://off.idp")),
        0,
        Some("signer_disabled"),
        Some("enabled"),
    );
    row(
        "alg none",
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "kid": "rsa-1"})),
            parts[1]
        ),
        0,
        Some("unsupported_algorithm"),
        Some("algorithm"),
    );
    let hs = {
        let mut h = jsonwebtoken::Header::new(Algorithm::HS256);
        h.kid = Some("rsa-1".into());
        jsonwebtoken::encode(
            &h,
            &claims("https://rsa.idp"),
            &jsonwebtoken::EncodingKey::from_secret(f.rsa.cert_pem.as_bytes()).unwrap(),
        )
        .unwrap()
    };
    row(
        "HS256 signed with the public certificate as secret",
        hs,
        0,
        Some("unsupported_algorithm"),
        Some("algorithm"),
    );
    row(
        "RS256 token against an EC signer",
        f.rsa.mint(
            Algorithm::RS256,
            Some("p384-1"),
            &claims("https://p384.idp"),
        ),
        0,
        Some("unsupported_algorithm"),
        Some("algorithm"),
    );
    row(
        "no kid",
        f.rsa
            .mint(Algorithm::RS256, None, &claims("https://rsa.idp")),
        0,
        Some("key_not_found"),
        Some("key"),
    );
    row(
        "wrong kid",
        f.rsa
            .mint(Algorithm::RS256, Some("rsa-2"), &claims("https://rsa.idp")),
        0,
        Some("key_not_found"),
        Some("key"),
    );
    row(
        "tampered payload",
        format!(
            "{}.{}.{}",
            parts[0],
            b64(&with(
                "https://rsa.idp",
                json!({"email": "mallory@example.com"})
            )),
            parts[2]
        ),
        0,
        Some("bad_signature"),
        Some("signature"),
    );
    let mut sig: Vec<char> = parts[2].chars().collect();
    sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
    row(
        "tampered signature",
        format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            sig.iter().collect::<String>()
        ),
        0,
        Some("bad_signature"),
        Some("signature"),
    );
    // golang-jwt does not check the curve against the alg: an ES256 token is tried against the
    // P-384 key, and the signature (made by another key) fails.
    row(
        "signed by another key",
        f.p256.mint(
            Algorithm::ES256,
            Some("p384-1"),
            &claims("https://p384.idp"),
        ),
        0,
        Some("bad_signature"),
        Some("signature"),
    );
    // Cut off mid-payload, as a terminal copy often does: two parts left.
    row(
        "truncated token",
        format!("{}.{}", parts[0], &parts[1][..parts[1].len() / 2]),
        0,
        Some("malformed"),
        Some("format"),
    );
    // Cut off inside the signature: still three parts, so the signature no longer verifies (or
    // no longer decodes); either way rejected.
    row(
        "truncated signature",
        format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            &parts[2][..parts[2].len() - 8]
        ),
        0,
        Some("bad_signature"),
        Some("signature"),
    );
    row(
        "4 parts",
        format!("{rsa_ok}.abc"),
        0,
        Some("malformed"),
        Some("format"),
    );
    row(
        "non-base64",
        "!!!.###.$$$".into(),
        0,
        Some("malformed"),
        Some("format"),
    );
    row(
        "header not JSON",
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode("not json"),
            parts[1],
            parts[2]
        ),
        0,
        Some("malformed"),
        Some("format"),
    );
    row(
        "payload a JSON array",
        format!("{}.{}.{}", parts[0], b64(&json!(["iss", "aud"])), parts[2]),
        0,
        Some("malformed"),
        Some("format"),
    );
    row(
        "exp as a string",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"exp": "tomorrow"})),
        ),
        0,
        Some("malformed"),
        Some("format"),
    );
    // The controller's limit is its HTTP header limit (1 MiB), not 16 KiB.
    row(
        "token of 23 KiB is read",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"pad": "x".repeat(17000)})),
        ),
        0,
        None,
        None,
    );
    row(
        "token over 1 MiB",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"pad": "x".repeat(800_000)})),
        ),
        0,
        Some("malformed"),
        Some("format"),
    );
    row(
        "claim missing",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"email": null})),
        ),
        0,
        Some("claim_invalid"),
        Some("claim"),
    );
    row(
        "claim a number",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"email": 42})),
        ),
        0,
        Some("claim_invalid"),
        Some("claim"),
    );
    row(
        "nested claim /realm/user",
        f.nested.mint(
            Algorithm::ES256,
            Some("n-1"),
            &with(
                "https://nested.idp",
                json!({"realm": {"user": "alice@example.com"}}),
            ),
        ),
        0,
        None,
        None,
    );
    row(
        "externalId not found",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"email": "zoe@example.com"})),
        ),
        0,
        Some("identity_not_found"),
        Some("identity"),
    );
    row(
        "identity disabled",
        f.rsa.mint(
            Algorithm::RS256,
            Some("rsa-1"),
            &with("https://rsa.idp", json!({"email": "bob@example.com"})),
        ),
        0,
        Some("identity_disabled"),
        Some("identity-enabled"),
    );
    row(
        "useExternalId false maps by identity id",
        f.byid.mint(
            Algorithm::ES256,
            Some("id-1"),
            &with("https://byid.idp", json!({"sub": f.carol_id})),
        ),
        0,
        None,
        None,
    );
    let as_user = |key: &TestKey, alg, kid: Option<&str>, iss: &str, email: &str| {
        key.mint(alg, kid, &with(iss, json!({ "email": email })))
    };
    row(
        "auth policy: the Default policy allows every signer",
        as_user(
            &f.rsa,
            Algorithm::RS256,
            Some("rsa-1"),
            "https://rsa.idp",
            "alice@example.com",
        ),
        0,
        None,
        None,
    );
    row(
        "auth policy: ext-JWT login not allowed",
        as_user(
            &f.rsa,
            Algorithm::RS256,
            Some("rsa-1"),
            "https://rsa.idp",
            "dave@example.com",
        ),
        0,
        Some("ext_jwt_not_allowed"),
        Some("auth-policy"),
    );
    row(
        "auth policy: allowed signers without this signer",
        as_user(
            &f.rsa,
            Algorithm::RS256,
            Some("rsa-1"),
            "https://rsa.idp",
            "erin@example.com",
        ),
        0,
        Some("signer_not_allowed"),
        Some("auth-policy"),
    );
    row(
        "auth policy: allowed signers with this signer",
        as_user(
            &f.p256,
            Algorithm::ES256,
            Some(&f.p256.fingerprint()),
            "https://p256.idp",
            "erin@example.com",
        ),
        0,
        None,
        None,
    );
    row(
        "auth policy: a secondary ext-JWT signer passes with a note",
        as_user(
            &f.rsa,
            Algorithm::RS256,
            Some("rsa-1"),
            "https://rsa.idp",
            "frank@example.com",
        ),
        0,
        None,
        None,
    );
    row(
        "Bearer prefix and whitespace are ignored",
        format!("  Bearer {rsa_ok}\n"),
        0,
        None,
        None,
    );
    rows
}
