//! The command line as other tools see it: the report contract of
//! `shared/spec/cli.md`, exit codes, refusals of bad input, and `explain`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn pseudograde(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        // Messages follow the locale; these tests read the English ones.
        .env("LC_ALL", "C")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pseudograde-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn json_report_follows_the_contract() {
    let out = pseudograde(&[
        "check",
        "--rubric",
        "simsiam",
        "--format",
        "json",
        "fixtures/simsiam/no_stop_gradient.py",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let r = json_of(&out);
    assert_eq!(r["file"], "fixtures/simsiam/no_stop_gradient.py");
    assert_eq!(r["rubric"], "simsiam");
    assert_eq!(r["max_score"], 3.5);
    assert!(r["exec"].is_null());
    let ids: Vec<&str> = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "two_views",
            "encoder_predictor",
            "stop_gradient",
            "symmetric_loss",
            "negative_cosine",
            "optimizer_update"
        ]
    );
    let sg = &r["rules"][2];
    assert_eq!(sg["passed"], false);
    assert_eq!(sg["points"], 0.0);
    assert_eq!(sg["max_points"], 1.0);
    let ev = &sg["evidence"][0];
    assert_eq!(ev["line"], 28);
    assert_eq!(ev["text"], "loss_a = D(p1, z2)");
    // Columns are 1-based in the file as given: `D(p1, z2)` starts after `loss_a = `.
    assert_eq!(ev["column"], 14);
    let sum: f64 = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["points"].as_f64().unwrap())
        .sum();
    assert_eq!(r["score"].as_f64().unwrap(), sum);
    assert!(r["parse"]["error_nodes"].is_u64());
}

#[test]
fn columns_refer_to_the_file_before_normalization() {
    let out = pseudograde(&[
        "check",
        "--rubric",
        "simsiam",
        "--format",
        "json",
        "fixtures/simsiam/seed_student.py",
    ]);
    let r = json_of(&out);
    let norms = r["parse"]["normalizations"].as_array().unwrap();
    assert!(
        norms.iter().any(|n| n["from"] == "$$" && n["line"] == 8),
        "{norms:?}"
    );
    assert_eq!(r["score"], 3.5);
}

#[test]
fn several_files_give_an_array_in_argument_order_and_spanish_on_request() {
    let out = pseudograde(&[
        "check",
        "--rubric",
        "ibot",
        "--format",
        "json",
        "--lang",
        "es",
        "fixtures/ibot/seed_answer_key.py",
        "fixtures/ibot/seed_student.py",
    ]);
    let r = json_of(&out);
    let arr = r.as_array().expect("an array");
    assert_eq!(arr[0]["file"], "fixtures/ibot/seed_answer_key.py");
    assert_eq!(arr[1]["file"], "fixtures/ibot/seed_student.py");
    let cls = &arr[0]["rules"][1];
    assert_eq!(cls["id"], "cls_loss_symmetric");
    assert!(
        cls["feedback"]
            .as_str()
            .unwrap()
            .starts_with("Loss cruzado. Debe ser simétrico"),
        "{cls}"
    );
}

