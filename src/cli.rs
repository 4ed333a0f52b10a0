//! The command line (see `shared/spec/cli.md`). Exit codes: 0 graded, 1 a score below
//! `--fail-under` or a changed fixture, 2 a usage error, an unreadable answer or an
//! invalid rubric.

use crate::msg::Lang;
use crate::{agree, batch, checks, fixtures, grade, lints, report, rubric, source};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "pseudograde",
    version,
    about = "Grade pseudocode answers to deep-learning code questions against a rubric"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Gradescope,
    Sarif,
    Github,
}

#[derive(Subcommand)]
enum Command {
    /// Grade answers against a rubric.
    Check {
        #[arg(long)]
        rubric: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Confirm the verdicts by running the answer on toy tensors (needs the `exec` feature).
        #[arg(long)]
        exec: bool,
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
        /// Exit with status 1 when a score is below this.
        #[arg(long)]
        fail_under: Option<f64>,
        /// Answer files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Grade every answer under a folder: gradebook, reports and a summary.
    Grade {
        #[arg(long)]
        rubric: String,
        dir: PathBuf,
        /// Where to write the results (default: `<DIR>-graded`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Threads to grade on (default: every core).
        #[arg(long)]
        jobs: Option<usize>,
        #[arg(long)]
        exec: bool,
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// Run the fixtures of rubrics and compare their outcomes with the expectations.
    Test {
        /// Fixture folders (default: `fixtures`).
        paths: Vec<PathBuf>,
        /// Accept the current outcomes as the expectations.
        #[arg(long)]
        bless: bool,
        /// Only this rubric's fixtures.
        #[arg(long)]
        rubric: Option<String>,
        /// Only fixtures whose name contains this.
        #[arg(long)]
        filter: Option<String>,
    },
    /// List, show or validate rubrics.
    Rubrics {
        #[command(subcommand)]
        action: Option<RubricsAction>,
    },
    /// Measure agreement with a human grader over a folder of answers.
    Agree {
        #[arg(long)]
        rubric: String,
        /// CSV of `answer,rule,points` or `answer,points` rows; answers are paths relative to DIR.
        #[arg(long)]
        human: PathBuf,
        dir: PathBuf,
    },
    /// Print the documentation of a check kind, a rubric rule or a lint.
    Explain { id: Option<String> },
}

#[derive(Subcommand)]
enum RubricsAction {
    List,
    Show {
        id: String,
    },
    /// Print the catalogue of check kinds and lints (the generated part of docs/rubrics.md).
    Docs,
    Validate {
        path: String,
        /// Fixture folder to check coverage against (default: `fixtures/<id>`).
        #[arg(long)]
        fixtures: Option<PathBuf>,
    },
}

fn fail(msg: impl std::fmt::Display) -> i32 {
    eprintln!("pseudograde: {msg}");
    2
}

/// Runs the command line and returns the exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check {
            rubric,
            format,
            exec,
            lang,
            fail_under,
            files,
        } => check(&rubric, format, exec, lang, fail_under, &files),
        Command::Test {
            paths,
            bless,
            rubric,
            filter,
        } => test(paths, bless, rubric.as_deref(), filter.as_deref()),
        Command::Rubrics { action } => rubrics(action.unwrap_or(RubricsAction::List)),
        Command::Agree { rubric, human, dir } => agree_cmd(&rubric, &human, &dir),
        Command::Grade {
            rubric,
            dir,
            out,
            jobs,
            exec,
            lang,
        } => grade_cmd(&rubric, &dir, out, jobs, exec, lang),
        Command::Explain { id } => explain(id.as_deref()),
    }
}

fn load_rubric(id: &str) -> Result<rubric::Rubric, i32> {
    rubric::resolve(id).map_err(|errs| {
        for e in &errs {
            eprintln!("pseudograde: invalid rubric: {e}");
        }
        2
    })
}

