//! # detached-prediction (error)
//!
//! ## What it does
//! Reports a loss term whose online (prediction) branch is detached: the stop-gradient is
//! on `p` instead of the target `z`.
//!
//! ## Why it matters
//! With `p` detached, no gradient reaches the predictor or the encoder through the
//! online branch; the network learns only through the branch that should be the target.
//!
//! ## Example
//! ```python
//! loss = D(p1.detach(), z2)
//! ```

use crate::analysis::facts::grad_targets;
use crate::checks::common::Ctx;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let mut out = Vec::new();
    for t in ctx.comparing_terms().iter() {
        let Some((online, _)) = ctx.orient_by_predictor(t) else {
            continue;
        };
        let d = ctx.desc(online);
        if !ctx.is_prediction(&d) || d.apps.is_empty() {
            continue;
        }
        let reached = grad_targets(ctx.a, t.node);
        if !d
            .apps
            .iter()
            .any(|app| reached.iter().any(|(_, n)| n == app))
        {
            out.push((
                Msg::new(
                    "the prediction is detached: the stop-gradient belongs on the target",
                    "la predicción no tiene gradiente: el stop-gradient va en el objetivo",
                ),
                Msg::new(
                    "detach `z`, not `p`: `D(p1, z2.detach())`",
                    "usa `detach` en `z`, no en `p`: `D(p1, z2.detach())`",
                ),
                ctx.span(t.node),
            ));
        }
    }
    out
}
