//! `pseudograde test` as a rubric author uses it: change one rule of a copy of a rubric
//! and see exactly the fixtures whose verdicts change, with diffs; `--bless` accepts them.

use pseudograde::{fixtures, grade, rubric};
use std::collections::BTreeSet;
use std::process::Command;

fn run_test(dir: &std::path::Path, bless: bool) -> (i32, String) {
    let mut args = vec!["test".to_string(), dir.to_string_lossy().to_string()];
    if bless {
        args.push("--bless".into());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        // Messages follow the locale; these tests read the English ones.
        .env("LC_ALL", "C")
        .args(&args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn a_changed_rule_reports_exactly_the_fixtures_it_changes() {
    let root = std::env::temp_dir().join(format!("pseudograde-test-cmd-{}", std::process::id()));
    let dir = root.join("simsiam");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&dir).unwrap();
    let gaps = std::fs::read_to_string("fixtures/known-gaps.txt").unwrap_or_default();
    for f in fixtures::discover(&["fixtures/simsiam".into()]) {
        if gaps.lines().any(|l| l.trim() == f.name()) || !f.expected.exists() {
            continue;
        }
        std::fs::copy(&f.answer, dir.join(f.answer.file_name().unwrap())).unwrap();
        std::fs::copy(&f.expected, dir.join(f.expected.file_name().unwrap())).unwrap();
    }
    // The copy drops its reference answer, which the changed rule would fail (and which
    // validation would rightly refuse): this is a draft being tried on the fixtures.
    let full = std::fs::read_to_string("rubrics/simsiam.toml").unwrap();
    let start = full
        .find("reference = '''")
        .expect("the rubric has a reference");
    let end = start + full[start..].find("'''\n").unwrap() + 3;
    let end = end + full[end..].find("'''").unwrap() + 4;
    let original = format!("{}{}", &full[..start], &full[end..]);
    assert!(rubric::load("simsiam", &original).is_ok());
    let changed = original.replace(
        r#"params = { orient = "predictor", pairing = "cross" }"#,
        r#"params = { orient = "predictor", pairing = "same" }"#,
    );
    assert_ne!(changed, original, "the rule to change was not found");
    std::fs::write(dir.join("rubric.toml"), &changed).unwrap();

    // Which fixtures should change, computed with the library.
    let before = rubric::load("simsiam", &original).unwrap();
    let after = rubric::load("rubric.toml", &changed).unwrap();
    let mut expected_changes = BTreeSet::new();
    for f in fixtures::discover(std::slice::from_ref(&root)) {
        let text = std::fs::read_to_string(&f.answer).unwrap();
        let a = fixtures::outcome(&grade::grade("x", &text, &before));
        let b = fixtures::outcome(&grade::grade("x", &text, &after));
        if a != b {
            expected_changes.insert(f.name());
        }
    }
    assert!(
        expected_changes.len() >= 5,
        "the change should matter: {expected_changes:?}"
    );

    let (code, out) = run_test(&root, false);
    assert_eq!(code, 1, "{out}");
    let reported: BTreeSet<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix("changed "))
        .map(|l| l.trim().to_string())
        .collect();
    assert_eq!(reported, expected_changes, "{out}");
    assert!(
        out.contains("-symmetric_loss = { passed = true }")
            && out.contains("+symmetric_loss = { passed = false"),
        "{out}"
    );

    let (code, _) = run_test(&root, true);
    assert_eq!(code, 0);
    let (code, out) = run_test(&root, false);
    assert_eq!(code, 0, "blessed fixtures must pass: {out}");
    assert!(!out.contains("changed "), "{out}");
    let _ = std::fs::remove_dir_all(&root);
}

/// One fixture can be run by naming its answer file; a path that is neither a fixture
/// folder nor an answer, and a folder without fixtures, are errors that say so rather
/// than a silent "0 passed".
#[test]
fn a_fixture_file_runs_alone_and_paths_without_fixtures_are_errors() {
    let (code, out) = run_test(
        std::path::Path::new("fixtures/simsiam/seed_student.py"),
        false,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok      simsiam/seed_student"), "{out}");
    assert!(out.contains("1 passed, 0 failed"), "{out}");

    let empty =
        std::env::temp_dir().join(format!("pseudograde-no-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    for (path, says) in [
        (
            std::path::PathBuf::from("rubrics/simsiam.toml"),
            "not a fixture folder",
        ),
        (empty.clone(), "no fixture found"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pseudograde"))
            .env("LC_ALL", "C")
            .arg("test")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains("help:"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&empty);
}
