//! `pseudograde grade` over a folder as an instructor exports it: every readable answer
//! graded as `check` would grade it, the others recorded as errors, and the same output
//! whatever `--jobs` is.

use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        // Messages follow the locale; these tests read the English ones.
        .env("LC_ALL", "C")
        .args(args)
        .output()
        .unwrap()
}

/// `pseudograde grade --rubric simsiam DIR --out OUT [extra]`, which must succeed.
fn grade_folder(dir: &std::path::Path, out: &std::path::Path, extra: &[&str]) {
    let mut args = vec![
        "grade",
        "--rubric",
        "simsiam",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn a_mixed_folder_is_graded_and_unreadable_answers_are_rows_with_their_reason() {
    let root = std::env::temp_dir().join(format!("pseudograde-grade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("answers");
    std::fs::create_dir_all(dir.join("bob")).unwrap();
    let answer = std::fs::read_to_string("fixtures/simsiam/paper_algorithm1.py").unwrap();
    std::fs::write(dir.join("alice.py"), &answer).unwrap();
    std::fs::write(
        dir.join("bob/q9.txt"),
        std::fs::read("fixtures/simsiam/no_stop_gradient.py").unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("carol.md"),
        format!("My answer:\n\n```python\n{answer}```\n"),
    )
    .unwrap();
    let cells: Vec<serde_json::Value> = answer
        .lines()
        .map(|l| serde_json::Value::String(format!("{l}\n")))
        .collect();
    let nb = serde_json::json!({"cells": [{"cell_type": "markdown", "source": ["SimSiam"]}, {"cell_type": "code", "source": cells}]});
    std::fs::write(dir.join("dave.ipynb"), nb.to_string()).unwrap();
    std::fs::write(dir.join("empty.py"), "").unwrap();
    std::fs::write(dir.join("binary.py"), [0u8, 1, 2, 0xff]).unwrap();
    std::os::unix::fs::symlink(root.join("nowhere"), dir.join("unreadable.py")).unwrap();

    let out1 = root.join("out1");
    let out2 = root.join("out2");
    grade_folder(&dir, &out1, &["--jobs", "1"]);
    grade_folder(&dir, &out2, &["--jobs", "2"]);
    let book = std::fs::read_to_string(out1.join("gradebook.csv")).unwrap();
    assert_eq!(
        book,
        std::fs::read_to_string(out2.join("gradebook.csv")).unwrap(),
        "output depends on --jobs"
    );

    let rows: Vec<&str> = book.lines().collect();
    assert!(rows[0].starts_with("answer,two_views,encoder_predictor"));
    let row = |id: &str| {
        rows.iter()
            .find(|r| r.starts_with(&format!("{id},")))
            .unwrap_or_else(|| panic!("no row for {id}:\n{book}"))
            .to_string()
    };
    // Each readable answer scores as `check` scores it.
    let check = run(&[
        "check",
        "--rubric",
        "simsiam",
        "--format",
        "json",
        "fixtures/simsiam/no_stop_gradient.py",
    ]);
    let score = serde_json::from_slice::<serde_json::Value>(&check.stdout).unwrap()["score"]
        .as_f64()
        .unwrap();
    assert!(
        row("bob/q9").ends_with(&format!(",{score},graded,")),
        "{}",
        row("bob/q9")
    );
    for id in ["alice", "carol", "dave"] {
        assert!(row(id).ends_with(",3.5,graded,"), "{}", row(id));
    }
    for (id, why) in [
        ("empty", "the answer is empty"),
        ("binary", "the file is binary"),
        ("unreadable", "cannot read it"),
    ] {
        let r = row(id);
        assert!(r.contains(",error,") && r.contains(why), "{r}");
    }
    assert_eq!(rows.len(), 1 + 7);

    assert!(
        out1.join("reports/alice.json").exists() && out1.join("gradescope/bob_q9.json").exists()
    );
    let html = std::fs::read_to_string(out1.join("summary.html")).unwrap();
    assert!(
        html.contains("<svg") && html.contains("4 answers graded, 3 could not be read"),
        "{html}"
    );
    assert!(
        !html.contains("<script"),
        "the summary must not need scripts"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn answers_whose_names_collide_keep_one_row_and_one_report_each() {
    let root = std::env::temp_dir().join(format!("pseudograde-collide-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("answers");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    let full = std::fs::read_to_string("fixtures/simsiam/paper_algorithm1.py").unwrap();
    let partial = std::fs::read_to_string("fixtures/simsiam/no_stop_gradient.py").unwrap();
    // Same path but for the extension, and two ids that make the same file name.
    std::fs::write(dir.join("a/b.py"), &full).unwrap();
    std::fs::write(dir.join("a/b.txt"), &partial).unwrap();
    std::fs::write(dir.join("a_b_py.py"), &partial).unwrap();
    let out = root.join("out");
    grade_folder(&dir, &out, &[]);
    let book = std::fs::read_to_string(out.join("gradebook.csv")).unwrap();
    let ids: Vec<&str> = book
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["a/b.py", "a/b.txt", "a_b_py"], "{book}");
    // Three reports, each holding its own answer's score.
    let mut reports: Vec<String> = std::fs::read_dir(out.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    reports.sort();
    assert_eq!(reports.len(), 3, "{reports:?}");
    let score = |name: &str| {
        let text = std::fs::read_to_string(out.join("reports").join(name)).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["score"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(score("a_b_py.json"), 3.5);
    assert!(score("a_b_py-2.json") < 3.5);
    // The summary links each answer to its own report.
    let html = std::fs::read_to_string(out.join("summary.html")).unwrap();
    for link in [
        "reports/a_b_py.json",
        "reports/a_b_py-2.json",
        "reports/a_b_txt.json",
    ] {
        assert!(html.contains(link), "no link to {link}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
