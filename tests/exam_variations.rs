//! `pseudograde grade` over an exam made of fixture answers and variations of them that
//! keep their meaning (`tests/support/variations.rs`): every gradebook row is what
//! `pseudograde check` gives for that answer alone, and every variation earns the same
//! verdicts as the answer it came from. The benchmark `benches/exam.rs` times the same
//! work over 1,000 answers.

#[path = "support/variations.rs"]
mod variations;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Answers per rubric: fifty more than the rubric has fixtures (so some are variations,
/// however many fixtures there are) and few enough that the suite stays quick; or the
/// issue's 1,000 with `PSEUDOGRADE_EXAM_ANSWERS=1000 cargo test --release --test
/// exam_variations`.
fn answers_per_rubric(fixtures: usize) -> usize {
    match std::env::var("PSEUDOGRADE_EXAM_ANSWERS") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("PSEUDOGRADE_EXAM_ANSWERS={v} is not a number of answers")),
        Err(_) => fixtures + 50,
    }
}

fn pseudograde(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A gradebook as read back: the rule ids of its header, and by answer id the points
/// per rule (in the header's order) and the total.
struct Gradebook {
    rules: Vec<String>,
    rows: BTreeMap<String, (Vec<f64>, f64)>,
}

fn read_gradebook(path: &Path) -> Gradebook {
    let text = std::fs::read_to_string(path).expect("the gradebook is written");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rules: Vec<String> = header[1..header.len() - 3].to_vec();
    let mut rows = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[cells.len() - 2], "graded", "{line}");
        let number = |s: &str| {
            s.parse::<f64>()
                .unwrap_or_else(|e| panic!("`{s}` in `{line}`: {e}"))
        };
        let points = cells[1..=rules.len()].iter().map(|c| number(c)).collect();
        rows.insert(
            cells[0].to_string(),
            (points, number(cells[rules.len() + 1])),
        );
    }
    Gradebook { rules, rows }
}

fn grade_exam_and_compare_with_check(rubric: &str) {
    let root =
        std::env::temp_dir().join(format!("pseudograde-exam-{rubric}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let exam = root.join("exam");
    let sources = variations::fixture_answers(rubric);
    let count = answers_per_rubric(sources.len());
    let written = variations::write_exam(&sources, count, &exam);
    assert!(
        sources.len() < count,
        "the exam holds variations, not only fixtures"
    );

    // The variations really differ from the answers they came from.
    let changed = written[sources.len()..]
        .iter()
        .filter(|(answer, source)| std::fs::read(answer).unwrap() != std::fs::read(source).unwrap())
        .count();
    assert!(
        changed * 10 >= (count - sources.len()) * 9,
        "only {changed} variations differ from their fixture"
    );

    let out = root.join("graded");
    let r = pseudograde(&[
        "grade",
        "--rubric",
        rubric,
        exam.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let Gradebook { rules, rows } = read_gradebook(&out.join("gradebook.csv"));
    assert_eq!(rows.len(), written.len());

    // Verdicts of each fixture as it is (the first answers of the exam).
    let mut verdicts_of_source = BTreeMap::new();
    for (answer, source) in &written[..sources.len()] {
        let id = answer.file_stem().unwrap().to_string_lossy().to_string();
        verdicts_of_source.insert(source.clone(), rows[&id].0.clone());
    }

    for (answer, source) in &written {
        let id = answer.file_stem().unwrap().to_string_lossy().to_string();
        let (points, total) = &rows[&id];
        let check = pseudograde(&[
            "check",
            "--rubric",
            rubric,
            "--format",
            "json",
            answer.to_str().unwrap(),
        ]);
        let report: Value = serde_json::from_slice(&check.stdout).unwrap_or_else(|e| {
            panic!(
                "{id}: check gave no JSON ({e}): {}",
                String::from_utf8_lossy(&check.stderr)
            )
        });
        let check_rules = report["rules"].as_array().unwrap();
        let check_ids: Vec<&str> = check_rules
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(check_ids, rules, "{id}: rules in another order");
        let check_points: Vec<f64> = check_rules
            .iter()
            .map(|r| r["points"].as_f64().unwrap())
            .collect();
        assert_eq!(points, &check_points, "{id}: gradebook and check disagree");
        assert_eq!(*total, report["score"].as_f64().unwrap(), "{id}");

        assert_eq!(
            points,
            &verdicts_of_source[source],
            "{id}: the variation of {} changed a verdict",
            source.display()
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn simsiam_exam_rows_match_check_and_variations_keep_verdicts() {
    grade_exam_and_compare_with_check("simsiam");
}

#[test]
fn ibot_exam_rows_match_check_and_variations_keep_verdicts() {
    grade_exam_and_compare_with_check("ibot");
}

#[test]
fn cyclegan_exam_rows_match_check_and_variations_keep_verdicts() {
    grade_exam_and_compare_with_check("cyclegan");
}
