//! Many admins at once: 8 processes each run 500 mixed CLI writes against one database. Every
//! acknowledged write must be there afterwards, every refused one refused for a stated reason
//! (a stale version or a constraint), never "database is locked"; and the file stays sound.

mod common;

use common::TempDb;
use std::collections::BTreeMap;
use std::process::Command;

const WORKERS: usize = 8;
const OPS_PER_WORKER: usize = 500;
const SHARED_NAMES: usize = 40;

struct Outcome {
    ok: bool,
    stderr: String,
}

fn run(db: &TempDb, args: &[String]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .arg("--db")
        .arg(&db.path)
        .args(args)
        .env("USER", "loadtest")
        .env_remove("EXTJWT_DB")
        .output()
        .expect("run extjwt");
    Outcome {
        ok: out.status.success(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// What one worker saw: its own signers' expected final audiences, its acknowledged updates of
/// the shared "hot" signer, and the shared names it created.
#[derive(Default)]
struct Ledger {
    own: BTreeMap<String, String>,
    hot_updates: usize,
    shared_created: Vec<String>,
    refusals: usize,
}

fn worker(db: &TempDb, w: usize) -> Ledger {
    let mut ledger = Ledger::default();
    // A small deterministic generator: the mix is the same every run.
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ (w as u64 + 1);
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for i in 0..OPS_PER_WORKER {
        let roll = next(100);
        let (args, kind) = if roll < 35 || ledger.own.is_empty() {
            let name = format!("w{w}-{i}");
            (
                s(&[
                    "signer",
                    "create",
                    &name,
                    &format!("https://{name}.load"),
                    "-a",
                    "aud-0",
                    "-u",
                    &format!("https://{name}.load/jwks"),
                ]),
                Some(("create", name)),
            )
        } else if roll < 55 {
            let keys: Vec<&String> = ledger.own.keys().collect();
            let name = keys[next(keys.len())].clone();
            (
                s(&["signer", "update", &name, "-a", &format!("aud-{i}")]),
                Some(("update", name)),
            )
        } else if roll < 65 {
            let keys: Vec<&String> = ledger.own.keys().collect();
            let name = keys[next(keys.len())].clone();
            (s(&["signer", "delete", &name]), Some(("delete", name)))
        } else if roll < 85 {
            (
                s(&["signer", "update", "hot", "-a", &format!("w{w}-{i}")]),
                None,
            )
        } else {
            let name = format!("shared-{}", next(SHARED_NAMES));
            (
                s(&[
                    "signer",
                    "create",
                    &name,
                    &format!("https://{name}.load"),
                    "-a",
                    "z",
                    "-u",
                    &format!("https://{name}.load/jwks"),
                ]),
                Some(("shared", name)),
            )
        };
        let outcome = run(db, &args);
        let lower = outcome.stderr.to_lowercase();
        assert!(
            !lower.contains("locked") && !lower.contains("busy"),
            "{args:?}: {}",
            outcome.stderr
        );
        if outcome.ok {
            match kind {
                Some(("create", name)) => {
                    ledger.own.insert(name, "aud-0".into());
                }
                Some(("update", name)) => {
                    ledger.own.insert(name, format!("aud-{i}"));
                }
                Some(("delete", name)) => {
                    ledger.own.remove(&name);
                }
                Some(("shared", name)) => ledger.shared_created.push(name),
                None => ledger.hot_updates += 1,
                _ => unreachable!(),
            }
        } else {
            ledger.refusals += 1;
            let understood = outcome.stderr.contains("changed by another session")
                || outcome.stderr.contains("already exists")
                || outcome.stderr.contains("another session just saved");
            assert!(
                understood,
                "{args:?} refused for an unexpected reason: {}",
                outcome.stderr
            );
            assert!(
                kind.is_none() || matches!(kind, Some(("shared", _))),
                "own rows are never contended: {args:?}: {}",
                outcome.stderr
            );
        }
    }
    ledger
}

#[test]
fn eight_processes_writing_at_once_lose_nothing() {
    let db = TempDb::new();
    assert!(
        run(
            &db,
            &s(&[
                "signer",
                "create",
                "hot",
                "https://hot.load",
                "-a",
                "start",
                "-u",
                "https://hot.load/jwks"
            ])
        )
        .ok
    );
    let ledgers: Vec<Ledger> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let db = &db;
                scope.spawn(move || worker(db, w))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });

    let stored: serde_json::Value = db.json(&["signer", "list", "--json"]);
    let stored: BTreeMap<String, serde_json::Value> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s.clone()))
        .collect();

    let mut expected_count = 1; // hot
    for (w, ledger) in ledgers.iter().enumerate() {
        for (name, audience) in &ledger.own {
            let row = stored
                .get(name)
                .unwrap_or_else(|| panic!("acknowledged signer {name} of worker {w} is missing"));
            assert_eq!(
                row["audience"].as_str(),
                Some(audience.as_str()),
                "{name}: the last acknowledged update won"
            );
        }
        let own_stored = stored
            .keys()
            .filter(|k| k.starts_with(&format!("w{w}-")))
            .count();
        assert_eq!(
            own_stored,
            ledger.own.len(),
            "worker {w}: deleted rows stay deleted, nothing extra"
        );
        expected_count += ledger.own.len();
    }
    let mut shared: Vec<&String> = ledgers
        .iter()
        .flat_map(|l| l.shared_created.iter())
        .collect();
    shared.sort();
    let before = shared.len();
    shared.dedup();
    assert_eq!(
        before,
        shared.len(),
        "each shared name was created by exactly one process"
    );
    assert_eq!(
        stored.keys().filter(|k| k.starts_with("shared-")).count(),
        shared.len()
    );
    expected_count += shared.len();
    assert_eq!(stored.len(), expected_count);

    let hot_updates: usize = ledgers.iter().map(|l| l.hot_updates).sum();
    let hot = db.json(&["signer", "show", "hot", "--json"]);
    assert_eq!(
        hot["version"].as_u64(),
        Some(1 + hot_updates as u64),
        "every acknowledged update of the shared row counted once"
    );
    let refusals: usize = ledgers.iter().map(|l| l.refusals).sum();
    println!("{hot_updates} hot updates acknowledged, {refusals} writes refused with a reason");

    let store = extjwt::store::Store::open(&db.path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
}
