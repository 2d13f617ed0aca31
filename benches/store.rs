//! Identity lookup by external ID at 1 000 and 1 000 000 identities (target: flat, it is an
//! index lookup). The verifier's memo is off so the index itself is measured.

use criterion::{Criterion, criterion_group, criterion_main};
use extjwt::model::IdentityDraft;
use extjwt::model::import::ImportedIdentity;
use extjwt::store::Store;
use std::hint::black_box;

fn store_with_identities(n: usize) -> Store {
    let mut store = Store::open_in_memory().expect("store");
    let mut session = store.begin_import().expect("import");
    for i in 0..n {
        session
            .identity(&ImportedIdentity {
                list: "identities",
                index: i,
                draft: IdentityDraft {
                    name: format!("user-{i:07}"),
                    external_id: Some(format!("user-{i}@example.com")),
                    ..IdentityDraft::default()
                },
                ..ImportedIdentity::default()
            })
            .expect("import");
    }
    session.commit().expect("import");
    store.set_lookup_memo(false);
    store
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("identity by externalId");
    for n in [1_000usize, 1_000_000] {
        let store = store_with_identities(n);
        let keys: Vec<String> = (0..1000)
            .map(|k| format!("user-{}@example.com", (k * 7919) % n))
            .collect();
        let mut next = 0usize;
        let hot = keys[0].clone();
        // One key again and again: the index walk itself, with its pages in the CPU cache.
        group.bench_function(format!("{n} identities, same key"), |b| {
            b.iter(|| {
                assert!(
                    store
                        .identity_by_external_id(black_box(&hot))
                        .expect("lookup")
                        .is_some()
                );
            })
        });
        // 1000 keys spread over the table: adds the cost of reaching cold pages.
        group.bench_function(format!("{n} identities, 1000 spread keys"), |b| {
            b.iter(|| {
                next = (next + 1) % keys.len();
                let found = store
                    .identity_by_external_id(black_box(&keys[next]))
                    .expect("lookup");
                assert!(found.is_some());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
