//! # double-softmax (warning)
//!
//! ## What it does
//! Reports a softmax whose result is passed to `F.cross_entropy` or `log_softmax` (which
//! apply their own), or a softmax of a softmax.
//!
//! ## Why it matters
//! The second softmax flattens the distribution towards uniform and the gradient almost
//! vanishes.
//!
//! ## Example
//! ```python
//! F.cross_entropy(F.softmax(s / τ, dim=-1), t)
//! ```

use crate::analysis::graph::Op;
use crate::checks::common::Ctx;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let g = &ctx.a.graph;
    let mut out = Vec::new();
    for n in 0..g.nodes.len() {
        let Op::Builtin { name, args, .. } = g.op(n) else {
            continue;
        };
        if !matches!(name.as_str(), "cross_entropy" | "log_softmax" | "softmax") {
            continue;
        }
        let Some(first) = args.first() else { continue };
        if matches!(g.op(*first), Op::Builtin { name, .. } if name == "softmax") {
            out.push((
                Msg::new(
                    format!("a softmax is fed to `{name}`, which applies its own"),
                    format!("se pasa un softmax a `{name}`, que ya aplica el suyo"),
                ),
                Msg::new(
                    "pass the logits, or use the log of the softmax with a plain sum",
                    "pasa los logits, o usa el logaritmo del softmax con una suma",
                ),
                g.node(n).span,
            ));
        }
    }
    out
}
