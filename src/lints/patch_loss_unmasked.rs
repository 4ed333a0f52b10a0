//! # patch-loss-unmasked (info)
//!
//! ## What it does
//! Reports a patch-token loss that is not restricted to the masked tokens (by indexing
//! with the mask, or by passing the mask to the loss).
//!
//! ## Why it matters
//! iBOT's masked image modelling predicts the tokens the student could not see; the
//! visible ones are a much easier, less useful target.
//!
//! ## Example
//! ```python
//! H(s_patch, t_patch)     # over all tokens
//! ```
//! Use instead: `H(s_patch[mask], t_patch[mask])`.

use crate::analysis::facts::{Token, mentions_mask};
use crate::checks::common::Ctx;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let mut out = Vec::new();
    for t in ctx.loss_terms().iter().filter(|t| t.args.len() >= 2) {
        let descs: Vec<_> = t.args.iter().take(2).map(|a| ctx.desc(*a)).collect();
        if !descs.iter().any(|d| d.token == Some(Token::Patch)) {
            continue;
        }
        let selected_loss = matches!(ctx.a.graph.op(t.node), crate::analysis::graph::Op::Select { kind, .. } if matches!(kind, crate::analysis::graph::SelectKind::Masked) || matches!(kind, crate::analysis::graph::SelectKind::ByTensor(i) if crate::analysis::facts::is_mask_like(ctx.a, ctx.roles, *i)));
        let masked_product = matches!(ctx.a.graph.op(t.node), crate::analysis::graph::Op::Bin(crate::ir::BinOp::Mul, x, y) if crate::analysis::facts::is_mask_like(ctx.a, ctx.roles, *x) || crate::analysis::facts::is_mask_like(ctx.a, ctx.roles, *y));
        let restricted = selected_loss
            || masked_product
            || descs.iter().any(|d| d.masked_select)
            || t.args
                .iter()
                .skip(2)
                .any(|a| mentions_mask(&ctx.a.graph, &ctx.a.modules, *a));
        if !restricted {
            out.push((
                Msg::new(
                    "the patch loss covers every token, not only the masked ones",
                    "la pérdida de parches cubre todos los tokens, no solo los enmascarados",
                ),
                Msg::new(
                    "index both sides with the mask: `H(s_patch[m], t_patch[m])`",
                    "indexa ambos lados con la máscara: `H(s_patch[m], t_patch[m])`",
                ),
                ctx.span(t.node),
            ));
            break;
        }
    }
    out
}
