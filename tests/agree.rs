//! `pseudograde agree` against the fixtures, with their expected points as the human's.

use std::process::Command;

/// A CSV of the expected points per rule of every fixture of a rubric that the tool is
/// not known to miss.
fn expected_grades(rubric: &str) -> Vec<(String, String, f64)> {
    let r = pseudograde::fixtures::load_rubric(rubric).unwrap();
    let gaps = std::fs::read_to_string("fixtures/known-gaps.txt").unwrap_or_default();
    let mut rows = Vec::new();
    for f in pseudograde::fixtures::discover(&[format!("fixtures/{rubric}").into()]) {
        if gaps.lines().any(|l| l.trim() == f.name()) || !f.expected.exists() {
            continue;
        }
        let exp: toml::Table =
            toml::from_str(&std::fs::read_to_string(&f.expected).unwrap()).unwrap();
        let file = f.answer.file_name().unwrap().to_string_lossy().to_string();
        for rule in &r.rules {
            let passed = exp["rules"][&rule.id]["passed"].as_bool().unwrap();
            rows.push((
                file.clone(),
                rule.id.clone(),
                if passed { rule.points } else { 0.0 },
            ));
        }
    }
    rows
}

fn run_agree(tag: &str, rows: &[(String, String, f64)]) -> String {
    let csv: String = std::iter::once("answer,rule,points\n".to_string())
        .chain(rows.iter().map(|(a, r, p)| format!("{a},{r},{p}\n")))
        .collect();
    let path = std::env::temp_dir().join(format!(
        "pseudograde-agree-{}-{tag}.csv",
        std::process::id()
    ));
    std::fs::write(&path, csv).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        // Messages follow the locale; these tests read the English ones.
        .env("LC_ALL", "C")
        .args([
            "agree",
            "--rubric",
            "simsiam",
            "--human",
            path.to_str().unwrap(),
            "fixtures/simsiam",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn row<'a>(report: &'a str, rule: &str) -> Vec<&'a str> {
    report
        .lines()
        .find(|l| l.starts_with(rule))
        .unwrap_or_else(|| panic!("no row for {rule}:\n{report}"))
        .split_whitespace()
        .collect()
}

#[test]
fn agreement_with_the_expected_grades_is_perfect() {
    let rows = expected_grades("simsiam");
    let report = run_agree("perfect", &rows);
    for rule in [
        "two_views",
        "encoder_predictor",
        "stop_gradient",
        "symmetric_loss",
        "negative_cosine",
        "optimizer_update",
    ] {
        let r = row(&report, rule);
        assert_eq!((r[2], r[3]), ("1.000", "1.000"), "{report}");
    }
    assert!(
        report.contains("mean |tool - human| = 0.000 points; within 0.5 points: 100.0%"),
        "{report}"
    );
}

#[test]
fn altered_grades_move_the_numbers_as_they_should() {
    let mut rows = expected_grades("simsiam");
    // The human fails two answers' `two_views` that the tool passes.
    let mut flipped = 0;
    for r in rows
        .iter_mut()
        .filter(|r| r.1 == "two_views" && r.2 > 0.0)
        .take(2)
    {
        r.2 = 0.0;
        flipped += 1;
    }
    assert_eq!(flipped, 2);
    let report = run_agree("altered", &rows);
    let r = row(&report, "two_views");
    let n: usize = r[1].parse().unwrap();
    let (both_pass, tool_only, human_only, both_fail): (usize, usize, usize, usize) = (
        r[4].parse().unwrap(),
        r[5].parse().unwrap(),
        r[6].parse().unwrap(),
        r[7].parse().unwrap(),
    );
    assert_eq!((tool_only, human_only), (2, 0));
    let agreement: f64 = r[2].parse().unwrap();
    assert!(
        (agreement - (n - 2) as f64 / n as f64).abs() < 5e-4,
        "{report}"
    );
    // Cohen's κ from the counts, computed here independently.
    let nf = n as f64;
    let (ty, hy) = (
        (both_pass + tool_only) as f64 / nf,
        (both_pass + human_only) as f64 / nf,
    );
    let pe = ty * hy + (1.0 - ty) * (1.0 - hy);
    let kappa = ((both_pass + both_fail) as f64 / nf - pe) / (1.0 - pe);
    let shown: f64 = r[3].parse().unwrap();
    assert!(
        (shown - kappa).abs() < 5e-4 && shown < 1.0,
        "{shown} vs {kappa}\n{report}"
    );
    // Each flipped answer differs by two_views' 0.5 points.
    assert!(report.contains("largest differences:"), "{report}");
    let answers = {
        let mut set = std::collections::BTreeSet::new();
        rows.iter().for_each(|r| {
            set.insert(r.0.clone());
        });
        set.len() as f64
    };
    let mad = format!("mean |tool - human| = {:.3} points", 1.0 / answers);
    assert!(report.contains(&mad), "expected `{mad}` in\n{report}");
}
