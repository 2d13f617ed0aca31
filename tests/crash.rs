//! Crash safety: a writer importing a large file is killed with SIGKILL at random points, 50
//! times. After each kill the database opens, passes `integrity_check`, and holds the batch
//! whole or not at all (import is one transaction), with its audit entries likewise.

mod common;

use common::TempDb;
use std::process::{Command, Stdio};
use std::time::Instant;

const BATCH: usize = 1500;
const KILLS: usize = 50;

fn batch_file(db: &TempDb, round: usize) -> std::path::PathBuf {
    let signers: Vec<serde_json::Value> = (0..BATCH)
        .map(|i| {
            serde_json::json!({"name": format!("crash-{round}-{i}"), "issuer": format!("https://c{round}-{i}.test"),
                               "audience": "ziti", "jwksEndpoint": format!("https://c{round}-{i}.test/jwks"), "enabled": true})
        })
        .collect();
    db.file(
        &format!("batch-{round}.json"),
        &serde_json::json!({"externalJwtSigners": signers}).to_string(),
    )
}

fn import(db: &TempDb, file: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_extjwt"))
        .arg("--db")
        .arg(&db.path)
        .arg("import")
        .arg(file)
        .env_remove("EXTJWT_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn import")
}

fn count(store: &extjwt::store::Store, round: usize) -> (usize, usize) {
    let prefix = format!("crash-{round}-");
    let rows = store
        .list_signer_summaries()
        .unwrap()
        .iter()
        .filter(|s| s.name.starts_with(&prefix))
        .count();
    let audit = store
        .audit_log(1_000_000, None)
        .unwrap()
        .iter()
        .filter(|e| {
            e.entity_name
                .as_deref()
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .count();
    (rows, audit)
}

#[test]
fn killed_writers_leave_whole_batches_or_nothing() {
    let db = TempDb::new();
    // How long an uninterrupted import takes here sets the window the kills are spread over.
    let warm = batch_file(&db, 9999);
    let start = Instant::now();
    assert!(import(&db, &warm).wait().unwrap().success());
    let duration = start.elapsed();

    let mut state = 0x2545_f491_4f6c_dd1du64;
    let (mut none, mut whole) = (0, 0);
    for round in 0..KILLS {
        let file = batch_file(&db, round);
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = duration.mul_f64((state % 1000) as f64 / 1000.0 * 2.0);
        let mut child = import(&db, &file);
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();

        let store = extjwt::store::Store::open(&db.path).expect("the database opens after a kill");
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}");
        let (rows, audit) = count(&store, round);
        assert!(
            rows == 0 || rows == BATCH,
            "round {round}: {rows} of {BATCH} rows: a half-written import"
        );
        assert_eq!(audit, rows, "round {round}: audit entries match the rows");
        if rows == 0 { none += 1 } else { whole += 1 }
    }
    println!("import took {duration:?}; {none} kills before commit, {whole} after");
    // Kills after the commit depend on this machine's speed; kills before it must happen, or
    // the test proved nothing.
    assert!(
        none > 0,
        "some kills landed before the commit ({none}/{whole})"
    );
}
