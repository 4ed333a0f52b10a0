//! # stop_gradient_on_target
//!
//! ## What it does
//! Checks that in every loss term the *target* branch carries no gradient: the encoder
//! output `z_j` in `D(p_i, z_j)` (or the teacher's output, with `orient = "teacher"`) is
//! detached, computed under `torch.no_grad()`, passed through a helper such as
//! `sg(z)`, detached inside `D`, or returned detached by a `forward` of the answer.
//! Gradient flow is followed through the answer's own functions.
//!
//! ## Why it matters
//! The stop-gradient is what keeps SimSiam from collapsing: without it, both branches
//! chase each other to a constant.
//!
//! ## Example
//! ```python
//! loss = D(p1, z2) / 2 + D(p2, z1.detach()) / 2   # fails: z2 is not stopped
//! ```
//! Use instead: `D(p1, z2.detach()) / 2 + D(p2, z1.detach()) / 2`.

use super::common::*;
use crate::analysis::facts::grad_targets_avoiding;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let how = ctx.param_str("orient").unwrap_or("predictor");
    let terms: Vec<LossTerm> = ctx.comparing_terms();
    if terms.is_empty() {
        return Outcome::fail(
            Msg::new(
                "no loss term to judge",
                "no hay términos de pérdida que juzgar",
            ),
            Vec::new(),
        );
    }
    let mut leaking = Vec::new();
    for t in &terms {
        let Some((online, target)) = ctx.orient(t, how) else {
            continue;
        };
        // Only what reaches the target through the target counts: with one view, the
        // prediction shares the target's encoder application.
        let reached = grad_targets_avoiding(ctx.a, t.node, &[online]);
        let target_apps = ctx.desc(target).apps;
        if target_apps
            .iter()
            .any(|app| reached.iter().any(|(_, n)| n == app))
        {
            leaking.push(ctx.span(t.node));
        }
    }
    if leaking.is_empty() {
        Outcome::pass(Msg::new(
            "every target branch is stopped",
            "todas las ramas objetivo tienen stop-gradient",
        ))
    } else {
        Outcome::fail(
            Msg::new(
                "the target reaches the loss with its gradient: detach it (`z.detach()`) or compute it under `torch.no_grad()`",
                "el objetivo llega a la pérdida con su gradiente: usa `z.detach()` o calcúlalo bajo `torch.no_grad()`",
            ),
            leaking,
        )
    }
}
