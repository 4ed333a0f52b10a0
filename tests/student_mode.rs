//! `check --audience student` (issue #5): hints in tiers from the rubric instead of the
//! instructor's feedback, the student's own lines from tier 2 on, never a line of the
//! reference answer, and no points with `--no-points`, in both languages.

use pseudograde::rubric::{self, HintLevel, Rubric};
use std::process::{Command, Output};

/// Answers that fail rules with evidence, one per built-in rubric, none of whose lines
/// holds a line of its rubric's reference answer (checked below): a reference line in
/// the output can then only come from the tool.
const FAILING_ANSWERS: &[(&str, &str)] = &[
    ("simsiam", "fixtures/simsiam/mse_step_before_backward.py"),
    ("ibot", "fixtures/ibot/teacher_grad_no_ema.py"),
    (
        "cyclegan",
        "fixtures/cyclegan/una_sola_reconstruccion_objetivo_falso.py",
    ),
];

const LEVELS: [(&str, HintLevel); 3] = [
    ("1", HintLevel::Concept),
    ("2", HintLevel::Look),
    ("3", HintLevel::Change),
];

fn pseudograde(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        .env("LC_ALL", "C")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn student_run(rubric: &str, answer: &str, level: &str, lang: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "check",
        "--rubric",
        rubric,
        "--audience",
        "student",
        "--hint-level",
        level,
        "--lang",
        lang,
    ];
    args.extend(extra);
    args.push(answer);
    let out = pseudograde(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The rules an answer fails, with the lines its expectation says they point at.
fn failed_rules(answer: &str) -> Vec<(String, Vec<usize>)> {
    let expected: toml::Table =
        toml::from_str(&std::fs::read_to_string(answer.replace(".py", ".expected.toml")).unwrap())
            .unwrap();
    let rules = expected["rules"].as_table().unwrap();
    let mut failed: Vec<(String, Vec<usize>)> = rules
        .iter()
        .filter(|(_, v)| v["passed"].as_bool() == Some(false))
        .map(|(id, v)| {
            let lines = v["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_integer().unwrap() as usize)
                .collect();
            (id.clone(), lines)
        })
        .collect();
    failed.sort();
    assert!(!failed.is_empty(), "{answer} must fail a rule");
    failed
}

fn load(rubric_id: &str) -> Rubric {
    rubric::resolve(rubric_id).unwrap_or_else(|e| panic!("{:?}", e[0]))
}

/// Reference lines long enough that seeing one means the answer was given away.
fn reference_lines(rubric: &Rubric) -> Vec<String> {
    rubric
        .reference
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().count() > 12)
        .map(str::to_string)
        .collect()
}

#[test]
fn each_tier_shows_its_hint_and_never_the_instructors_feedback() {
    for (rubric_id, answer) in FAILING_ANSWERS {
        let rubric = load(rubric_id);
        let failed = failed_rules(answer);
        for lang in ["en", "es"] {
            let pick = |m: &pseudograde::msg::Msg| {
                if lang == "es" {
                    m.es.clone()
                } else {
                    m.en.clone()
                }
            };
            for (level_arg, level) in LEVELS {
                let out = student_run(rubric_id, answer, level_arg, lang, &[]);
                for (id, _) in &failed {
                    let rule = rubric.rules.iter().find(|r| &r.id == id).unwrap();
                    assert!(
                        out.contains(&pick(&rule.title)),
                        "{answer} {lang} {level:?}: title of {id}\n{out}"
                    );
                    assert!(
                        out.contains(&pick(rule.hints.at(level))),
                        "{answer} {lang} {level:?}: hint of {id}\n{out}"
                    );
                    for other in LEVELS.iter().map(|(_, l)| *l).filter(|l| *l != level) {
                        assert!(
                            !out.contains(&pick(rule.hints.at(other))),
                            "{answer} {lang}: tier {other:?} shown at {level:?}\n{out}"
                        );
                    }
                    assert!(
                        !out.contains(&pick(&rule.fail)),
                        "{answer} {lang}: the instructor's feedback of {id} is shown\n{out}"
                    );
                }
                // Passed rules are listed as passed, with no hint.
                for rule in rubric
                    .rules
                    .iter()
                    .filter(|r| !failed.iter().any(|(id, _)| *id == r.id))
                {
                    assert!(out.contains(&pick(&rule.title)), "{}\n{out}", rule.id);
                    assert!(
                        !out.contains(&pick(rule.hints.at(level))),
                        "{}\n{out}",
                        rule.id
                    );
                }
            }
        }
    }
}

#[test]
fn from_tier_two_the_students_own_lines_are_shown_and_not_before() {
    for (rubric_id, answer) in FAILING_ANSWERS {
        let source = std::fs::read_to_string(answer).unwrap();
        let source_lines: Vec<&str> = source.lines().collect();
        // The renderer prints `NN |     code` for every line it shows.
        let shows = |out: &str, n: usize| {
            let code = source_lines[n - 1].trim();
            out.lines().any(|l| {
                l.split_once(" |")
                    .is_some_and(|(num, rest)| num.trim() == n.to_string() && rest.contains(code))
            })
        };
        for (_, lines) in failed_rules(answer) {
            for n in lines {
                for level in ["2", "3"] {
                    let out = student_run(rubric_id, answer, level, "en", &[]);
                    assert!(shows(&out, n), "{answer} tier {level}: line {n}\n{out}");
                }
                let out = student_run(rubric_id, answer, "1", "en", &[]);
                assert!(!shows(&out, n), "{answer} tier 1 points at line {n}\n{out}");
                assert!(!out.contains(&format!("{answer}:")), "{out}");
            }
        }
    }
}

#[test]
fn no_tier_in_any_format_or_language_gives_a_line_of_the_reference_answer() {
    for (rubric_id, answer) in FAILING_ANSWERS {
        let rubric = load(rubric_id);
        let reference = reference_lines(&rubric);
        assert!(reference.len() >= 5, "{rubric_id} has a reference answer");
        let source = std::fs::read_to_string(answer).unwrap();
        for line in &reference {
            assert!(
                !source.contains(line.as_str()),
                "{answer} itself holds the reference line `{line}`: choose another answer"
            );
        }
        // The instructor's report shows the fail feedback, which may quote code; the
        // student's must not show any reference line whatever the feedback says.
        for lang in ["en", "es"] {
            for (level, _) in LEVELS {
                for format in [&["--format", "text"][..], &["--format", "json"][..]] {
                    let out = student_run(rubric_id, answer, level, lang, format);
                    for line in &reference {
                        assert!(
                            !out.contains(line.as_str()),
                            "{answer} {lang} tier {level} {format:?} gives `{line}`:\n{out}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_json_report_keeps_its_keys_and_carries_the_hint_as_feedback() {
    let (rubric_id, answer) = FAILING_ANSWERS[0];
    let rubric = load(rubric_id);
    let failed = failed_rules(answer);
    for (level_arg, level) in LEVELS {
        let out = student_run(rubric_id, answer, level_arg, "es", &["--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["file"], answer);
        assert!(report["score"].is_number() && report["max_score"].is_number());
        for (rule_json, rule) in report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&rubric.rules)
        {
            assert_eq!(rule_json["id"], rule.id.as_str());
            assert!(rule_json["points"].is_number(), "{rule_json}");
            match failed.iter().find(|(id, _)| *id == rule.id) {
                Some((_, lines)) => {
                    assert_eq!(rule_json["feedback"], rule.hints.at(level).es.as_str());
                    let evidence: Vec<u64> = rule_json["evidence"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["line"].as_u64().unwrap())
                        .collect();
                    if level == HintLevel::Concept {
                        assert!(evidence.is_empty(), "tier 1 says where: {rule_json}");
                    } else {
                        let expected: Vec<u64> = lines.iter().map(|&l| l as u64).collect();
                        assert_eq!(evidence, expected, "{rule_json}");
                    }
                }
                None => assert_eq!(rule_json["feedback"], rule.pass.es.as_str()),
            }
        }
        // The lint's fix names the code to write; a student gets the finding only.
        let lints = report["lints"].as_array().unwrap();
        let step_first = lints
            .iter()
            .find(|l| l["name"] == "step-before-backward")
            .expect("the answer steps before backward");
        assert!(step_first["help"].is_null(), "{step_first}");
        assert_eq!(step_first["line"].is_null(), level == HintLevel::Concept);
    }
}

/// Every key named like a score, anywhere in a JSON value.
fn point_keys(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if ["score", "max_score", "points", "max_points"].contains(&k.as_str()) {
                    found.push(k.clone());
                }
                point_keys(v, found);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| point_keys(v, found)),
        _ => {}
    }
}

#[test]
fn no_points_hides_every_score_in_text_and_json() {
    let (rubric_id, answer) = FAILING_ANSWERS[0];
    let json = |level: &str, lang: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["--format", "json"];
        args.extend(extra);
        serde_json::from_str(&student_run(rubric_id, answer, level, lang, &args)).unwrap()
    };
    for lang in ["en", "es"] {
        let score_word = if lang == "es" {
            "puntuación:"
        } else {
            "score:"
        };
        for (level, _) in LEVELS {
            // The control run has scores in both formats: the `x / y` of every rule and
            // of the total, as the text report writes them.
            let scored = json(level, lang, &[]);
            let mut fractions = vec![format!(
                "{} / {}",
                scored["score"].as_f64().unwrap(),
                scored["max_score"].as_f64().unwrap()
            )];
            for r in scored["rules"].as_array().unwrap() {
                fractions.push(format!(
                    "{} / {}",
                    r["points"].as_f64().unwrap(),
                    r["max_points"].as_f64().unwrap()
                ));
            }
            let mut found = Vec::new();
            point_keys(&scored, &mut found);
            assert!(found.len() >= 2, "{scored}");
            let with = student_run(rubric_id, answer, level, lang, &[]);
            assert!(with.contains(score_word), "{with}");
            for f in &fractions {
                assert!(with.contains(f.as_str()), "`{f}` missing:\n{with}");
            }

            let without = student_run(rubric_id, answer, level, lang, &["--no-points"]);
            assert!(!without.contains(score_word), "{without}");
            for f in &fractions {
                assert!(!without.contains(f.as_str()), "`{f}` shown:\n{without}");
            }
            let mut found = Vec::new();
            point_keys(&json(level, lang, &["--no-points"]), &mut found);
            assert_eq!(found, Vec::<String>::new());
        }
    }
}

#[test]
fn student_options_are_refused_where_they_mean_nothing() {
    let answer = FAILING_ANSWERS[0].1;
    for args in [
        vec!["check", "--rubric", "simsiam", "--hint-level", "2", answer],
        vec!["check", "--rubric", "simsiam", "--no-points", answer],
        vec![
            "check",
            "--rubric",
            "simsiam",
            "--audience",
            "student",
            "--format",
            "gradescope",
            answer,
        ],
        vec![
            "check",
            "--rubric",
            "simsiam",
            "--audience",
            "student",
            "--hint-level",
            "4",
            answer,
        ],
    ] {
        let out = pseudograde(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains("--"), "{args:?}: {err}");
    }
    // The instructor's report is the default, unchanged.
    let default = pseudograde(&["check", "--rubric", "simsiam", answer]);
    let instructor = pseudograde(&[
        "check",
        "--rubric",
        "simsiam",
        "--audience",
        "instructor",
        answer,
    ]);
    assert_eq!(default.stdout, instructor.stdout);
    let text = String::from_utf8_lossy(&default.stdout);
    let rubric = load("simsiam");
    let optimizer = rubric
        .rules
        .iter()
        .find(|r| r.id == "optimizer_update")
        .unwrap();
    assert!(text.contains(&optimizer.fail.en), "{text}");
}
