//! # teacher_no_grad
//!
//! ## What it does
//! Checks that the teacher's outputs carry no gradient into the loss (`torch.no_grad()`,
//! `.detach()`, detached inside `H`, or the teacher frozen with `requires_grad = False`,
//! `requires_grad_(False)`, `deactivate_requires_grad(teacher)`), and that no optimizer
//! trains the teacher's parameters (a teacher kept in the optimizer's list but frozen is
//! not trained by it).
//!
//! ## Why it matters
//! The teacher is a slow average of the student; trained by gradient it becomes a second
//! student and the targets move with the loss.
//!
//! ## Example
//! ```python
//! t_cls, t_patch = teacher(u)     # fails: outside no_grad, teacher not frozen
//! ```

use super::common::*;
use crate::analysis::facts::grad_targets;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let terms: Vec<LossTerm> = ctx.comparing_terms();
    let mut leaking = Vec::new();
    let mut teachers = std::collections::BTreeSet::new();
    for t in &terms {
        let Some((_, te)) = ctx.orient_by_teacher(t) else {
            continue;
        };
        let dt = ctx.desc(te);
        teachers.extend(teacher_networks(ctx, &dt.chain));
        let reached = grad_targets(ctx.a, t.node);
        for app in &dt.apps {
            if reached.iter().any(|(_, n)| n == app) {
                leaking.push(ctx.span(*app));
            }
        }
    }
    let trained = teachers_in_optimizer(ctx, &teachers);
    if leaking.is_empty() && trained.is_empty() {
        return Outcome::pass(Msg::new(
            "the teacher gives targets without gradient and is not trained by the optimizer",
            "el profesor da objetivos sin gradiente y el optimizador no lo entrena",
        ));
    }
    let mut spans = leaking.clone();
    spans.extend(trained.iter().map(|(_, s)| *s));
    let m = if leaking.is_empty() {
        Msg::new(
            "the optimizer trains the teacher: keep it out of the optimizer or freeze it",
            "el optimizador entrena al profesor: sácalo del optimizador o congélalo",
        )
    } else {
        Msg::new(
            "the teacher's outputs carry gradient: compute them under `torch.no_grad()` or detach them",
            "las salidas del profesor llevan gradiente: calcúlalas bajo `torch.no_grad()` o usa `detach()`",
        )
    };
    Outcome::fail(m, spans)
}

/// The networks a teacher's output came through, each with the whole it belongs to:
/// `self.teacher` of a module an optimizer trains whole (`AdamW(model.parameters())`)
/// is trained as much as a teacher handed to it alone.
pub fn teacher_networks(ctx: &Ctx, chain: &[usize]) -> Vec<usize> {
    chain
        .iter()
        .flat_map(|m| [*m, ctx.root_module(*m)])
        .collect()
}

/// Optimizers that update a teacher network that is not frozen.
pub fn teachers_in_optimizer(
    ctx: &Ctx,
    teachers: &std::collections::BTreeSet<usize>,
) -> Vec<(usize, crate::ir::Span)> {
    let mut out = Vec::new();
    for (o, info) in ctx.a.optimizers.iter().enumerate() {
        let Some(params) = &info.params else { continue };
        for t in teachers {
            let covered = params
                .iter()
                .any(|p| ctx.a.is_within(*t, *p) || ctx.a.is_within(*p, *t));
            let frozen =
                ctx.a.modules[*t].frozen || params.iter().all(|p| ctx.a.modules[*p].frozen);
            if covered && !frozen && ctx.teacher_score(*t) > 0 {
                out.push((o, info.span));
            }
        }
    }
    out
}
