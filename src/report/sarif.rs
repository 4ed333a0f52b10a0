//! SARIF 2.1.0, the format code-scanning services read (GitHub code scanning, editors'
//! SARIF viewers), so a course repository can show a student's failed rules and lints
//! on the lines they concern.
//!
//! All the files of one `check` go into one log with one run: the tool, its rules and
//! the rubric are the same for every file, so one run says it once, and each result
//! names its file. The run lists each file as an artifact whose properties carry its
//! score, because a passing answer has no result that could carry it.

use super::feedback;
use crate::grade::Report;
use crate::ir::Span;
use crate::lints::{self, Severity};
use crate::msg::Lang;
use crate::rubric::Rubric;
use serde_json::{Value, json};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A failed rule costs points, so it is an error in the answer, whatever the lints say.
const FAILED_RULE_LEVEL: &str = "error";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file path as a URI reference: every byte outside the unreserved characters and
/// `/` is percent-encoded, so a name with spaces, accents or a `:` stays a valid
/// relative reference that still reads as the path given.
fn uri_of(path: &str) -> String {
    let mut uri = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// The region of a span. Columns are counted in characters, as the run's `columnKind`
/// says. A span that marks a whole line (an empty range at its start) becomes a region
/// with its line only, which SARIF reads as the whole line.
fn region(span: &Span) -> Value {
    let end_line = span.end_line.max(span.line);
    if end_line == span.line && span.end_col <= span.col {
        json!({"startLine": span.line})
    } else {
        json!({
            "startLine": span.line,
            "startColumn": span.col.max(1),
            "endLine": end_line,
            "endColumn": span.end_col.max(1),
        })
    }
}

fn location(artifact_index: usize, uri: &str, span: Option<&Span>) -> Value {
    let mut physical = json!({"artifactLocation": {"uri": uri, "index": artifact_index}});
    // Line 0 is no line: such a span only says which file, so the region is left out.
    if let Some(s) = span.filter(|s| s.line >= 1) {
        physical["region"] = region(s);
    }
    json!({"physicalLocation": physical})
}

/// A check's or lint's documentation, the text `pseudograde explain` prints. It is
/// Markdown, which code-scanning services render; it exists in English only.
fn help(doc: String) -> Value {
    json!({"text": doc, "markdown": doc})
}

fn lint_doc(name: &str) -> String {
    lints::find(name)
        .map(|l| l.doc())
        .or_else(|| lints::extra_doc(name))
        .unwrap_or_default()
}

/// The SARIF log of the reports of one `check`, all graded against `rubric`.
pub fn sarif(reports: &[Report], rubric: &Rubric, lang: Lang) -> Value {
    // Rubric rules first, in the rubric's order, then each lint that some answer raised,
    // in the order of the rubric's list of lints.
    let raised: Vec<&str> = rubric
        .lints
        .iter()
        .map(String::as_str)
        .filter(|name| {
            reports
                .iter()
                .any(|r| r.lints.iter().any(|l| l.name == *name))
        })
        .collect();
    let mut descriptors: Vec<Value> = rubric
        .rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "shortDescription": {"text": rule.title.get(lang)},
                "help": help(rule.check.doc()),
                "defaultConfiguration": {"level": FAILED_RULE_LEVEL},
                "properties": {"points": rule.points, "check": rule.check.id, "tags": ["rubric"]},
            })
        })
        .collect();
    for name in &raised {
        let severity = lints::find(name).map_or(Severity::Info, |l| l.severity);
        descriptors.push(json!({
            "id": name,
            "help": help(lint_doc(name)),
            "defaultConfiguration": {"level": level(severity)},
            "properties": {"tags": ["lint"]},
        }));
    }
    let rule_index = |id: &str| {
        rubric
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(raised.iter().copied())
            .position(|x| x == id)
    };

    let mut artifacts = Vec::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (index, report) in reports.iter().enumerate() {
        let uri = uri_of(&report.file);
        artifacts.push(json!({
            "location": {"uri": uri},
            "properties": {"rubric": report.rubric, "score": report.score, "max_score": report.max_score},
        }));
        for rule in report.rules.iter().filter(|r| !r.passed) {
            // SARIF asks for one location unless every one must change; the first
            // evidence span is where the failure shows, the others support it.
            let mut spans = Vec::new();
            for s in &rule.evidence {
                if !spans.contains(&s) {
                    spans.push(s);
                }
            }
            let mut result = json!({
                "ruleId": rule.id,
                "level": FAILED_RULE_LEVEL,
                "message": {"text": feedback(rule, lang)},
                "locations": [location(index, &uri, spans.first().copied())],
                "properties": {"points": rule.points, "max_points": rule.max_points},
            });
            if let Some(i) = rule_index(&rule.id) {
                result["ruleIndex"] = json!(i);
            }
            if spans.len() > 1 {
                result["relatedLocations"] = spans[1..]
                    .iter()
                    .enumerate()
                    .map(|(id, s)| {
                        let mut related = location(index, &uri, Some(s));
                        related["id"] = json!(id + 1);
                        related
                    })
                    .collect();
            }
            results.push(result);
        }
        for lint in &report.lints {
            let help = match lang {
                Lang::En => "help",
                Lang::Es => "ayuda",
            };
            let mut result = json!({
                "ruleId": lint.name,
                "level": level(lint.severity),
                "message": {"text": format!("{} ({help}: {})", lint.message.get(lang), lint.help.get(lang))},
                "locations": [location(index, &uri, Some(&lint.span))],
            });
            if let Some(i) = rule_index(lint.name) {
                result["ruleIndex"] = json!(i);
            }
            results.push(result);
        }
        for limit in &report.limits {
            notifications.push(json!({
                "level": "warning",
                "message": {"text": limit.get(lang)},
                "locations": [location(index, &uri, None)],
            }));
        }
    }

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pseudograde",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": descriptors,
            }},
            "language": match lang { Lang::En => "en", Lang::Es => "es" },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "artifacts": artifacts,
            "results": results,
            "properties": {"rubric": rubric.id},
        }],
    })
}
