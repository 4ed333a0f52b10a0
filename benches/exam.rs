//! A whole exam through `pseudograde grade`: 1,000 answers per rubric (its fixtures and
//! variations of them that keep their meaning) found on disk, graded on one thread and
//! on every core, and written out as the gradebook, the reports and the summary —
//! the same library calls as the command. `cargo bench --bench exam`.
//! `tests/exam_variations.rs` checks that such a gradebook matches `check` run answer by
//! answer.

#[path = "../tests/support/variations.rs"]
mod variations;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pseudograde::msg::Lang;
use pseudograde::{batch, fixtures};
use std::time::Duration;

const ANSWERS: usize = 1_000;

fn exam(c: &mut Criterion) {
    let root = std::env::temp_dir().join(format!("pseudograde-bench-exam-{}", std::process::id()));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for rubric_id in ["simsiam", "ibot", "cyclegan"] {
        let rubric = fixtures::load_rubric(rubric_id).expect("built-in rubric");
        let dir = root.join(rubric_id);
        let out = root.join(format!("{rubric_id}-graded"));
        variations::write_exam(&variations::fixture_answers(rubric_id), ANSWERS, &dir);
        let found = batch::find(&dir);
        assert_eq!(found.len(), ANSWERS);
        assert!(
            found.iter().all(|a| a.text.is_ok()),
            "every generated answer is readable"
        );

        let mut group = c.benchmark_group(format!("grade 1000 answers/{rubric_id}"));
        group.throughput(Throughput::Elements(ANSWERS as u64));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(30));
        let thread_counts = if cores > 1 { vec![1, cores] } else { vec![1] };
        for jobs in thread_counts {
            group.bench_function(format!("find, grade and write, {jobs} thread(s)"), |b| {
                b.iter(|| {
                    let answers = batch::find(&dir);
                    let rows = batch::grade_all(&answers, &rubric, jobs, false, false);
                    batch::write_outputs(&rows, &rubric, &out, Lang::En)
                        .expect("the results folder is writable");
                })
            });
        }
        group.finish();
    }
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, exam);
criterion_main!(benches);
