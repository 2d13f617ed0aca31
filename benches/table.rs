//! The signers table: one frame with 100 and with 100 000 signers (only the visible rows are
//! built, so the two should be close), and applying a filter over 100 000 (target: < 16 ms).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use extjwt::model::SignerDraft;
use extjwt::model::import::ImportedSigner;
use extjwt::store::Store;
use extjwt::tui::theme::Theme;
use extjwt::tui::{App, AppOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

/// A store with `n` JWKS signers, written in one import transaction.
pub fn store_with_signers(n: usize) -> Store {
    let mut store = Store::open_in_memory().expect("store");
    let mut session = store.begin_import().expect("import");
    for i in 0..n {
        let signer = SignerDraft {
            name: format!("signer-{i:06}"),
            issuer: format!("https://idp-{i}.example.com/oauth2/default"),
            audience: format!("api://ziti-{}", i % 50),
            jwks_endpoint: Some(format!("https://idp-{i}.example.com/jwks")),
            enabled: i % 7 != 0,
            ..SignerDraft::default()
        }
        .validate()
        .expect("valid");
        session
            .signer(&ImportedSigner {
                list: "externalJwtSigners",
                index: i,
                id: None,
                created_at: None,
                updated_at: None,
                draft: signer,
            })
            .expect("import");
    }
    session.commit().expect("import");
    store
}

fn options() -> AppOptions {
    AppOptions {
        theme: Theme::new(false),
        ..AppOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("signers table");
    for n in [100usize, 100_000] {
        let mut app = App::new(store_with_signers(n), options()).expect("app");
        let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("terminal");
        group.bench_function(format!("render one frame, {n} signers"), |b| {
            b.iter(|| {
                terminal.draw(|f| app.render(f)).expect("draw");
            })
        });
    }
    let mut app = App::new(store_with_signers(100_000), options()).expect("app");
    group.bench_function("apply a filter, 100000 signers", |b| {
        // Only the filter is timed; clearing it again between runs is not.
        b.iter_custom(|iterations| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iterations {
                app.set_filter("");
                let start = std::time::Instant::now();
                app.set_filter(black_box("idp-4242"));
                total += start.elapsed();
            }
            total
        })
    });
    group.sample_size(10);
    group.bench_function(
        "start-up to first frame, 100000 signers (store already filled)",
        |b| {
            b.iter_batched(
                || store_with_signers(100_000),
                |store| {
                    let mut app = App::new(store, options()).expect("app");
                    let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("terminal");
                    terminal.draw(|f| app.render(f)).expect("draw");
                },
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