#[test]
fn gradescope_results_have_one_test_per_rule() {
    let out = pseudograde(&[
        "check",
        "--rubric",
        "cyclegan",
        "--format",
        "gradescope",
        "fixtures/cyclegan/no_detach_both.py",
    ]);
    let r = json_of(&out);
    assert_eq!(r["score"], 2.5);
    assert!(r["output"].is_string());
    let tests = r["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 5);
    for t in tests {
        for k in ["name", "score", "max_score", "output", "visibility"] {
            assert!(!t[k].is_null(), "{k} missing in {t}");
        }
    }
    assert_eq!(tests[3]["score"], 0.0);
    assert_eq!(tests[3]["max_score"], 1.0);
}

#[test]
fn standard_input_and_fail_under() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        // Messages follow the locale; these tests read the English ones.
        .env("LC_ALL", "C")
        .args([
            "check",
            "--rubric",
            "simsiam",
            "--format",
            "json",
            "--fail-under",
            "3",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let answer = std::fs::read("fixtures/simsiam/one_term_only.py").unwrap();
    child.stdin.take().unwrap().write_all(&answer).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(json_of(&out)["score"], 2.5);
    assert_eq!(out.status.code(), Some(1), "2.5 is under 3");
}

#[test]
fn bad_input_gets_a_clear_message_and_never_a_panic() {
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("empty.py", Vec::new(), "the answer is empty"),
        ("binary.py", vec![0x7f, b'E', b'L', b'F', 0, 1, 2], "binary"),
        ("huge.py", b"x = 1\n".repeat(900_000), "larger than"),
    ];
    for (name, bytes, expected) in cases {
        let p = temp_file(name, &bytes);
        let out = pseudograde(&["check", "--rubric", "simsiam", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.starts_with("pseudograde: ") && err.contains(name) && err.contains(expected),
            "{name}: {err}"
        );
    }
    let missing = pseudograde(&["check", "--rubric", "simsiam", "no/such/answer.py"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/answer.py"));
}

#[test]
fn prose_and_deep_nesting_are_graded_with_what_was_not_read() {
    let prose = temp_file(
        "prose.py",
        b"SimSiam trains two branches with a stop gradient\nand a predictor on one side only\n",
    );
    let out = pseudograde(&[
        "check",
        "--rubric",
        "simsiam",
        "--format",
        "json",
        prose.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let r = json_of(&out);
    assert_eq!(r["score"], 0.0);
    let lints: Vec<&str> = r["lints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(lints, ["unparsed-line", "unparsed-line"]);

    let deep = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let p = temp_file("deep.py", deep.as_bytes());
    let out = pseudograde(&[
        "check",
        "--rubric",
        "simsiam",
        "--format",
        "json",
        p.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let limits = json_of(&out)["limits"].to_string();
    assert!(limits.contains("nested deeper than"), "{limits}");
}

#[test]
fn student_code_never_runs() {
    let marker = std::env::temp_dir().join(format!("pseudograde-pwned-{}", std::process::id()));
    let answer = format!(
        "import os\nos.system('touch {m}')\nopen('{m}', 'w').write('x')\nexec(\"open('{m}', 'w')\")\n__import__('os').system('touch {m}')\nfor x in loader:\n    loss = D(h(f(x)), f(x))\n    loss.backward()\n",
        m = marker.display()
    );
    let p = temp_file("evil.py", answer.as_bytes());
    let out = pseudograde(&["check", "--rubric", "simsiam", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!marker.exists(), "student code reached the file system");
}

#[test]
fn explain_prints_the_documentation_beside_the_code() {
    let out = pseudograde(&["explain", "stop_gradient_on_target"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("## What it does")
            && text.contains("## Why it matters")
            && text.contains("## Example"),
        "{text}"
    );
    let rule =
        String::from_utf8_lossy(&pseudograde(&["explain", "ema_teacher"]).stdout).to_string();
    assert!(rule.contains("judged by the check `ema_update`"), "{rule}");
    let lint =
        String::from_utf8_lossy(&pseudograde(&["explain", "missing-zero-grad"]).stdout).to_string();
    assert!(lint.contains("zero_grad"), "{lint}");
    let unknown = pseudograde(&["explain", "no_such_thing"]);
    assert_eq!(unknown.status.code(), Some(2));
    for c in pseudograde::checks::CHECKS {
        let doc = c.doc();
        assert!(
            doc.contains("## What it does")
                && doc.contains("## Why it matters")
                && doc.contains("## Example"),
            "{} lacks a section",
            c.id
        );
    }
    for l in pseudograde::lints::LINTS {
        assert!(
            l.doc().contains("## What it does"),
            "{} lacks a doc",
            l.name
        );
    }
}

#[test]
fn an_invalid_rubric_is_refused_with_its_line() {
    let text = std::fs::read_to_string("rubrics/simsiam.toml")
        .unwrap()
        .replace("check = \"negative_cosine\"", "check = \"negative_cosin\"");
    let p = temp_file("broken.toml", text.as_bytes());
    let line = text
        .lines()
        .position(|l| l.contains("negative_cosin\""))
        .unwrap()
        + 1;
    let out = pseudograde(&["rubrics", "validate", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("broken.toml:{line}:"))
            && err.contains("did you mean `negative_cosine`?"),
        "{err}"
    );
    let out = pseudograde(&[
        "check",
        "--rubric",
        p.to_str().unwrap(),
        "fixtures/simsiam/seed_student.py",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_rubric_rule_points_at_a_registered_check() {
    for (id, text) in pseudograde::rubric::BUILTIN {
        let r = pseudograde::rubric::load(id, text).unwrap();
        for rule in &r.rules {
            assert!(pseudograde::checks::find(rule.check.id).is_some());
        }
        for l in &r.lints {
            assert!(
                pseudograde::lints::all_names().contains(&l.as_str()),
                "{id}: {l}"
            );
        }
    }
}

#[test]
fn github_annotations_point_at_the_failed_rules_and_lints() {
    let out = pseudograde(&[
        "check",
        "--rubric",
        "simsiam",
        "--format",
        "github",
        "fixtures/simsiam/stopgrad_on_prediction.py",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.iter().any(|l| l
            .starts_with("::error file=fixtures/simsiam/stopgrad_on_prediction.py,line=6,")
            && l.contains("title=stop_gradient (0 / 1)::")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error ") && l.contains("title=detached-prediction::")),
        "{text}"
    );
    // One annotation per failed rule and per lint, nothing else.
    assert!(
        lines.iter().all(|l| l.starts_with("::error ")
            || l.starts_with("::warning ")
            || l.starts_with("::notice ")),
        "{text}"
    );
}

#[test]
fn an_imported_module_is_defined_and_an_unknown_name_is_not() {
    let answer = temp_file(
        "imported.py",
        b"import pytorch_lightning as pl\nfrom lightly.models.utils import deactivate_requires_grad as freeze, update_momentum\nimport torch\nt = pl.Trainer()\nfreeze(t)\nupdate_momentum(t, t, 0.99)\nx = torch.zeros(1) + foo\n",
    );
    let out = pseudograde(&[
        "check",
        "--rubric",
        "ibot",
        "--format",
        "json",
        answer.to_str().unwrap(),
    ]);
    let r = json_of(&out);
    let undefined: Vec<&str> = r["lints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["name"] == "undefined-name")
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(undefined, ["`foo` is not defined in the answer"]);
}
