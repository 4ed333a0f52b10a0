//! Fixture-driven regression tests: `fixtures/<rubric>/<case>.py` beside
//! `<case>.expected.toml`. The same code serves `pseudograde test` and `cargo test`, so
//! the two can never disagree.

use crate::grade::{self, Report};
use crate::msg::{Lang, Msg, msg, tr};
use crate::rubric::{self, Rubric, RubricError};
use similar::TextDiff;
use std::path::{Path, PathBuf};

/// Lints that pseudocode raises all the time; expectations do not pin them.
const UNPINNED_LINTS: &[&str] = &["undefined-name", "unparsed-line"];

pub struct Fixture {
    pub rubric: String,
    /// A `rubric.toml` in the fixture's folder, which wins over the rubric named by the
    /// folder (a rubric being written, or a copy being changed).
    pub rubric_file: Option<PathBuf>,
    pub answer: PathBuf,
    pub expected: PathBuf,
}

impl Fixture {
    pub fn load_rubric(&self) -> Result<Rubric, Vec<RubricError>> {
        match &self.rubric_file {
            Some(p) => rubric::resolve(&p.to_string_lossy()),
            None => load_rubric(&self.rubric),
        }
    }

    fn rubric_key(&self) -> String {
        self.rubric_file
            .as_ref()
            .map_or(self.rubric.clone(), |p| p.to_string_lossy().to_string())
    }

    pub fn name(&self) -> String {
        format!(
            "{}/{}",
            self.rubric,
            self.answer
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default()
        )
    }
}

pub enum Verdict {
    Ok,
    Changed(String),
    New(String),
    Error(Msg),
}

/// Every fixture under the given folders (a rubric's folder, or a folder of them), and
/// the fixtures given as their answer file (`fixtures/ibot/case.py`).
pub fn discover(roots: &[PathBuf]) -> Vec<Fixture> {
    let mut out = Vec::new();
    for root in roots {
        if root.is_file() {
            let dir = root.parent().unwrap_or(Path::new("."));
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            let rubric = std::fs::canonicalize(dir)
                .ok()
                .and_then(|d| d.file_name().map(|s| s.to_string_lossy().to_string()))
                .unwrap_or_default();
            out.push(Fixture {
                rubric_file: Some(dir.join("rubric.toml")).filter(|p| p.exists()),
                rubric,
                answer: root.clone(),
                expected: root.with_extension("expected.toml"),
            });
            continue;
        }
        let dirs: Vec<PathBuf> = if root.join("FORMAT.md").exists() || has_subdirs(root) {
            sorted_entries(root)
                .into_iter()
                .filter(|p| p.is_dir())
                .collect()
        } else {
            vec![root.clone()]
        };
        for dir in dirs {
            let rubric_file = Some(dir.join("rubric.toml")).filter(|p| p.exists());
            let rubric = dir
                .file_name()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            for p in sorted_entries(&dir) {
                if p.extension().is_some_and(|e| e == "py") {
                    let expected = p.with_extension("expected.toml");
                    out.push(Fixture {
                        rubric_file: rubric_file.clone(),
                        rubric: rubric.clone(),
                        answer: p,
                        expected,
                    });
                }
            }
        }
    }
    out
}

fn has_subdirs(p: &Path) -> bool {
    sorted_entries(p).iter().any(|e| e.is_dir())
}

