//! # masked_student_views
//!
//! ## What it does
//! Checks that in every loss term the student receives a masked view (`û = mask(u)`, or
//! `student(x, mask=m)`) and the teacher the unmasked view. Which network is the student
//! and which the teacher is inferred from structure first (EMA target, frozen, copied,
//! run under `no_grad`), then from names. With multi-crop, a view only the student sees
//! (a local crop, which the teacher never gets whole) needs no mask, once the student
//! sees at least one masked view.
//!
//! ## Why it matters
//! Masked image modelling is iBOT's half of the objective: the student reconstructs, in
//! the teacher's token space, what it cannot see.
//!
//! ## Example
//! ```python
//! s_cls, s_patch = student(u)        # fails: the student sees the whole view
//! ```
//! Use instead: `student(mask(u))` or `student(u, mask=m)`.

use super::common::*;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let terms: Vec<LossTerm> = ctx.comparing_terms();
    if terms.is_empty() {
        return Outcome::fail(
            Msg::new(
                "no loss term compares student and teacher",
                "ningún término compara estudiante y profesor",
            ),
            Vec::new(),
        );
    }
    let pairs: Vec<_> = terms
        .iter()
        .filter_map(|t| ctx.orient_by_teacher(t))
        .map(|(s, te)| (ctx.desc(s), ctx.desc(te)))
        .collect();
    // Multi-crop: a view only the student sees (a local crop) is never masked, and the
    // teacher has no whole view of it to give. Only the views both networks see count,
    // once the student sees one of them masked.
    let teacher_views: Vec<_> = pairs.iter().filter_map(|(_, dt)| dt.view.clone()).collect();
    let any_masked = pairs.iter().any(|(ds, _)| ds.masked);
    let student_only = |ds: &crate::analysis::facts::Desc| {
        any_masked && ds.view.as_ref().is_some_and(|v| !teacher_views.contains(v))
    };
    let mut wrong = Vec::new();
    let mut student_unmasked = false;
    let mut teacher_masked = false;
    for (ds, dt) in &pairs {
        if !ds.masked && !student_only(ds) {
            student_unmasked = true;
            wrong.extend(ds.apps.last().map(|n| ctx.span(*n)));
        }
        if dt.masked {
            teacher_masked = true;
            wrong.extend(dt.apps.last().map(|n| ctx.span(*n)));
        }
    }
    match (student_unmasked, teacher_masked) {
        (false, false) => Outcome::pass(Msg::new(
            "the student sees masked views and the teacher the whole views",
            "el estudiante ve vistas enmascaradas y el profesor las vistas completas",
        )),
        (true, false) => Outcome::fail(
            Msg::new(
                "the student is given unmasked views: mask its input (`mask(u)`)",
                "el estudiante recibe vistas sin máscara: enmascara su entrada (`mask(u)`)",
            ),
            wrong,
        ),
        (false, true) => Outcome::fail(
            Msg::new(
                "the teacher is given masked views: it must see the whole view",
                "el profesor recibe vistas enmascaradas: debe ver la vista completa",
            ),
            wrong,
        ),
        (true, true) => Outcome::fail(
            Msg::new(
                "the masks are on the wrong side: the student must get the masked views, the teacher the whole ones",
                "las máscaras están del lado equivocado: el estudiante debe recibir las vistas enmascaradas y el profesor las completas",
            ),
            wrong,
        ),
    }
}