fn check(
    rubric_id: &str,
    format: Format,
    exec: bool,
    lang: Lang,
    fail_under: Option<f64>,
    files: &[String],
) -> i32 {
    if exec {
        return fail(
            "`--exec` needs a build with the `exec` feature: run `scripts/setup-libtorch.sh`, then `cargo build --release --features exec`",
        );
    }
    let rubric = match load_rubric(rubric_id) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut reports = Vec::new();
    for f in files {
        match source::read(f) {
            Ok(text) => reports.push(grade::grade(f, &text, &rubric)),
            Err(e) => return fail(format!("{f}: {e}")),
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let out = match format {
        Format::Json | Format::Gradescope => {
            let render = |r: &grade::Report| {
                if format == Format::Json {
                    report::json(r, lang)
                } else {
                    report::gradescope(r, lang)
                }
            };
            let value = if reports.len() == 1 {
                render(&reports[0])
            } else {
                serde_json::Value::Array(reports.iter().map(render).collect())
            };
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Github => reports.iter().map(|r| report::github(r, lang)).collect(),
        // One log whatever the number of files: a SARIF consumer reads one document.
        Format::Sarif => {
            serde_json::to_string_pretty(&report::sarif(&reports, &rubric, lang))
                .unwrap_or_default()
                + "\n"
        }
        _ => reports
            .iter()
            .map(|r| report::text(r, lang, color))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error.
    if let Err(e) = stdout.write_all(out.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return fail(e);
    }
    match fail_under {
        Some(min) if reports.iter().any(|r| r.score < min) => 1,
        _ => 0,
    }
}

fn test(paths: Vec<PathBuf>, bless: bool, rubric: Option<&str>, filter: Option<&str>) -> i32 {
    let roots = if paths.is_empty() {
        vec![PathBuf::from("fixtures")]
    } else {
        paths
    };
    if let Some(missing) = roots.iter().find(|p| !p.exists()) {
        return fail(format!("{}: no such folder", missing.display()));
    }
    let s = fixtures::run_all(&roots, rubric, filter, bless);
    for l in &s.lines {
        println!("{l}");
    }
    println!("\n{} passed, {} failed", s.ok, s.changed + s.new + s.errors);
    if s.errors > 0 {
        2
    } else if (s.changed + s.new) > 0 && !bless {
        1
    } else {
        0
    }
}

/// Answers under `dir` (`.py` and `.txt`), as (path relative to `dir`, full path).
fn answers_under(dir: &std::path::Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "py" || x == "txt") {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .to_string();
                out.push((rel, p));
            }
        }
    }
    out.sort();
    out
}

fn agree_cmd(rubric_id: &str, human_path: &std::path::Path, dir: &std::path::Path) -> i32 {
    let rubric = match load_rubric(rubric_id) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let text = match std::fs::read_to_string(human_path) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", human_path.display())),
    };
    let human = match agree::parse_csv(&text) {
        Ok(h) => h,
        Err(e) => return fail(format!("{}: {e}", human_path.display())),
    };
    if !dir.is_dir() {
        return fail(format!("{}: not a folder", dir.display()));
    }
    let mut tool = std::collections::BTreeMap::new();
    for (rel, path) in answers_under(dir) {
        let Ok(answer) = source::read(&path.to_string_lossy()) else {
            continue;
        };
        let r = grade::grade(&rel, &answer, &rubric);
        let rules = r
            .rules
            .iter()
            .map(|x| (x.id.clone(), (x.points, x.max_points)))
            .collect();
        tool.insert(
            rel,
            agree::ToolGrade {
                rules,
                total: r.score,
            },
        );
    }
    let order: Vec<String> = rubric.rules.iter().map(|r| r.id.clone()).collect();
    let ag = agree::compare(&order, &tool, &human);
    println!(
        "{:24} {:>4} {:>7} {:>7}  {:>9} {:>9} {:>10} {:>9}",
        "rule", "n", "agree", "kappa", "both-pass", "tool-only", "human-only", "both-fail"
    );
    for (rule, c) in &ag.per_rule {
        println!(
            "{:24} {:>4} {:>7.3} {:>7.3}  {:>9} {:>9} {:>10} {:>9}",
            rule,
            c.n(),
            c.agreement(),
            c.kappa(),
            c.both_pass,
            c.tool_only,
            c.human_only,
            c.both_fail
        );
    }
    println!(
        "\ntotals: mean |tool - human| = {:.3} points; within 0.5 points: {:.1}%",
        ag.mean_abs_diff,
        ag.within_half * 100.0
    );
    if !ag.largest.is_empty() {
        println!("\nlargest differences:");
        for (a, t, h) in &ag.largest {
            println!("  {a}: tool {t}, human {h}");
        }
    }
    for a in &ag.unmatched {
        eprintln!(
            "pseudograde: {}: `{a}` is not an answer under {}",
            human_path.display(),
            dir.display()
        );
    }
    0
}