fn sorted_entries(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn fmt_num(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// The outcome as pinned by an expectation, in its canonical text form.
pub fn outcome(report: &Report) -> String {
    let mut lints: Vec<&str> = report
        .lints
        .iter()
        .map(|l| l.name)
        .filter(|n| !UNPINNED_LINTS.contains(n))
        .collect();
    lints.sort();
    lints.dedup();
    let mut s = format!(
        "score = {}\nlints = [{}]\n\n[rules]\n",
        fmt_num(report.score),
        lints
            .iter()
            .map(|l| format!("\"{l}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for r in &report.rules {
        if r.passed {
            s.push_str(&format!("{} = {{ passed = true }}\n", r.id));
        } else {
            let mut lines: Vec<u32> = r.evidence.iter().map(|e| e.line).collect();
            lines.sort();
            lines.dedup();
            s.push_str(&format!(
                "{} = {{ passed = false, lines = [{}] }}\n",
                r.id,
                lines
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    s
}

/// An expectation file rendered in the same canonical form, and its leading comments.
fn canonical_expected(text: &str) -> Result<(String, String), Msg> {
    let value: toml::Table = toml::from_str(text).map_err(|e| {
        let e = e.to_string();
        msg!("{e}", "TOML no válido: {e}")
    })?;
    let score = value
        .get("score")
        .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
        .ok_or_else(|| msg!("missing `score`", "falta `score`"))?;
    let mut lints: Vec<String> = value
        .get("lints")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    lints.sort();
    let mut s = format!(
        "score = {}\nlints = [{}]\n\n[rules]\n",
        fmt_num(score),
        lints
            .iter()
            .map(|l| format!("\"{l}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rules = value
        .get("rules")
        .and_then(|v| v.as_table())
        .ok_or_else(|| msg!("missing `[rules]`", "falta `[rules]`"))?;
    // Keep the file's order of rules: toml::Table is sorted, so read the order from the text.
    let mut order: Vec<(usize, &String)> = rules
        .keys()
        .map(|k| (text.find(&format!("\n{k} =")).unwrap_or(usize::MAX), k))
        .collect();
    order.sort();
    for (_, k) in order {
        let r = &rules[k];
        let passed = r.get("passed").and_then(|v| v.as_bool()).unwrap_or(false);
        if passed {
            s.push_str(&format!("{k} = {{ passed = true }}\n"));
        } else {
            let mut lines: Vec<i64> = r
                .get("lines")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_integer()).collect())
                .unwrap_or_default();
            lines.sort();
            lines.dedup();
            s.push_str(&format!(
                "{k} = {{ passed = false, lines = [{}] }}\n",
                lines
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let comments: String = text
        .lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .filter(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    Ok((s, comments))
}

pub fn load_rubric(id: &str) -> Result<Rubric, Vec<RubricError>> {
    let local = PathBuf::from("rubrics").join(format!("{id}.toml"));
    let target = if rubric::BUILTIN.iter().any(|(b, _)| *b == id) || !local.exists() {
        id.to_string()
    } else {
        local.to_string_lossy().to_string()
    };
    rubric::resolve(&target)
}

/// `file: why`, in both languages.
fn about_file(path: &Path, why: &Msg) -> Msg {
    let path = path.display();
    let (en, es) = (&why.en, &why.es);
    msg!("{path}: {en}", "{path}: {es}")
}

/// Runs one fixture; with `bless`, writes the current outcome as its expectation. The
/// diff of a changed fixture is labelled in `lang`.
pub fn run(f: &Fixture, rubric: &Rubric, bless: bool, lang: Lang) -> Verdict {
    let text = match crate::source::read(&f.answer.to_string_lossy()) {
        Ok(t) => t,
        Err(e) => return Verdict::Error(about_file(&f.answer, &e.message())),
    };
    let report = grade::grade(&f.answer.to_string_lossy(), &text, rubric);
    let actual = outcome(&report);
    let existing = std::fs::read_to_string(&f.expected).ok();
    let (expected, comments) = match &existing {
        Some(t) => match canonical_expected(t) {
            Ok(x) => x,
            Err(e) => return Verdict::Error(about_file(&f.expected, &e)),
        },
        None => (String::new(), String::new()),
    };
    if existing.is_some() && expected == actual {
        return Verdict::Ok;
    }
    let diff = TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .header(
            &tr!(lang, "expected", "esperado"),
            &tr!(lang, "actual", "obtenido"),
        )
        .to_string();
    if bless {
        let body = format!("{comments}{actual}");
        if let Err(e) = crate::atomic_write(&f.expected, body.as_bytes()) {
            return Verdict::Error(about_file(&f.expected, &crate::msg::io_error(&e)));
        }
    }
    if existing.is_none() {
        Verdict::New(actual)
    } else {
        Verdict::Changed(diff)
    }
}

pub struct Summary {
    pub ok: usize,
    pub changed: usize,
    pub new: usize,
    pub errors: usize,
    pub lines: Vec<String>,
}

/// Runs every fixture under `roots` (optionally one rubric's, or names containing
/// `filter`) and describes each in `lang`.
pub fn run_all(
    roots: &[PathBuf],
    rubric_filter: Option<&str>,
    name_filter: Option<&str>,
    bless: bool,
    lang: Lang,
) -> Summary {
    let mut s = Summary {
        ok: 0,
        changed: 0,
        new: 0,
        errors: 0,
        lines: Vec::new(),
    };
    let mut rubrics: std::collections::BTreeMap<String, Result<Rubric, Vec<RubricError>>> =
        Default::default();
    // The status words (`ok`, `error` and the others) are padded to one width in both
    // languages, so that the fixture names line up.
    let blessed = if bless {
        tr!(lang, " (blessed)", " (aceptado)")
    } else {
        String::new()
    };
    for f in discover(roots) {
        if rubric_filter.is_some_and(|r| r != f.rubric)
            || name_filter.is_some_and(|n| !f.name().contains(n))
        {
            continue;
        }
        let rubric = rubrics
            .entry(f.rubric_key())
            .or_insert_with(|| f.load_rubric());
        let rubric = match rubric {
            Ok(r) => r,
            Err(errors) => {
                s.errors += 1;
                let why = errors
                    .iter()
                    .map(|e| e.render(lang))
                    .collect::<Vec<_>>()
                    .join("\n");
                s.lines.push(format!("error   {}: {why}", f.name()));
                continue;
            }
        };
        let name = f.name();
        match run(&f, rubric, bless, lang) {
            Verdict::Ok => {
                s.ok += 1;
                s.lines.push(format!("ok      {name}"));
            }
            Verdict::Changed(diff) => {
                s.changed += 1;
                s.lines.push(tr!(
                    lang,
                    "changed {name}{blessed}\n{diff}",
                    "cambia  {name}{blessed}\n{diff}"
                ));
            }
            Verdict::New(out) => {
                s.new += 1;
                s.lines.push(tr!(
                    lang,
                    "new     {name}{blessed}\n{out}",
                    "nuevo   {name}{blessed}\n{out}"
                ));
            }
            Verdict::Error(e) => {
                s.errors += 1;
                s.lines.push(format!("error   {name}: {}", e.get(lang)));
            }
        }
    }
    s
}
