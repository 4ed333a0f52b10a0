//! The registry of lints: findings shown beside the score, worth no points. A rubric
//! lists the lints that apply to its question; each lint is one file whose leading doc
//! comment is what `pseudograde explain <name>` prints.

use crate::checks::common::Ctx;
use crate::ir::Span;
use crate::msg::Msg;

mod cycle_weight_missing;
mod detached_prediction;
mod double_softmax;
mod ema_momentum_low;
mod ema_reversed;
mod hard_teacher_targets;
mod missing_centering;
mod missing_zero_grad;
mod patch_loss_unmasked;
mod step_before_backward;
mod teacher_in_optimizer;
pub mod undefined_name;
pub mod unparsed_line;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub name: &'static str,
    pub severity: Severity,
    pub message: Msg,
    pub help: Msg,
    pub span: Span,
}

pub struct LintKind {
    pub name: &'static str,
    pub severity: Severity,
    pub run: fn(&Ctx) -> Vec<(Msg, Msg, Span)>,
    source: &'static str,
}

impl LintKind {
    pub fn doc(&self) -> String {
        crate::docs::leading_doc(self.source)
    }
}

macro_rules! lint {
    ($name:literal, $module:ident, $sev:expr) => {
        LintKind {
            name: $name,
            severity: $sev,
            run: $module::run,
            source: include_str!(concat!(stringify!($module), ".rs")),
        }
    };
}

pub static LINTS: &[LintKind] = &[
    lint!("missing-zero-grad", missing_zero_grad, Severity::Warning),
    lint!(
        "step-before-backward",
        step_before_backward,
        Severity::Error
    ),
    lint!("ema-reversed", ema_reversed, Severity::Error),
    lint!("ema-momentum-low", ema_momentum_low, Severity::Warning),
    lint!(
        "teacher-in-optimizer",
        teacher_in_optimizer,
        Severity::Warning
    ),
    lint!(
        "hard-teacher-targets",
        hard_teacher_targets,
        Severity::Warning
    ),
    lint!("double-softmax", double_softmax, Severity::Warning),
    lint!("missing-centering", missing_centering, Severity::Warning),
    lint!("detached-prediction", detached_prediction, Severity::Error),
    lint!("patch-loss-unmasked", patch_loss_unmasked, Severity::Info),
    lint!("cycle-weight-missing", cycle_weight_missing, Severity::Info),
];

pub fn find(name: &str) -> Option<&'static LintKind> {
    LINTS.iter().find(|l| l.name == name)
}

/// Every lint name, the two that need the source as well included.
pub fn all_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = LINTS.iter().map(|l| l.name).collect();
    v.push("undefined-name");
    v.push("unparsed-line");
    v
}

/// Documentation of the lints that are not in [`LINTS`] (they read the source too).
pub fn extra_doc(name: &str) -> Option<String> {
    match name {
        "undefined-name" => Some(crate::docs::leading_doc(include_str!("undefined_name.rs"))),
        "unparsed-line" => Some(crate::docs::leading_doc(include_str!("unparsed_line.rs"))),
        _ => None,
    }
}
