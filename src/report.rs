//! Report formats: the JSON object of the command-line contract, Gradescope's
//! `results.json`, a text report with rustc-style snippets, and SARIF (in `sarif.rs`);
//! and, for `check --audience student`, the text and JSON reports a student reads, with
//! hints in place of the instructor's feedback.

mod sarif;
pub use sarif::sarif;

use crate::grade::{Report, RuleResult};
use crate::ir::Span;
use crate::msg::{Lang, tr};
use crate::rubric::HintLevel;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use serde_json::{Value, json};

fn feedback(r: &RuleResult, lang: Lang) -> String {
    let mut parts = vec![r.feedback.get(lang).to_string()];
    if let Some(d) = &r.detail {
        parts.push(d.get(lang).to_string());
    }
    parts.extend(r.notes.iter().map(|n| format!("({})", n.get(lang))));
    parts.join(" ")
}

fn evidence(report: &Report, s: &Span) -> Value {
    let text = report.line_text(s.line).trim().to_string();
    json!({"line": s.line, "column": s.col, "end_line": s.end_line, "end_column": s.end_col, "text": text})
}

pub fn json(report: &Report, lang: Lang) -> Value {
    json!({
        "file": report.file,
        "rubric": report.rubric,
        "score": report.score,
        "max_score": report.max_score,
        "rules": report.rules.iter().map(|r| json!({
            "id": r.id,
            "title": r.title.get(lang),
            "passed": r.passed,
            "points": r.points,
            "max_points": r.max_points,
            "feedback": feedback(r, lang),
            "evidence": r.evidence.iter().map(|s| evidence(report, s)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "lints": report.lints.iter().map(|l| json!({
            "name": l.name,
            "severity": l.severity,
            "message": l.message.get(lang),
            "help": l.help.get(lang),
            "line": l.span.line,
            "column": l.span.col,
        })).collect::<Vec<_>>(),
        "parse": {
            "error_nodes": report.error_nodes,
            "normalizations": report.normalizations,
        },
        "limits": report.limits.iter().map(|m| m.get(lang)).collect::<Vec<_>>(),
        "exec": report.exec.as_ref().map_or(Value::Null, |x| x.json(lang)),
    })
}

pub fn gradescope(report: &Report, lang: Lang) -> Value {
    let output = match lang {
        Lang::En => format!(
            "{}: {} / {} points",
            report.rubric, report.score, report.max_score
        ),
        Lang::Es => format!(
            "{}: {} / {} puntos",
            report.rubric, report.score, report.max_score
        ),
    };
    json!({
        "score": report.score,
        "output": output,
        "tests": report.rules.iter().map(|r| json!({
            "name": format!("{}: {}", r.id, r.title.get(lang)),
            "score": r.points,
            "max_score": r.max_points,
            "output": feedback(r, lang),
            "visibility": "visible",
        })).collect::<Vec<_>>(),
    })
}

/// The byte range of a span in the original text.
fn byte_range(report: &Report, s: &Span) -> std::ops::Range<usize> {
    let mut offset = 0;
    for (i, l) in report.lines.iter().enumerate() {
        if i + 1 == s.line as usize {
            let start: usize = l
                .chars()
                .take(s.col.saturating_sub(1) as usize)
                .map(char::len_utf8)
                .sum();
            let end = if s.end_line == s.line {
                l.chars()
                    .take(s.end_col.saturating_sub(1) as usize)
                    .map(char::len_utf8)
                    .sum::<usize>()
                    .max(start + 1)
            } else {
                l.len().max(start + 1)
            };
            return offset + start..offset + end.min(l.len().max(start + 1));
        }
        offset += l.len() + 1;
    }
    0..0
}

/// A level of the rendered report named in `lang`: annotate-snippets names its levels
/// in English only.
fn level(kind: Level<'static>, lang: Lang) -> Level<'static> {
    let spanish = if kind == Level::WARNING {
        "aviso"
    } else if kind == Level::NOTE {
        "nota"
    } else if kind == Level::HELP {
        "ayuda"
    } else {
        // `error` and `info` are Spanish words too.
        return kind;
    };
    match lang {
        Lang::En => kind,
        Lang::Es => kind.with_name(spanish),
    }
}

pub fn text(report: &Report, lang: Lang, color: bool) -> String {
    let source = report.lines.join("\n");
    let mut out = String::new();
    let (file, rubric) = (&report.file, &report.rubric);
    out.push_str(&tr!(
        lang,
        "{file} — {rubric} (rubric)\n\n",
        "{file} — {rubric} (rúbrica)\n\n"
    ));
    let width = report.rules.iter().map(|r| r.id.len()).max().unwrap_or(10);
    for r in &report.rules {
        let mark = match (r.passed, lang) {
            (true, Lang::En) => "pass",
            (false, Lang::En) => "FAIL",
            (true, Lang::Es) => "bien",
            (false, Lang::Es) => "MAL",
        };
        out.push_str(&format!(
            "  {mark:4}  {:width$}  {:>5} / {:<5}  {}\n",
            r.id,
            r.points,
            r.max_points,
            r.title.get(lang)
        ));
    }
    let (score, max_score) = (report.score, report.max_score);
    out.push_str(&tr!(
        lang,
        "\n  score: {score} / {max_score}\n\n",
        "\n  puntuación: {score} / {max_score}\n\n"
    ));
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for r in report
        .rules
        .iter()
        .filter(|r| !r.passed || !r.notes.is_empty())
    {
        let level = level(if r.passed { Level::NOTE } else { Level::ERROR }, lang);
        let title = format!("{}: {}", r.id, feedback(r, lang));
        let mut snippet = Snippet::source(&source).path(&report.file).fold(true);
        for s in &r.evidence {
            snippet = snippet.annotation(AnnotationKind::Primary.span(byte_range(report, s)));
        }
        let group = if r.evidence.is_empty() {
            annotate_snippets::Group::with_title(level.primary_title(title))
        } else {
            level.primary_title(title).element(snippet)
        };
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    for l in &report.lints {
        let severity = match l.severity {
            crate::lints::Severity::Error => Level::ERROR,
            crate::lints::Severity::Warning => Level::WARNING,
            crate::lints::Severity::Info => Level::INFO,
        };
        let level = level(severity, lang);
        let snippet = Snippet::source(&source)
            .path(&report.file)
            .fold(true)
            .annotation(AnnotationKind::Primary.span(byte_range(report, &l.span)));
        let group = level
            .primary_title(format!("[{}] {}", l.name, l.message.get(lang)))
            .element(snippet)
            .element(self::level(Level::HELP, lang).message(l.help.get(lang).to_string()));
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    let note = tr!(lang, "note", "nota");
    for m in &report.limits {
        out.push_str(&format!("{note}: {}\n", m.get(lang)));
    }
    if let Some(x) = &report.exec {
        out.push_str(&exec_text(x, lang));
    }
    out
}

/// The `--exec` section of the text report: the status, then each property measured,
/// with a contradicted one named.
fn exec_text(x: &crate::exec::ExecReport, lang: Lang) -> String {
    use crate::exec::{Outcome, Status};
    let es = lang == Lang::Es;
    let status = match (x.status, es) {
        (Status::Confirmed, false) => "confirmed",
        (Status::Confirmed, true) => "confirmado",
        (Status::Contradicted, false) => "contradicted",
        (Status::Contradicted, true) => "contradicho",
        (Status::Partial, false) => "partial",
        (Status::Partial, true) => "parcial",
        (Status::NotRun, false) => "not run",
        (Status::NotRun, true) => "no ejecutado",
    };
    let mut out = format!(
        "\n{}: {status}{}\n",
        if es { "ejecución" } else { "exec" },
        if x.reason.get(lang).is_empty() {
            String::new()
        } else {
            format!(" — {}", x.reason.get(lang))
        }
    );
    for c in &x.checks {
        let mark = match c.result {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skipped => "skip",
        };
        let disagree = if c.agrees == Some(false) {
            if es {
                "  ← contradice el análisis estático"
            } else {
                "  ← contradicts the static verdict"
            }
        } else {
            ""
        };
        out.push_str(&format!(
            "  {mark}  {} ({}): {}{disagree}\n",
            c.property,
            c.rule.as_deref().unwrap_or("-"),
            c.detail.get(lang)
        ));
    }
    out
}

/// GitHub Actions workflow commands: one annotation per failed rule and per lint, so a
/// course repository can run `pseudograde` on students' pull requests.
pub fn github(report: &Report, lang: Lang) -> String {
    // Workflow command values escape `%`, CR and LF; properties also `:` and `,`.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for r in report.rules.iter().filter(|r| !r.passed) {
        let span = r.evidence.first();
        let (line, col) = span.map_or((1, 1), |s| (s.line, s.col));
        out.push_str(&format!(
            "::error file={},line={line},col={col},title={}::{}\n",
            prop(&report.file),
            prop(&format!("{} ({} / {})", r.id, r.points, r.max_points)),
            data(&feedback(r, lang))
        ));
    }
    for l in &report.lints {
        let level = match l.severity {
            crate::lints::Severity::Error => "error",
            crate::lints::Severity::Warning => "warning",
            crate::lints::Severity::Info => "notice",
        };
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            prop(&report.file),
            l.span.line,
            l.span.col,
            prop(l.name),
            data(&format!(
                "{} ({}: {})",
                l.message.get(lang),
                tr!(lang, "help", "ayuda"),
                l.help.get(lang)
            ))
        ));
    }
    out
}

/// How a report addressed to a student is shown (`check --audience student`).
#[derive(Clone, Copy, Debug)]
pub struct StudentView {
    pub hint_level: HintLevel,
    /// False with `--no-points`: practice without scores.
    pub show_points: bool,
}

/// The report a student reads: every rule as passed or not yet, and for each failed one
/// its title and the hint of the chosen tier, never the instructor's feedback (which may
/// spell out the answer). From tier 2 on, the hint stands under the student's own lines
/// that the rule points at. Lints are notes, without their `help` (it often holds the
/// corrected code); at tier 1 nothing says where, so lints come without their lines too.
pub fn student_text(report: &Report, lang: Lang, view: StudentView, color: bool) -> String {
    let source = report.lines.join("\n");
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = format!("{} — {}\n\n", report.file, report.rubric);
    let (passed, not_yet) = match lang {
        Lang::En => ("passed", "not yet"),
        Lang::Es => ("superada", "pendiente"),
    };
    let mark_width = passed.chars().count().max(not_yet.chars().count());
    let title_width = report
        .rules
        .iter()
        .map(|r| r.title.get(lang).chars().count())
        .max()
        .unwrap_or(0);
    for r in &report.rules {
        let mark = if r.passed { passed } else { not_yet };
        let title = r.title.get(lang);
        let line = if view.show_points {
            format!(
                "  {mark:mark_width$}  {title:title_width$}  {:>5} / {}",
                r.points, r.max_points
            )
        } else {
            format!("  {mark:mark_width$}  {title}")
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if view.show_points {
        let (score, max_score) = (report.score, report.max_score);
        out.push_str(&tr!(
            lang,
            "\n  score: {score} / {max_score}\n",
            "\n  puntuación: {score} / {max_score}\n"
        ));
    }
    out.push('\n');
    let hint_heading = || Level::HELP.with_name(tr!(lang, "hint", "pista"));
    let points_at_lines = view.hint_level != HintLevel::Concept;
    for r in report.rules.iter().filter(|r| !r.passed) {
        let title = hint_heading().primary_title(r.title.get(lang).to_string());
        let hint = Level::NOTE
            .no_name()
            .message(r.hints.at(view.hint_level).get(lang).to_string());
        let group = if points_at_lines && !r.evidence.is_empty() {
            let mut snippet = Snippet::source(&source).path(&report.file).fold(true);
            for s in &r.evidence {
                snippet = snippet.annotation(AnnotationKind::Primary.span(byte_range(report, s)));
            }
            title.element(snippet).element(hint)
        } else if points_at_lines {
            title
                .element(Level::NOTE.no_name().message(tr!(
                    lang,
                    "no single line of your answer shows this: look at the part of the loop the hint names",
                    "ninguna línea de tu respuesta lo muestra por sí sola: mira la parte del bucle que nombra la pista"
                )))
                .element(hint)
        } else {
            title.element(hint)
        };
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    let note = || level(Level::NOTE, lang);
    let mut said = std::collections::HashSet::new();
    for l in &report.lints {
        let message = l.message.get(lang).to_string();
        let group = if points_at_lines {
            let snippet = Snippet::source(&source)
                .path(&report.file)
                .fold(true)
                .annotation(AnnotationKind::Primary.span(byte_range(report, &l.span)));
            note().primary_title(message).element(snippet)
        } else if said.insert(message.clone()) {
            annotate_snippets::Group::with_title(note().primary_title(message))
        } else {
            // Without its line, a finding raised at two places reads as a repetition.
            continue;
        };
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    let note = tr!(lang, "note", "nota");
    for m in &report.limits {
        out.push_str(&format!("{note}: {}\n", m.get(lang)));
    }
    out
}

/// The JSON report of the contract, addressed to a student: the same keys, with
/// `feedback` holding the hint of the chosen tier for a failed rule (the rubric's `pass`
/// text for a passed one), lints without `help`, and at tier 1 no location (empty
/// `evidence`, lints' `line` and `column` null). `--no-points` leaves out `score`,
/// `max_score`, `points` and `max_points`.
pub fn student_json(report: &Report, lang: Lang, view: StudentView) -> Value {
    let mut value = json(report, lang);
    let points_at_lines = view.hint_level != HintLevel::Concept;
    if let Some(rules) = value["rules"].as_array_mut() {
        for (rule, result) in rules.iter_mut().zip(&report.rules) {
            let feedback = if result.passed {
                result.feedback.get(lang)
            } else {
                result.hints.at(view.hint_level).get(lang)
            };
            rule["feedback"] = json!(feedback);
            if !points_at_lines {
                rule["evidence"] = json!([]);
            }
            if let (false, Some(rule)) = (view.show_points, rule.as_object_mut()) {
                rule.remove("points");
                rule.remove("max_points");
            }
        }
    }
    if let Some(lints) = value["lints"].as_array_mut() {
        for lint in lints {
            lint["help"] = Value::Null;
            if !points_at_lines {
                lint["line"] = Value::Null;
                lint["column"] = Value::Null;
            }
        }
    }
    if let (false, Some(object)) = (view.show_points, value.as_object_mut()) {
        object.remove("score");
        object.remove("max_score");
    }
    value
}
