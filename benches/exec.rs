//! Time to exec-check one answer once libtorch is loaded (`cargo bench --features exec
//! --bench exec`). The whole-process time for one answer is measured from the shell:
//! `/usr/bin/time target/release/pseudograde check --rubric simsiam --exec fixtures/simsiam/seed_student.py`.

use criterion::{Criterion, criterion_group, criterion_main};
use pseudograde::{grade, rubric};

fn exec_one(c: &mut Criterion) {
    for (id, file) in [
        ("simsiam", "fixtures/simsiam/seed_student.py"),
        ("cyclegan", "fixtures/cyclegan/seed_student.py"),
    ] {
        let rubric = rubric::resolve(id).expect("built-in rubric");
        let text = std::fs::read_to_string(file).expect("fixture");
        let report = grade::grade(file, &text, &rubric);
        c.bench_function(&format!("exec {id} seed answer"), |b| {
            b.iter(|| pseudograde::exec::run(&text, &rubric, &report))
        });
    }
}

criterion_group!(benches, exec_one);
criterion_main!(benches);