fn grade_cmd(
    rubric_id: &str,
    dir: &std::path::Path,
    out: Option<PathBuf>,
    jobs: Option<usize>,
    exec: bool,
    lang: Lang,
) -> i32 {
    if exec {
        return fail(
            "`--exec` needs a build with the `exec` feature: run `scripts/setup-libtorch.sh`, then `cargo build --release --features exec`",
        );
    }
    let rubric = match load_rubric(rubric_id) {
        Ok(r) => r,
        Err(c) => return c,
    };
    if !dir.is_dir() {
        return fail(format!("{}: not a folder", dir.display()));
    }
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}-graded", dir.display())));
    let answers = batch::find(dir);
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // The bar goes to standard error, and only when a person is watching it.
    let rows = batch::grade_all(&answers, &rubric, jobs, std::io::stderr().is_terminal());
    if let Err(e) = batch::write_outputs(&rows, &rubric, &out, lang) {
        return fail(format!("{}: {e}", out.display()));
    }
    let errors = rows
        .iter()
        .filter(|r| matches!(r, batch::Row::Error(..)))
        .count();
    eprintln!(
        "pseudograde: graded {} answers, {errors} could not be read; results in {}",
        rows.len() - errors,
        out.display()
    );
    0
}

fn rubrics(action: RubricsAction) -> i32 {
    match action {
        RubricsAction::List => {
            for (id, text) in rubric::BUILTIN {
                match rubric::load(id, text) {
                    Ok(r) => println!(
                        "{id:10} {} ({} points, {} rules)",
                        r.title.en,
                        r.total,
                        r.rules.len()
                    ),
                    Err(_) => println!("{id:10} (invalid)"),
                }
            }
            0
        }
        RubricsAction::Show { id } => match load_rubric(&id) {
            Ok(r) => {
                println!("{} — {} / {}", r.id, r.title.en, r.title.es);
                for rule in &r.rules {
                    println!(
                        "  {:24} {:>5}  check {}  {}",
                        rule.id, rule.points, rule.check.id, rule.title.en
                    );
                }
                println!("  lints: {}", r.lints.join(", "));
                0
            }
            Err(c) => c,
        },
        RubricsAction::Docs => {
            print!("{}", crate::docs::catalogue());
            0
        }
        RubricsAction::Validate {
            path,
            fixtures: dir,
        } => match load_rubric(&path) {
            Ok(r) => {
                println!(
                    "{path}: valid rubric `{}` ({} rules, {} points)",
                    r.id,
                    r.rules.len(),
                    r.total
                );
                let dir = dir.unwrap_or_else(|| PathBuf::from("fixtures").join(&r.id));
                for w in coverage_warnings(&r, &dir) {
                    println!("warning: {w}");
                }
                0
            }
            Err(c) => c,
        },
    }
}

/// Rules that no fixture makes fail, or pass: a verdict nothing tests.
fn coverage_warnings(r: &rubric::Rubric, dir: &std::path::Path) -> Vec<String> {
    let found = fixtures::discover(&[dir.to_path_buf()]);
    if found.is_empty() {
        return vec![format!(
            "no fixtures under {}: no rule is tested",
            dir.display()
        )];
    }
    let mut counts = vec![(0usize, 0usize); r.rules.len()];
    for f in &found {
        let Ok(text) = source::read(&f.answer.to_string_lossy()) else {
            continue;
        };
        let report = grade::grade(&f.answer.to_string_lossy(), &text, r);
        for (i, rr) in report.rules.iter().enumerate() {
            if rr.passed {
                counts[i].0 += 1
            } else {
                counts[i].1 += 1
            }
        }
    }
    let mut out = Vec::new();
    for (rule, (pass, failed)) in r.rules.iter().zip(counts) {
        if failed == 0 {
            out.push(format!(
                "rule `{}` fails in none of the {} fixtures under {}: its failures are untested",
                rule.id,
                found.len(),
                dir.display()
            ));
        }
        if pass == 0 {
            out.push(format!(
                "rule `{}` passes in none of the {} fixtures under {}: its passes are untested",
                rule.id,
                found.len(),
                dir.display()
            ));
        }
    }
    out
}

fn explain(id: Option<&str>) -> i32 {
    let Some(id) = id else {
        println!("check kinds:");
        for c in checks::CHECKS {
            println!("  {}", c.id);
        }
        println!("lints:");
        for l in lints::all_names() {
            println!("  {l}");
        }
        return 0;
    };
    if let Some(c) = checks::find(id) {
        print!("{}", c.doc());
        return 0;
    }
    if let Some(l) = lints::find(id) {
        print!("{}", l.doc());
        return 0;
    }
    if let Some(d) = lints::extra_doc(id) {
        print!("{d}");
        return 0;
    }
    for (rid, text) in rubric::BUILTIN {
        if let Ok(r) = rubric::load(rid, text)
            && let Some(rule) = r.rules.iter().find(|x| x.id == id)
        {
            println!(
                "rule `{}` of rubric `{rid}` ({} points) is judged by the check `{}`:\n",
                rule.id, rule.points, rule.check.id
            );
            print!("{}", rule.check.doc());
            return 0;
        }
    }
    fail(format!(
        "no check, rule or lint is called `{id}`; `pseudograde explain` lists them"
    ))
}
