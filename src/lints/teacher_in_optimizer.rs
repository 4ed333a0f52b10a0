//! # teacher-in-optimizer (warning)
//!
//! ## What it does
//! Reports an optimizer built over the teacher's parameters while the teacher is not
//! frozen.
//!
//! ## Why it matters
//! The teacher must follow the student only through the moving average; an optimizer
//! over it trains it by gradient as well.
//!
//! ## Example
//! ```python
//! opt = Adam(list(student.parameters()) + list(teacher.parameters()))
//! ```

use crate::checks::common::Ctx;
use crate::checks::teacher_no_grad::{teacher_networks, teachers_in_optimizer};
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let mut teachers = std::collections::BTreeSet::new();
    for t in ctx.comparing_terms().iter() {
        if let Some((_, te)) = ctx.orient_by_teacher(t) {
            teachers.extend(teacher_networks(ctx, &ctx.desc(te).chain));
        }
    }
    let mut spans: Vec<Span> = teachers_in_optimizer(ctx, &teachers)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    spans.dedup();
    spans
        .into_iter()
        .map(|s| {
            (
                Msg::new(
                    "the optimizer holds the teacher's parameters",
                    "el optimizador contiene los parámetros del profesor",
                ),
                Msg::new(
                    "build the optimizer over the student only, or freeze the teacher",
                    "construye el optimizador solo sobre el estudiante, o congela al profesor",
                ),
                s,
            )
        })
        .collect()
}
