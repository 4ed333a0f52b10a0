//! `--exec`: runs an answer on toy tensors through libtorch and measures the properties
//! each rubric rule stands for, to confirm or contradict the static verdicts.
//!
//! The report types are always compiled, so every report format can carry an `exec`
//! object; the interpreter, the harness and the properties need the `exec` feature
//! (libtorch through `tch`).

#[cfg(feature = "exec")]
mod accelerate;
#[cfg(feature = "exec")]
mod distributed;
#[cfg(feature = "exec")]
mod harness;
#[cfg(feature = "exec")]
mod interp;
#[cfg(feature = "exec")]
mod jax;
#[cfg(feature = "exec")]
mod keras;
#[cfg(feature = "exec")]
mod lightning;
#[cfg(feature = "exec")]
mod ops;
#[cfg(feature = "exec")]
mod properties;
#[cfg(feature = "exec")]
mod value;

#[cfg(feature = "exec")]
use crate::msg::msg;
use crate::msg::{Lang, Msg};
use serde::Serialize;

/// How the measurements compare with the static verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every property ran and agrees with its rule's static verdict.
    Confirmed,
    /// At least one property disagrees with its rule's static verdict.
    Contradicted,
    /// Some properties could not be measured; those that were agree.
    Partial,
    /// The answer could not be run at all.
    NotRun,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Skipped,
}

/// One measured property, tied to the rubric rule it stands for.
#[derive(Clone, Debug)]
pub struct PropertyCheck {
    pub property: String,
    pub rule: Option<String>,
    pub result: Outcome,
    /// What was measured, in both languages. The interpreter's own reasons for stopping
    /// (and libtorch's errors) inside it are English.
    pub detail: Msg,
    /// Whether the measurement agrees with the rule's static verdict (`None` when skipped).
    pub agrees: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct ExecReport {
    pub status: Status,
    pub checks: Vec<PropertyCheck>,
    pub reason: Msg,
}

impl ExecReport {
    pub fn not_run(reason: Msg) -> ExecReport {
        ExecReport {
            status: Status::NotRun,
            checks: Vec::new(),
            reason,
        }
    }

    /// The report's `exec` object of `shared/spec/cli.md`, its texts in `lang`.
    pub fn json(&self, lang: Lang) -> serde_json::Value {
        let checks: Vec<serde_json::Value> = self
            .checks
            .iter()
            .map(|c| {
                serde_json::json!({
                    "property": c.property,
                    "rule": c.rule,
                    "result": c.result,
                    "detail": c.detail.get(lang),
                })
            })
            .collect();
        serde_json::json!({
            "status": self.status,
            "checks": checks,
            "reason": self.reason.get(lang),
        })
    }

    /// Adds to the reason something the run met that the checks do not show.
    #[cfg(feature = "exec")]
    fn add_note(&mut self, note: Msg) {
        self.reason = if self.reason.en.is_empty() {
            note
        } else {
            let (en, es, note_en, note_es) = (&self.reason.en, &self.reason.es, &note.en, &note.es);
            msg!("{en}; {note_en}", "{es}; {note_es}")
        };
    }

    /// Sums up the checks: contradicted beats partial beats confirmed.
    #[cfg(feature = "exec")]
    fn from_checks(checks: Vec<PropertyCheck>) -> ExecReport {
        let contradicted: Vec<&str> = checks
            .iter()
            .filter(|c| c.agrees == Some(false))
            .map(|c| c.property.as_str())
            .collect();
        let skipped = checks
            .iter()
            .filter(|c| c.result == Outcome::Skipped)
            .count();
        let total = checks.len();
        let (status, reason) = if !contradicted.is_empty() {
            let names = contradicted.join(", ");
            (
                Status::Contradicted,
                msg!(
                    "measured behaviour disagrees with the static verdict: {names}",
                    "lo medido contradice el veredicto estático: {names}"
                ),
            )
        } else if checks.is_empty() || skipped == total {
            (
                Status::NotRun,
                msg!(
                    "no property could be measured",
                    "no se pudo medir ninguna propiedad"
                ),
            )
        } else if skipped > 0 {
            (
                Status::Partial,
                msg!(
                    "{skipped} of {total} properties could not be measured",
                    "{skipped} de {total} propiedades no se pudieron medir"
                ),
            )
        } else {
            (Status::Confirmed, Msg::default())
        };
        ExecReport {
            status,
            checks,
            reason,
        }
    }
}

/// Whether this build can run answers.
pub const AVAILABLE: bool = cfg!(feature = "exec");

/// `run` in builds with the `exec` feature; `None` in others (the command line refuses
/// `--exec` before it gets here).
pub fn run_if_available(
    text: &str,
    rubric: &crate::rubric::Rubric,
    report: &crate::grade::Report,
) -> Option<ExecReport> {
    #[cfg(feature = "exec")]
    return Some(run(text, rubric, report));
    #[cfg(not(feature = "exec"))]
    {
        let _ = (text, rubric, report);
        None
    }
}

/// Runs `text` under the rubric's harness and measures its properties against the
/// static verdicts in `report`.
#[cfg(feature = "exec")]
pub fn run(
    text: &str,
    rubric: &crate::rubric::Rubric,
    report: &crate::grade::Report,
) -> ExecReport {
    // The interpreter recurses on the answer's nesting; a thread of its own with a large
    // stack keeps deeply nested answers from overflowing the caller's.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("pseudograde-exec".into())
            .stack_size(256 << 20)
            .spawn_scoped(scope, || properties::measure(text, rubric, report))
            .map_err(|e| {
                let e = e.to_string();
                msg!(
                    "the executor could not start: {e}",
                    "el ejecutor no pudo arrancar: {e}"
                )
            })
            .and_then(|h| {
                h.join().map_err(|_| {
                    msg!(
                        "the executor stopped unexpectedly",
                        "el ejecutor se detuvo inesperadamente"
                    )
                })
            })
            .unwrap_or_else(ExecReport::not_run)
    })
}
