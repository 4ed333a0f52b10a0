//! The command line (see `shared/spec/cli.md`). Exit codes: 0 graded, 1 a score below
//! `--fail-under` or a changed fixture, 2 a usage error, an unreadable answer or an
//! invalid rubric.

use crate::msg::{Lang, tr};
use crate::report::StudentView;
use crate::rubric::HintLevel;
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
    /// Language of every message [default: from LC_ALL, LC_MESSAGES or LANG; `es*` is Spanish]
    #[arg(long, global = true, value_enum)]
    lang: Option<Lang>,
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

/// Who reads the report of `check`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Audience {
    /// The rubric's feedback, which may spell out the answer.
    Instructor,
    /// Hints in tiers instead of feedback, never the reference answer.
    Student,
}

#[derive(Subcommand)]
enum Command {
    /// Grade answers against a rubric.
    Check {
        /// A built-in rubric's id (`simsiam`, `ibot`, `cyclegan`) or a rubric file's path.
        #[arg(long)]
        rubric: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Confirm the verdicts by running the answer on toy tensors (needs the `exec` feature).
        #[arg(long)]
        exec: bool,
        /// Exit with status 1 when a score is below this.
        #[arg(long)]
        fail_under: Option<f64>,
        /// Who reads the report: `student` gives hints in place of the feedback.
        #[arg(long, value_enum, default_value = "instructor")]
        audience: Audience,
        /// With `--audience student`: 1 names the concept, 2 points at the lines, 3 says what to change [default: 1]
        #[arg(long, value_enum)]
        hint_level: Option<HintLevel>,
        /// With `--audience student`: hide scores and points, for practice.
        #[arg(long)]
        no_points: bool,
        /// Answer files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Grade every answer under a folder: gradebook, reports and a summary.
    Grade {
        /// A built-in rubric's id or a rubric file's path.
        #[arg(long)]
        rubric: String,
        /// The folder of answers: one per file, or one per student folder.
        dir: PathBuf,
        /// Where to write the results (default: `<DIR>-graded`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Threads to grade on (default: every core).
        #[arg(long)]
        jobs: Option<usize>,
        /// Also run each answer on toy tensors; its report carries the measurements (needs the `exec` feature).
        #[arg(long)]
        exec: bool,
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
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    match cli.command {
        Command::Check {
            rubric,
            format,
            exec,
            fail_under,
            audience,
            hint_level,
            no_points,
            files,
        } => match student_view(audience, hint_level, no_points, format, lang) {
            Ok(student) => check(&rubric, format, exec, lang, fail_under, student, &files),
            Err(code) => code,
        },
        Command::Test {
            paths,
            bless,
            rubric,
            filter,
        } => test(paths, bless, rubric.as_deref(), filter.as_deref(), lang),
        Command::Rubrics { action } => rubrics(action.unwrap_or(RubricsAction::List), lang),
        Command::Agree { rubric, human, dir } => agree_cmd(&rubric, &human, &dir, lang),
        Command::Grade {
            rubric,
            dir,
            out,
            jobs,
            exec,
        } => grade_cmd(&rubric, &dir, out, jobs, exec, lang),
        Command::Explain { id } => explain(id.as_deref(), lang),
    }
}

fn load_rubric(id: &str, lang: Lang) -> Result<rubric::Rubric, i32> {
    rubric::resolve(id).map_err(|errs| {
        let invalid = tr!(lang, "invalid rubric", "rúbrica no válida");
        for e in &errs {
            eprintln!("pseudograde: {invalid}: {}", e.render(lang));
        }
        2
    })
}

fn exec_unavailable(lang: Lang) -> i32 {
    fail(tr!(
        lang,
        "`--exec` needs a build with the `exec` feature: run `scripts/setup-libtorch.sh`, then `cargo build --release --features exec`",
        "`--exec` necesita una compilación con la característica `exec`: ejecuta `scripts/setup-libtorch.sh` y después `cargo build --release --features exec`"
    ))
}

/// A path that cannot be read as a folder, said in `lang`.
fn not_a_folder(dir: &std::path::Path, lang: Lang) -> i32 {
    let dir = dir.display();
    fail(tr!(lang, "{dir}: not a folder", "{dir}: no es una carpeta"))
}

/// The student view that `check`'s options ask for (none for an instructor), or a usage
/// error: the student options without `--audience student`, or a format meant for
/// instructors' tools.
fn student_view(
    audience: Audience,
    hint_level: Option<HintLevel>,
    no_points: bool,
    format: Format,
    lang: Lang,
) -> Result<Option<StudentView>, i32> {
    if audience == Audience::Instructor {
        if hint_level.is_some() || no_points {
            return Err(fail(tr!(
                lang,
                "`--hint-level` and `--no-points` go with `--audience student`",
                "`--hint-level` y `--no-points` van con `--audience student`"
            )));
        }
        return Ok(None);
    }
    if !matches!(format, Format::Text | Format::Json) {
        return Err(fail(tr!(
            lang,
            "`--audience student` prints `--format text` or `json`",
            "`--audience student` escribe `--format text` o `json`"
        )));
    }
    Ok(Some(StudentView {
        hint_level: hint_level.unwrap_or(HintLevel::Concept),
        show_points: !no_points,
    }))
}

fn check(
    rubric_id: &str,
    format: Format,
    exec: bool,
    lang: Lang,
    fail_under: Option<f64>,
    student: Option<StudentView>,
    files: &[String],
) -> i32 {
    if exec && !crate::exec::AVAILABLE {
        return exec_unavailable(lang);
    }
    let rubric = match load_rubric(rubric_id, lang) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut reports = Vec::new();
    for f in files {
        match source::read(f) {
            Ok(text) => {
                let mut report = grade::grade(f, &text, &rubric);
                if exec {
                    report.exec = crate::exec::run_if_available(&text, &rubric, &report);
                }
                reports.push(report)
            }
            Err(e) => return fail(format!("{f}: {}", e.message().get(lang))),
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let out = match format {
        Format::Json | Format::Gradescope => {
            let render = |r: &grade::Report| match (format, student) {
                (Format::Json, Some(view)) => report::student_json(r, lang, view),
                (Format::Json, None) => report::json(r, lang),
                _ => report::gradescope(r, lang),
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
            .map(|r| match student {
                Some(view) => report::student_text(r, lang, view, color),
                None => report::text(r, lang, color),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error.
    if let Err(e) = stdout.write_all(out.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return fail(crate::msg::io_error(&e).get(lang));
    }
    match fail_under {
        Some(min) if reports.iter().any(|r| r.score < min) => 1,
        _ => 0,
    }
}

fn test(
    paths: Vec<PathBuf>,
    bless: bool,
    rubric: Option<&str>,
    filter: Option<&str>,
    lang: Lang,
) -> i32 {
    let roots = if paths.is_empty() {
        vec![PathBuf::from("fixtures")]
    } else {
        paths
    };
    if let Some(missing) = roots.iter().find(|p| !p.exists()) {
        let missing = missing.display();
        return fail(tr!(
            lang,
            "{missing}: no such folder",
            "{missing}: no existe esa carpeta"
        ));
    }
    if let Some(other) = roots
        .iter()
        .find(|p| p.is_file() && p.extension().is_none_or(|e| e != "py"))
    {
        let other = other.display();
        return fail(tr!(
            lang,
            "{other}: not a fixture folder nor a fixture's answer\nhelp: a fixture is `<rubric>/<case>.py` beside `<case>.expected.toml`",
            "{other}: no es una carpeta de fixtures ni la respuesta de un fixture\nhelp: un fixture es `<rúbrica>/<caso>.py` junto a `<caso>.expected.toml`"
        ));
    }
    let s = fixtures::run_all(&roots, rubric, filter, bless, lang);
    if s.ok + s.changed + s.new + s.errors == 0 {
        let roots = roots
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return fail(tr!(
            lang,
            "no fixture found in {roots}\nhelp: a fixture is `<rubric>/<case>.py` beside `<case>.expected.toml`; check `--rubric` and `--filter`",
            "no se encontró ningún fixture en {roots}\nhelp: un fixture es `<rúbrica>/<caso>.py` junto a `<caso>.expected.toml`; revisa `--rubric` y `--filter`"
        ));
    }
    for l in &s.lines {
        println!("{l}");
    }
    let (passed, failed) = (s.ok, s.changed + s.new + s.errors);
    println!(
        "{}",
        tr!(
            lang,
            "\n{passed} passed, {failed} failed",
            "\n{passed} correctos, {failed} fallidos"
        )
    );
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

fn agree_cmd(
    rubric_id: &str,
    human_path: &std::path::Path,
    dir: &std::path::Path,
    lang: Lang,
) -> i32 {
    let rubric = match load_rubric(rubric_id, lang) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let text = match std::fs::read_to_string(human_path) {
        Ok(t) => t,
        Err(e) => {
            let why = source::ReadError::Io(e).message();
            return fail(format!("{}: {}", human_path.display(), why.get(lang)));
        }
    };
    let human = match agree::parse_csv(&text) {
        Ok(h) => h,
        Err(e) => return fail(format!("{}: {}", human_path.display(), e.get(lang))),
    };
    if !dir.is_dir() {
        return not_a_folder(dir, lang);
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
    // Spanish headers are longer: the columns take the wider of the two.
    let headers = match lang {
        Lang::En => [
            "rule",
            "n",
            "agree",
            "kappa",
            "both-pass",
            "tool-only",
            "human-only",
            "both-fail",
        ],
        Lang::Es => [
            "regla",
            "n",
            "acuerdo",
            "kappa",
            "ambos-bien",
            "solo-herr",
            "solo-humano",
            "ambos-mal",
        ],
    };
    let [
        rule_h,
        n_h,
        agree_h,
        kappa_h,
        both_pass_h,
        tool_only_h,
        human_only_h,
        both_fail_h,
    ] = headers;
    println!(
        "{rule_h:24} {n_h:>4} {agree_h:>7} {kappa_h:>7}  {both_pass_h:>10} {tool_only_h:>9} {human_only_h:>11} {both_fail_h:>9}"
    );
    for (rule, c) in &ag.per_rule {
        println!(
            "{:24} {:>4} {:>7.3} {:>7.3}  {:>10} {:>9} {:>11} {:>9}",
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
    let (mean, within) = (ag.mean_abs_diff, ag.within_half * 100.0);
    println!(
        "{}",
        tr!(
            lang,
            "\ntotals: mean |tool - human| = {mean:.3} points; within 0.5 points: {within:.1}%",
            "\ntotales: media |herramienta - humano| = {mean:.3} puntos; a 0.5 puntos o menos: {within:.1}%"
        )
    );
    if !ag.largest.is_empty() {
        println!(
            "{}",
            tr!(lang, "\nlargest differences:", "\nmayores diferencias:")
        );
        for (a, t, h) in &ag.largest {
            println!(
                "{}",
                tr!(
                    lang,
                    "  {a}: tool {t}, human {h}",
                    "  {a}: herramienta {t}, humano {h}"
                )
            );
        }
    }
    let (human_file, dir) = (human_path.display(), dir.display());
    for a in &ag.unmatched {
        eprintln!(
            "pseudograde: {}",
            tr!(
                lang,
                "{human_file}: `{a}` is not an answer under {dir}",
                "{human_file}: `{a}` no es una respuesta dentro de {dir}"
            )
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
    if exec && !crate::exec::AVAILABLE {
        return exec_unavailable(lang);
    }
    let rubric = match load_rubric(rubric_id, lang) {
        Ok(r) => r,
        Err(c) => return c,
    };
    if !dir.is_dir() {
        return not_a_folder(dir, lang);
    }
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}-graded", dir.display())));
    let answers = batch::find(dir);
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // The bar goes to standard error, and only when a person is watching it.
    let rows = batch::grade_all(
        &answers,
        &rubric,
        jobs,
        std::io::stderr().is_terminal(),
        exec,
    );
    if let Err(e) = batch::write_outputs(&rows, &rubric, &out, lang) {
        return fail(format!(
            "{}: {}",
            out.display(),
            crate::msg::io_error(&e).get(lang)
        ));
    }
    let errors = rows
        .iter()
        .filter(|r| matches!(r, batch::Row::Error(..)))
        .count();
    let (graded, out) = (rows.len() - errors, out.display());
    let counts = batch::count_phrase(graded, errors, lang);
    let message = tr!(
        lang,
        "{counts}; results in {out}",
        "{counts}; resultados en {out}"
    );
    eprintln!("pseudograde: {message}");
    0
}

fn rubrics(action: RubricsAction, lang: Lang) -> i32 {
    match action {
        RubricsAction::List => {
            for (id, text) in rubric::BUILTIN {
                match rubric::load(id, text) {
                    Ok(r) => {
                        let (title, total, rules) = (r.title.get(lang), r.total, r.rules.len());
                        println!(
                            "{id:10} {}",
                            tr!(
                                lang,
                                "{title} ({total} points, {rules} rules)",
                                "{title} ({total} puntos, {rules} reglas)"
                            )
                        )
                    }
                    Err(_) => println!("{id:10} {}", tr!(lang, "(invalid)", "(no válida)")),
                }
            }
            0
        }
        RubricsAction::Show { id } => match load_rubric(&id, lang) {
            Ok(r) => {
                println!("{} — {}", r.id, r.title.get(lang));
                // `check` and `lints` are the rubric file's own keys, the same in both
                // languages.
                for rule in &r.rules {
                    println!(
                        "  {:24} {:>5}  check {}  {}",
                        rule.id,
                        rule.points,
                        rule.check.id,
                        rule.title.get(lang)
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
        } => match load_rubric(&path, lang) {
            Ok(r) => {
                let (id, rules, total) = (&r.id, r.rules.len(), r.total);
                println!(
                    "{}",
                    tr!(
                        lang,
                        "{path}: valid rubric `{id}` ({rules} rules, {total} points)",
                        "{path}: rúbrica válida `{id}` ({rules} reglas, {total} puntos)"
                    )
                );
                let dir = dir.unwrap_or_else(|| PathBuf::from("fixtures").join(&r.id));
                let warning = tr!(lang, "warning", "aviso");
                for w in coverage_warnings(&r, &dir, lang) {
                    println!("{warning}: {w}");
                }
                0
            }
            Err(c) => c,
        },
    }
}

/// Rules that no fixture makes fail, or pass: a verdict nothing tests.
fn coverage_warnings(r: &rubric::Rubric, dir: &std::path::Path, lang: Lang) -> Vec<String> {
    let found = fixtures::discover(&[dir.to_path_buf()]);
    let dir = dir.display();
    if found.is_empty() {
        return vec![tr!(
            lang,
            "no fixtures under {dir}: no rule is tested",
            "no hay fixtures en {dir}: ninguna regla está probada"
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
    let total = found.len();
    for (rule, (pass, failed)) in r.rules.iter().zip(counts) {
        let id = &rule.id;
        if failed == 0 {
            out.push(tr!(
                lang,
                "rule `{id}` fails in none of the {total} fixtures under {dir}: its failures are untested",
                "la regla `{id}` no falla en ninguno de los {total} fixtures de {dir}: sus fallos no están probados"
            ));
        }
        if pass == 0 {
            out.push(tr!(
                lang,
                "rule `{id}` passes in none of the {total} fixtures under {dir}: its passes are untested",
                "la regla `{id}` no se supera en ninguno de los {total} fixtures de {dir}: sus aciertos no están probados"
            ));
        }
    }
    out
}

/// Prints a check's or lint's documentation. The documentation itself is the doc
/// comment beside the code, written in English; the words around it follow `lang`.
fn explain(id: Option<&str>, lang: Lang) -> i32 {
    let Some(id) = id else {
        println!("{}", tr!(lang, "check kinds:", "tipos de comprobación:"));
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
            let (points, check) = (rule.points, rule.check.id);
            println!(
                "{}",
                tr!(
                    lang,
                    "rule `{id}` of rubric `{rid}` ({points} points) is judged by the check `{check}`:\n",
                    "la regla `{id}` de la rúbrica `{rid}` ({points} puntos) la juzga la comprobación `{check}`:\n"
                )
            );
            print!("{}", rule.check.doc());
            return 0;
        }
    }
    fail(tr!(
        lang,
        "no check, rule or lint is called `{id}`; `pseudograde explain` lists them",
        "no hay ninguna comprobación, regla ni lint llamada `{id}`; `pseudograde explain` las lista"
    ))
}
