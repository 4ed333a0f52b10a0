//! Answers graded per second, per rubric, over the fixtures: `cargo bench`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pseudograde::{fixtures, grade};
use std::path::PathBuf;

fn grading(c: &mut Criterion) {
    for rubric_id in ["simsiam", "ibot", "cyclegan"] {
        let rubric = fixtures::load_rubric(rubric_id).expect("built-in rubric");
        let answers: Vec<(String, String)> =
            fixtures::discover(&[PathBuf::from("fixtures").join(rubric_id)])
                .into_iter()
                .filter_map(|f| {
                    let p = f.answer.to_string_lossy().to_string();
                    pseudograde::source::read(&p).ok().map(|t| (p, t))
                })
                .collect();
        let mut group = c.benchmark_group(format!("grade/{rubric_id}"));
        group.throughput(Throughput::Elements(answers.len() as u64));
        group.bench_function("all fixtures", |b| {
            b.iter(|| {
                for (path, text) in &answers {
                    std::hint::black_box(grade::grade(path, text, &rubric));
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, grading);
criterion_main!(benches);
