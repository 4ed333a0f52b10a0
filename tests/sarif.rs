//! `check --format sarif` against the official SARIF 2.1.0 JSON schema (vendored in
//! `tests/data/`, see its README), and against what `--format json` says of the same
//! answers: every failed rule and every lint is a result on the line it concerns.

use serde_json::Value;
use std::process::Command;

fn check(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        .arg("check")
        .args(args)
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn sarif(files: &[&str], lang: &str) -> Value {
    let mut args = vec!["--rubric", "simsiam", "--format", "sarif", "--lang", lang];
    args.extend(files);
    check(&args)
}

/// The JSON reports of the same files, always as an array.
fn json_reports(files: &[&str], lang: &str) -> Vec<Value> {
    let mut args = vec!["--rubric", "simsiam", "--format", "json", "--lang", lang];
    args.extend(files);
    match check(&args) {
        Value::Array(reports) => reports,
        one => vec![one],
    }
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json")
        .expect("the vendored SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    // Formats are checked too: an artifact `uri` must be a URI reference.
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid(log: &Value) {
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

fn run(log: &Value) -> &Value {
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run covers every file");
    &runs[0]
}

fn results(log: &Value) -> &Vec<Value> {
    run(log)["results"].as_array().expect("results")
}

fn region(result: &Value) -> &Value {
    &result["locations"][0]["physicalLocation"]["region"]
}

/// (rule id or lint name, file, first line) of every result, sorted.
fn result_keys(log: &Value) -> Vec<(String, String, u64)> {
    let mut keys: Vec<_> = results(log)
        .iter()
        .map(|r| {
            let physical = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                physical["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                physical["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// The same keys as `--format json` gives them: failed rules at their first evidence
/// line, lints at their line.
fn expected_keys(reports: &[Value]) -> Vec<(String, String, u64)> {
    let mut keys = Vec::new();
    for report in reports {
        let file = report["file"].as_str().unwrap().to_string();
        for rule in report["rules"].as_array().unwrap() {
            if rule["passed"] == false {
                let line = rule["evidence"][0]["line"].as_u64().unwrap_or(0);
                keys.push((rule["id"].as_str().unwrap().to_string(), file.clone(), line));
            }
        }
        for lint in report["lints"].as_array().unwrap() {
            keys.push((
                lint["name"].as_str().unwrap().to_string(),
                file.clone(),
                lint["line"].as_u64().unwrap(),
            ));
        }
    }
    keys.sort();
    keys
}

#[test]
fn a_passing_answer_is_valid_sarif_with_no_result_and_its_score() {
    let file = "fixtures/simsiam/paper_algorithm1.py";
    let log = sarif(&[file], "en");
    assert_valid(&log);
    assert_eq!(log["version"], "2.1.0");
    let run = run(&log);
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "pseudograde");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(results(&log).is_empty(), "{log:#}");
    let json = &json_reports(&[file], "en")[0];
    let artifact = &run["artifacts"][0];
    assert_eq!(artifact["location"]["uri"], file);
    assert_eq!(artifact["properties"]["score"], json["score"]);
    assert_eq!(artifact["properties"]["max_score"], json["max_score"]);
    // Every rubric rule is described, in the rubric's order, with its title.
    let rule_ids: Vec<&Value> = driver["rules"].as_array().unwrap().iter().collect();
    for (descriptor, rule) in rule_ids.iter().zip(json["rules"].as_array().unwrap()) {
        assert_eq!(descriptor["id"], rule["id"]);
        assert_eq!(descriptor["shortDescription"]["text"], rule["title"]);
    }
}

#[test]
fn a_failed_rule_and_each_lint_are_results_on_their_lines() {
    let file = "fixtures/simsiam/ho_loss_module_detaches_p.py";
    let log = sarif(&[file], "en");
    assert_valid(&log);
    let json = json_reports(&[file], "en");
    assert_eq!(result_keys(&log), expected_keys(&json));

    let stop_gradient = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "stop_gradient")
        .expect("the failed rule is a result");
    let rule = json[0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "stop_gradient")
        .unwrap();
    assert_eq!(rule["passed"], false);
    let evidence = &rule["evidence"][0];
    let region = region(stop_gradient);
    assert_eq!(region["startLine"], evidence["line"]);
    assert_eq!(region["startColumn"], evidence["column"]);
    assert_eq!(region["endLine"], evidence["end_line"]);
    assert_eq!(region["endColumn"], evidence["end_column"]);
    assert_eq!(stop_gradient["level"], "error");
    assert_eq!(stop_gradient["message"]["text"], rule["feedback"]);

    // The line really holds what the evidence says: regions refer to the file as given.
    let source = std::fs::read_to_string(file).unwrap();
    let line = source
        .lines()
        .nth(region["startLine"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert_eq!(line.trim(), evidence["text"]);

    // Each result's rule index points at the descriptor of its rule, lints included.
    let rules = run(&log)["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results(&log) {
        let i = r["ruleIndex"].as_u64().expect("a rule index") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    let lint = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "detached-prediction")
        .expect("the lint is a result");
    assert_eq!(
        lint["level"], "error",
        "detached-prediction is an error lint"
    );
    assert!(
        !rules.iter().any(|d| d["id"] == "missing-zero-grad"),
        "only the lints that were raised are described"
    );
}

#[test]
fn several_files_are_one_run_whose_results_name_their_files() {
    let files = [
        "fixtures/simsiam/paper_algorithm1.py",
        "fixtures/simsiam/no_stop_gradient.py",
        "fixtures/simsiam/mse_step_before_backward.py",
        "fixtures/simsiam/second_view_copied.py",
    ];
    let log = sarif(&files, "en");
    assert_valid(&log);
    let json = json_reports(&files, "en");
    assert_eq!(result_keys(&log), expected_keys(&json));
    let artifacts = run(&log)["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), files.len());
    for (artifact, report) in artifacts.iter().zip(&json) {
        assert_eq!(artifact["location"]["uri"], report["file"]);
        assert_eq!(artifact["properties"]["score"], report["score"]);
    }
    for r in results(&log) {
        let location = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        let i = location["index"].as_u64().unwrap() as usize;
        assert_eq!(artifacts[i]["location"]["uri"], location["uri"]);
    }
    // A rule whose evidence marks whole lines has regions of lines only.
    let two_views = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "two_views")
        .expect("the copied view fails two_views");
    assert!(region(two_views)["startColumn"].is_null(), "{two_views:#}");
    assert_eq!(
        two_views["relatedLocations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap(),
        region(two_views)["startLine"].as_u64().unwrap() + 1,
        "the second evidence line is a related location"
    );
}

#[test]
fn lang_es_gives_spanish_titles_and_messages() {
    let file = "fixtures/simsiam/no_stop_gradient.py";
    let log = sarif(&[file], "es");
    assert_valid(&log);
    assert_eq!(run(&log)["language"], "es");
    let json = &json_reports(&[file], "es")[0];
    let failed = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["passed"] == false)
        .unwrap();
    let result = results(&log)
        .iter()
        .find(|r| r["ruleId"] == failed["id"])
        .unwrap();
    assert_eq!(result["message"]["text"], failed["feedback"]);
    let english = sarif(&[file], "en");
    assert_ne!(
        result["message"]["text"],
        results(&english)[0]["message"]["text"]
    );
}

#[test]
fn an_awkward_file_name_and_a_limit_hit_stay_valid_and_are_said() {
    let dir = std::env::temp_dir().join(format!("pseudograde-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let odd = dir.join("respuesta de María: 100%.py");
    std::fs::copy("fixtures/simsiam/no_stop_gradient.py", &odd).unwrap();
    let deep = dir.join("deep.py");
    std::fs::write(
        &deep,
        format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000)),
    )
    .unwrap();
    let log = sarif(&[odd.to_str().unwrap(), deep.to_str().unwrap()], "en");
    assert_valid(&log);
    let uri = run(&log)["artifacts"][0]["location"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.ends_with("/respuesta%20de%20Mar%C3%ADa%3A%20100%25.py"),
        "{uri}"
    );
    let notes = run(&log)["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(|n| n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("nested deeper than")
            && n["locations"][0]["physicalLocation"]["artifactLocation"]["index"] == 1),
        "{notes:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a broken document lacks, and how to break a valid one that way.
type Breakage = (&'static str, fn(&mut Value));

#[test]
fn the_validator_rejects_documents_that_break_the_schema() {
    let log = sarif(&["fixtures/simsiam/no_stop_gradient.py"], "en");
    assert_valid(&log);
    let v = validator();
    let broken: [Breakage; 4] = [
        ("a missing version", |l| {
            l.as_object_mut().unwrap().remove("version");
        }),
        ("a level SARIF does not know", |l| {
            l["runs"][0]["results"][0]["level"] = "fatal".into()
        }),
        ("line 0", |l| {
            l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into()
        }),
        ("a URI with a space", |l| {
            l["runs"][0]["artifacts"][0]["location"]["uri"] = "my answer.py".into()
        }),
    ];
    for (what, break_it) in broken {
        let mut bad = log.clone();
        break_it(&mut bad);
        assert!(!v.is_valid(&bad), "{what} was accepted");
    }
}
