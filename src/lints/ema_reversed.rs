//! # ema-reversed (error)
//!
//! ## What it does
//! Reports a moving-average update whose target is the student (the network the optimizer
//! trains) and whose source is the teacher.
//!
//! ## Why it matters
//! The student is pulled back towards the slow teacher every step, and the teacher never
//! moves: nothing is learned.
//!
//! ## Example
//! ```python
//! s.data = m * s.data + (1 - m) * t.data
//! ```

use crate::checks::common::Ctx;
use crate::checks::ema_update::findings;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    findings(ctx)
        .into_iter()
        .filter(|f| f.reversed)
        .map(|f| {
            (
                Msg::new(
                    "the moving average updates the student from the teacher",
                    "la media móvil actualiza al estudiante a partir del profesor",
                ),
                Msg::new(
                    "swap the roles: θ_teacher ← m·θ_teacher + (1 − m)·θ_student",
                    "intercambia los papeles: θ_profesor ← m·θ_profesor + (1 − m)·θ_estudiante",
                ),
                f.span,
            )
        })
        .collect()
}
