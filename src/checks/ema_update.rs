//! # ema_update
//!
//! ## What it does
//! Checks that, inside the training loop, the teacher is updated as an exponential moving
//! average of the student, θ_t ← λ·θ_t + (1 − λ)·θ_s with 0 < λ < 1, in any spelling: a
//! loop over zipped parameters with `.data` assignment, `mul_(m).add_((1 - m) * p)`,
//! `lerp_`, math notation with `←`, a method decorated with `@torch.no_grad()`, or a
//! helper the answer does not define (`update_momentum(student, teacher, m)`, trusted
//! with a note; lightly's helper of that name moves its second argument, so called with
//! the teacher first it has the roles reversed). The coefficients are computed, not
//! pattern-matched: whatever the spelling, the update must combine the two networks
//! with weights that add up to one.
//!
//! ## Why it matters
//! The EMA teacher is what gives BYOL, DINO and iBOT stable targets. Copying the student,
//! or updating the student from the teacher, does not.
//!
//! ## Example
//! ```python
//! for s, t in zip(student.parameters(), teacher.parameters()):
//!     s.data = m * s.data + (1 - m) * t.data    # fails: the roles are reversed
//! ```

use super::common::*;
use crate::analysis::EventKind;
use crate::analysis::facts::{ParamKey, Poly, param_combination, scalar_poly};
use crate::ir::Span;
use crate::msg::Msg;

pub struct EmaFinding {
    pub ok: bool,
    pub reversed: bool,
    pub momentum: Option<f64>,
    pub span: Span,
    pub helper: Option<String>,
}

/// Every teacher/student parameter update of the loop, judged.
/// How much a parameter owner behaves as a teacher (see `Ctx::teacher_score`); a role
/// named in math notation (`θ_t`) says it outright.
fn key_score(ctx: &Ctx, k: &ParamKey) -> i32 {
    match k {
        ParamKey::Module(m) => ctx.teacher_score_without_updates(*m),
        ParamKey::Role(r) if r == "teacher" => 10,
        ParamKey::Role(_) => -10,
    }
}

/// One update of `target`'s parameters to `value`, judged as a moving average.
fn judge(ctx: &Ctx, target: ParamKey, value: usize, span: Span) -> Option<EmaFinding> {
    let comb = param_combination(ctx.a, value)?;
    let w_t = comb.get(&target).cloned().unwrap_or_default();
    let others: Vec<(&ParamKey, &Poly)> = comb.iter().filter(|(k, _)| **k != target).collect();
    let t_score = key_score(ctx, &target);
    let target_is_teacher = t_score > 0 || others.iter().any(|(k, _)| key_score(ctx, k) < t_score);
    if others.len() != 1 {
        // A copy (`teacher.load_state_dict(student.state_dict())`) or a partial update.
        return Some(EmaFinding {
            ok: false,
            reversed: false,
            momentum: None,
            span,
            helper: None,
        });
    }
    let (source, w_s) = others[0];
    let sums_to_one = w_t.add(w_s).approx_eq(&Poly::constant(1.0));
    let momentum = w_t.as_const();
    let in_range = momentum.is_none_or(|m| m > 0.0 && m < 1.0) && !w_t.is_zero();
    let source_is_student = key_score(ctx, source) < t_score || !target_is_teacher;
    Some(EmaFinding {
        ok: sums_to_one && in_range && target_is_teacher && source_is_student,
        reversed: sums_to_one && in_range && !target_is_teacher,
        momentum,
        span,
        helper: None,
    })
}

pub fn findings(ctx: &Ctx) -> Vec<EmaFinding> {
    let mut out = Vec::new();
    for e in ctx.a.loop_events() {
        match &e.kind {
            EventKind::ParamUpdate { target, value } => {
                out.extend(judge(ctx, ParamKey::Module(*target), *value, e.span))
            }
            EventKind::RoleParamUpdate { role, value } => {
                out.extend(judge(ctx, ParamKey::Role(role.clone()), *value, e.span))
            }
            EventKind::EmaHelper {
                name,
                modules,
                momentum,
            } => {
                let m = momentum
                    .and_then(|n| scalar_poly(&ctx.a.graph, n))
                    .and_then(|p| p.as_const());
                let any_teacher = modules.iter().any(|x| ctx.teacher_score(*x) > 0);
                // lightly's `update_momentum(model, model_ema, m)` moves its second
                // argument: called with the teacher first, it updates the student.
                let reversed = crate::analysis::facts::moves_second_argument(name)
                    && matches!(modules.as_slice(), [online, ema, ..]
                        if ctx.teacher_score(*online) > ctx.teacher_score(*ema));
                out.push(EmaFinding {
                    ok: (any_teacher || modules.len() >= 2) && !reversed,
                    reversed,
                    momentum: m,
                    span: e.span,
                    helper: Some(name.clone()),
                });
            }
            _ => {}
        }
    }
    out
}

pub fn run(ctx: &Ctx) -> Outcome {
    let found = findings(ctx);
    if let Some(f) = found.iter().find(|f| f.ok) {
        let out = Outcome::pass(Msg::new(
            "the teacher follows an exponential moving average of the student",
            "el profesor sigue una media móvil exponencial del estudiante",
        ));
        return match &f.helper {
            Some(h) => out.note(Msg::new(
                format!("`{h}` is not defined in the answer: its name was trusted"),
                format!("`{h}` no está definida en la respuesta: se confió en su nombre"),
            )),
            None => out,
        };
    }
    let reversed: Vec<Span> = found
        .iter()
        .filter(|f| f.reversed)
        .map(|f| f.span)
        .collect();
    if !reversed.is_empty() {
        return Outcome::fail(
            Msg::new(
                "the moving average updates the student from the teacher: the roles are reversed",
                "la media móvil actualiza al estudiante con el profesor: los papeles están invertidos",
            ),
            reversed,
        );
    }
    if let Some(f) = found.first() {
        return Outcome::fail(
            Msg::new(
                "the teacher is overwritten, not averaged: use θ_t ← λ·θ_t + (1 − λ)·θ_s",
                "el profesor se sobrescribe, no se promedia: usa θ_t ← λ·θ_t + (1 − λ)·θ_s",
            ),
            vec![f.span],
        );
    }
    Outcome::fail(
        Msg::new(
            "the teacher is never updated: add θ_t ← λ·θ_t + (1 − λ)·θ_s after the student's step",
            "el profesor nunca se actualiza: añade θ_t ← λ·θ_t + (1 − λ)·θ_s después del paso del estudiante",
        ),
        ctx.step_spans(),
    )
}
