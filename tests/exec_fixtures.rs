//! Every fixture of the static grader, run with `--exec`: each measured property must
//! agree with the fixture's *expected* verdict for its rule (not with what the static
//! analysis happens to say). Fixtures that do not agree yet, or that cannot run, are
//! listed with the reason in `fixtures/exec-gaps.txt`; the test fails when an unlisted
//! fixture disagrees, and when a listed one starts to agree (so the list stays honest).
//! `PSEUDOGRADE_BLESS_EXEC_GAPS=1` rewrites the list with the current reasons instead.
#![cfg(feature = "exec")]

use pseudograde::exec::{Outcome, Status};
use pseudograde::{grade, rubric};
use std::collections::{BTreeMap, BTreeSet};

const GAPS: &str = "fixtures/exec-gaps.txt";

fn expected_verdicts(path: &std::path::Path) -> BTreeMap<String, bool> {
    let text = std::fs::read_to_string(path).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let mut out = BTreeMap::new();
    if let Some(rules) = table.get("rules").and_then(|r| r.as_table()) {
        for (id, v) in rules {
            if let Some(p) = v.get("passed").and_then(|p| p.as_bool()) {
                out.insert(id.clone(), p);
            }
        }
    }
    out
}

/// `rubric/case` → why it is a gap, from `fixtures/exec-gaps.txt`.
fn gaps() -> BTreeMap<String, String> {
    std::fs::read_to_string(GAPS)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn exec_verdicts_agree_with_every_fixtures_expectation() {
    let gaps = gaps();
    let mut seen = BTreeSet::new();
    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    let mut current_gaps = Vec::new();
    let mut agreeing = 0;
    let mut total = 0;
    for id in ["simsiam", "ibot", "cyclegan"] {
        let rubric = rubric::resolve(id).unwrap();
        let mut files: Vec<_> = std::fs::read_dir(format!("fixtures/{id}"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "py"))
            .collect();
        files.sort();
        for file in files {
            let expected_path = file.with_extension("expected.toml");
            if !expected_path.exists() {
                continue;
            }
            total += 1;
            let case = format!("{id}/{}", file.file_stem().unwrap().to_string_lossy());
            let expected = expected_verdicts(&expected_path);
            let text = std::fs::read_to_string(&file).unwrap();
            let report = grade::grade(&file.to_string_lossy(), &text, &rubric);
            let exec = pseudograde::exec::run(&text, &rubric, &report);
            let mut problems = Vec::new();
            if exec.status == Status::NotRun {
                problems.push(format!("not run: {}", exec.reason.en));
            }
            for c in &exec.checks {
                let Some(rule) = &c.rule else { continue };
                let Some(want) = expected.get(rule) else {
                    continue;
                };
                let got = match c.result {
                    Outcome::Pass => true,
                    Outcome::Fail => false,
                    Outcome::Skipped => continue,
                };
                if got != *want {
                    problems.push(format!(
                        "{} measured {} but {rule} is expected to {}: {}",
                        c.property,
                        if got { "pass" } else { "fail" },
                        if *want { "pass" } else { "fail" },
                        c.detail.en
                    ));
                }
            }
            if let Some(first) = problems.first() {
                current_gaps.push(format!("{case}: {first}"));
            }
            seen.insert(case.clone());
            match (problems.is_empty(), gaps.contains_key(&case)) {
                (true, false) => agreeing += 1,
                (true, true) => stale.push(case),
                (false, true) => {}
                (false, false) => {
                    unexpected.push(format!("{case}:\n    {}", problems.join("\n    ")))
                }
            }
        }
    }
    eprintln!(
        "exec agrees with the expectations on {agreeing} of {total} fixtures; {} listed as gaps",
        gaps.len()
    );
    if std::env::var_os("PSEUDOGRADE_BLESS_EXEC_GAPS").is_some() {
        bless(&current_gaps);
        return;
    }
    let unknown: Vec<_> = gaps.keys().filter(|k| !seen.contains(*k)).collect();
    assert!(
        unknown.is_empty(),
        "exec-gaps.txt lists fixtures that do not exist: {unknown:?}"
    );
    assert!(
        stale.is_empty() && unexpected.is_empty(),
        "exec disagrees with the expectations:\n{}\n\nthese fixtures now agree, so remove them from fixtures/exec-gaps.txt: {stale:?}",
        unexpected.join("\n")
    );
}

/// Rewrites `fixtures/exec-gaps.txt`: its comment header, then the current gaps.
fn bless(current: &[String]) {
    let old = std::fs::read_to_string(GAPS).unwrap_or_default();
    let header: String = old
        .lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let body: String = current.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(GAPS, header + &body).unwrap();
    eprintln!("wrote {} gaps to {GAPS}", current.len());
}
