//! # masked_student_views
//!
//! ## What it does
//! Checks that in every loss term the student receives a masked view (`û = mask(u)`, or
//! `student(x, mask=m)`) and the teacher the unmasked view. Which network is the student
//! and which the teacher is inferred from structure first (EMA target, frozen, copied,
//! run under `no_grad`), then from names.
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
    let mut wrong = Vec::new();
    let mut student_unmasked = false;
    let mut teacher_masked = false;
    for t in &terms {
        let Some((s, te)) = ctx.orient_by_teacher(t) else {
            continue;
        };
        let (ds, dt) = (ctx.desc(s), ctx.desc(te));
        if !ds.masked {
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
