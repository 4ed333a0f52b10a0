//! Report formats: the JSON object of the command-line contract, Gradescope's
//! `results.json`, a text report with rustc-style snippets, and SARIF (in `sarif.rs`).

mod sarif;
pub use sarif::sarif;

use crate::grade::{Report, RuleResult};
use crate::ir::Span;
use crate::msg::Lang;
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
        "exec": Value::Null,
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

pub fn text(report: &Report, lang: Lang, color: bool) -> String {
    let source = report.lines.join("\n");
    let mut out = String::new();
    let es = lang == Lang::Es;
    out.push_str(&format!(
        "{} — {} ({})\n\n",
        report.file,
        report.rubric,
        if es { "rúbrica" } else { "rubric" }
    ));
    let width = report.rules.iter().map(|r| r.id.len()).max().unwrap_or(10);
    for r in &report.rules {
        let mark = if r.passed { "pass" } else { "FAIL" };
        out.push_str(&format!(
            "  {mark}  {:width$}  {:>5} / {:<5}  {}\n",
            r.id,
            r.points,
            r.max_points,
            r.title.get(lang)
        ));
    }
    out.push_str(&format!(
        "\n  {}: {} / {}\n\n",
        if es { "nota" } else { "score" },
        report.score,
        report.max_score
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
        let level = if r.passed { Level::NOTE } else { Level::ERROR };
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
        let level = match l.severity {
            crate::lints::Severity::Error => Level::ERROR,
            crate::lints::Severity::Warning => Level::WARNING,
            crate::lints::Severity::Info => Level::INFO,
        };
        let snippet = Snippet::source(&source)
            .path(&report.file)
            .fold(true)
            .annotation(AnnotationKind::Primary.span(byte_range(report, &l.span)));
        let group = level
            .primary_title(format!("[{}] {}", l.name, l.message.get(lang)))
            .element(snippet)
            .element(Level::HELP.message(l.help.get(lang).to_string()));
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    for m in &report.limits {
        out.push_str(&format!("note: {}\n", m.get(lang)));
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
                "{} (help: {})",
                l.message.get(lang),
                l.help.get(lang)
            ))
        ));
    }
    out
}
