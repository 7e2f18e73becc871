//! Micro-benchmarks of the pure hot paths: scoring a 50-question attempt, parsing Rails-style parameters, and
//! verifying a token against its stored hash. `cargo bench -p assay-bench`.

use std::hint::black_box;

use assay_domain::question::{self, Draw, samples};
use criterion::{Criterion, criterion_group, criterion_main};

fn scoring(c: &mut Criterion) {
    let draw = Draw::from([("x".to_owned(), 3.0), ("y".to_owned(), 4.0)]);
    let bodies = samples::all();
    let attempt: Vec<_> =
        bodies.iter().cycle().take(50).map(|body| (body.clone(), question::correct_response(body, &draw))).collect();
    c.bench_function("score a 50-question attempt", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for (body, response) in &attempt {
                total += question::score(black_box(body), response.as_ref(), &draw).points;
            }
            total
        })
    });
}

fn params(c: &mut Criterion) {
    let query = "assignment[name]=Essay%201&assignment[points_possible]=10&assignment[submission_types][]=online_text_entry\
        &assignment[submission_types][]=online_upload&assignment[due_at]=2026-12-01T23:59:00Z&include[]=overrides\
        &assignment[assignment_overrides][][student_ids][]=1&assignment[assignment_overrides][][student_ids][]=2\
        &assignment[assignment_overrides][][due_at]=2026-12-03T23:59:00Z&per_page=50";
    c.bench_function("parse Rails-style parameters", |b| {
        b.iter(|| assay_api::params::query_tree(Some(black_box(query))))
    });
}

fn tokens(c: &mut Criterion) {
    let secret = assay_store::secrets::generate("assay_");
    let stored = assay_store::secrets::hash(&secret);
    c.bench_function("verify a token", |b| b.iter(|| assay_store::secrets::matches(black_box(&secret), &stored)));
}

criterion_group!(benches, scoring, params, tokens);
criterion_main!(benches);
