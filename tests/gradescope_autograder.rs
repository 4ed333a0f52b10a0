//! The Gradescope autograder of `examples/gradescope/`, run against a fake `/autograder`
//! tree: whatever the submission holds, `results.json` is written, follows Gradescope's
//! specification, and scores an answer as `pseudograde check` does.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLE: &str = "examples/gradescope";

/// A fake `/autograder`: the zip's files in `source/`, `run_autograder` beside it as
/// Gradescope places it, and an empty `submission/`.
struct FakeAutograder {
    root: PathBuf,
}

impl FakeAutograder {
    fn new(name: &str) -> FakeAutograder {
        let root = std::env::temp_dir().join(format!(
            "pseudograde-autograder-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("source")).unwrap();
        std::fs::create_dir_all(root.join("submission")).unwrap();
        for f in ["setup.sh", "run_autograder", "autograder.conf"] {
            std::fs::copy(Path::new(EXAMPLE).join(f), root.join("source").join(f)).unwrap();
        }
        std::fs::copy(
            Path::new(EXAMPLE).join("run_autograder"),
            root.join("run_autograder"),
        )
        .unwrap();
        FakeAutograder { root }
    }

    fn submit(&self, name: &str, bytes: &[u8]) {
        let path = self.root.join("submission").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Runs `run_autograder` with the built binary on the PATH and `env` set, and
    /// returns `results.json`.
    fn run(&self, env: &[(&str, &str)]) -> Value {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_pseudograde"))
            .parent()
            .unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        self.run_with_path(&path, env)
    }

    fn run_with_path(&self, path: &str, env: &[(&str, &str)]) -> Value {
        let out = Command::new("bash")
            .arg(self.root.join("run_autograder"))
            .env("AUTOGRADER_ROOT", &self.root)
            .env("PATH", path)
            .env_remove("PSEUDOGRADE_RUBRIC")
            .env_remove("PSEUDOGRADE_LANG")
            .env_remove("PSEUDOGRADE_ANSWER")
            .envs(env.iter().copied())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "run_autograder failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(self.root.join("results/results.json"))
            .expect("results.json is always written");
        let results: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("results.json is not JSON ({e}):\n{text}"));
        assert_follows_gradescope_spec(&results);
        results
    }
}

impl Drop for FakeAutograder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Gradescope's `results.json`: a numeric `score`, and `tests`, each with a name, a
/// numeric score and max_score, an output and a visibility Gradescope knows.
fn assert_follows_gradescope_spec(results: &Value) {
    assert!(results["score"].is_number(), "score: {results:#}");
    if let Some(output) = results.get("output") {
        assert!(output.is_string(), "output: {results:#}");
    }
    let tests = results["tests"].as_array().expect("a tests array");
    for t in tests {
        assert!(t["name"].is_string(), "{t:#}");
        assert!(t["score"].is_number(), "{t:#}");
        assert!(t["max_score"].is_number(), "{t:#}");
        assert!(t["output"].is_string(), "{t:#}");
        assert!(
            ["hidden", "after_due_date", "after_published", "visible"]
                .contains(&t["visibility"].as_str().unwrap_or("")),
            "{t:#}"
        );
    }
}

fn check_json(rubric: &str, file: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_pseudograde"))
        .args(["check", "--rubric", rubric, "--format", "json", file])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn output(results: &Value) -> &str {
    results["output"].as_str().unwrap()
}

#[test]
fn one_answer_scores_as_check_scores_it() {
    for (rubric, fixture) in [
        ("simsiam", "fixtures/simsiam/no_stop_gradient.py"),
        ("cyclegan", "fixtures/cyclegan/seed_student.py"),
    ] {
        let ag = FakeAutograder::new("one");
        ag.submit("answer.py", &std::fs::read(fixture).unwrap());
        let results = ag.run(&[("PSEUDOGRADE_RUBRIC", rubric)]);
        let check = check_json(rubric, fixture);
        assert_eq!(results["score"], check["score"], "{fixture}");
        let tests = results["tests"].as_array().unwrap();
        let rules = check["rules"].as_array().unwrap();
        assert_eq!(tests.len(), rules.len());
        for (t, r) in tests.iter().zip(rules) {
            assert!(
                t["name"]
                    .as_str()
                    .unwrap()
                    .starts_with(r["id"].as_str().unwrap())
            );
            assert_eq!(t["score"], r["points"]);
        }
    }
}

#[test]
fn the_rubric_and_language_come_from_the_configuration_file() {
    let ag = FakeAutograder::new("conf");
    let fixture = "fixtures/simsiam/no_stop_gradient.py";
    ag.submit("q9/respuesta.txt", &std::fs::read(fixture).unwrap());
    std::fs::write(
        ag.root.join("source/autograder.conf"),
        "rubric = simsiam\nlang = es\n",
    )
    .unwrap();
    let results = ag.run(&[]);
    assert_eq!(results["score"], check_json("simsiam", fixture)["score"]);
    assert!(output(&results).contains("puntos"), "{results:#}");

    // The example's own configuration names a rubric that loads.
    std::fs::copy(
        Path::new(EXAMPLE).join("autograder.conf"),
        ag.root.join("source/autograder.conf"),
    )
    .unwrap();
    assert!(ag.run(&[])["tests"].as_array().unwrap().len() > 1);
}

#[test]
fn an_empty_submission_says_no_answer_was_found() {
    let ag = FakeAutograder::new("empty");
    let results = ag.run(&[]);
    assert_eq!(results["score"], 0);
    assert!(output(&results).contains("no answer file"), "{results:#}");
}

#[test]
fn several_answers_are_refused_unless_one_is_named() {
    let ag = FakeAutograder::new("several");
    let fixture = "fixtures/simsiam/paper_algorithm1.py";
    ag.submit("answer.py", &std::fs::read(fixture).unwrap());
    ag.submit("notes.txt", b"I tried my best");
    let results = ag.run(&[]);
    assert_eq!(results["score"], 0);
    assert!(
        output(&results).contains("answer.py") && output(&results).contains("notes.txt"),
        "{results:#}"
    );
    let named = ag.run(&[("PSEUDOGRADE_ANSWER", "answer.py")]);
    assert_eq!(named["score"], check_json("simsiam", fixture)["score"]);
}

#[test]
fn an_unreadable_answer_is_named_with_the_reason() {
    let ag = FakeAutograder::new("binary");
    ag.submit("answer.py", &[0u8, 159, 146, 150]);
    let results = ag.run(&[]);
    assert_eq!(results["score"], 0);
    let said = output(&results);
    assert!(
        said.contains("answer.py") && said.contains("binary"),
        "{said}"
    );
    assert!(
        !said.contains(ag.root.to_str().unwrap()),
        "the student sees the file as uploaded, not its path on the grader: {said}"
    );
}

#[test]
fn a_misconfigured_autograder_says_so_in_results_json() {
    let ag = FakeAutograder::new("misconfigured");
    ag.submit("answer.py", b"loss.backward()\n");
    std::fs::write(ag.root.join("source/autograder.conf"), "lang = en\n").unwrap();
    let results = ag.run(&[]);
    assert_eq!(results["tests"][0]["name"], "autograder");
    assert!(output(&results).contains("no rubric"), "{results:#}");

    let results = ag.run(&[("PSEUDOGRADE_RUBRIC", "no-such-rubric")]);
    assert!(output(&results).contains("no-such-rubric"), "{results:#}");

    // Without the binary anywhere, results.json still says what is missing.
    let results = ag.run_with_path("/usr/bin:/bin", &[("PSEUDOGRADE_RUBRIC", "simsiam")]);
    assert!(output(&results).contains("not installed"), "{results:#}");
}

#[test]
fn setup_installs_a_shipped_binary_where_run_autograder_finds_it() {
    let ag = FakeAutograder::new("setup");
    std::fs::copy(
        env!("CARGO_BIN_EXE_pseudograde"),
        ag.root.join("source/pseudograde"),
    )
    .unwrap();
    let out = Command::new("bash")
        .arg(ag.root.join("source/setup.sh"))
        .env("AUTOGRADER_ROOT", &ag.root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ag.root.join("bin/pseudograde").exists());
    let fixture = "fixtures/simsiam/no_stop_gradient.py";
    ag.submit("answer.py", &std::fs::read(fixture).unwrap());
    // No pseudograde on the PATH: the one setup.sh installed is used.
    let results = ag.run_with_path("/usr/bin:/bin", &[]);
    assert_eq!(results["score"], check_json("simsiam", fixture)["score"]);
}
