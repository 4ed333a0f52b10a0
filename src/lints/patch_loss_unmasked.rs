//! # patch-loss-unmasked (info)
//!
//! ## What it does
//! Reports a patch-token loss that is not restricted to the masked tokens (by indexing
//! with the mask, or by passing the mask to the loss), unless a prose line of the loop
//! says it runs over the masked tokens.
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

/// Whether the loss, between its value and the tensors it compares, is indexed by a
/// mask (`h[m]`) or multiplied by one (`(h * m).sum() / m.sum()`).
fn restricted_by_mask(ctx: &Ctx, n: crate::analysis::graph::NodeId, depth: usize) -> bool {
    use crate::analysis::facts::is_mask_like;
    use crate::analysis::graph::{Op, SelectKind};
    if depth > 12 {
        return false;
    }
    let g = &ctx.a.graph;
    match g.op(n) {
        Op::Select {
            kind: SelectKind::Masked,
            ..
        } => true,
        Op::Select {
            kind: SelectKind::ByTensor(i),
            of,
        } => is_mask_like(ctx.a, ctx.roles, *i) || restricted_by_mask(ctx, *of, depth + 1),
        Op::Bin(crate::ir::BinOp::Mul, x, y)
            if is_mask_like(ctx.a, ctx.roles, *x) || is_mask_like(ctx.a, ctx.roles, *y) =>
        {
            true
        }
        Op::Bin(_, x, y) => {
            restricted_by_mask(ctx, *x, depth + 1)
                || (!g.is_scalar(*y) && restricted_by_mask(ctx, *y, depth + 1))
        }
        Op::Builtin { name, args, .. } if matches!(name.as_str(), "sum" | "mean") => args
            .first()
            .is_some_and(|x| restricted_by_mask(ctx, *x, depth + 1)),
        Op::Neg(x) | Op::Frame { result: x, .. } => restricted_by_mask(ctx, *x, depth + 1),
        _ => false,
    }
}

/// Whether the term is averaged with a mask as its weights, `Σ m·H / Σ m` (math's
/// `Σ_i m_u,i · H_i / Σ_i m_u,i`), which the loss reads as the term itself.
fn mean_weighted_by_mask(ctx: &Ctx, term: crate::analysis::graph::NodeId) -> bool {
    use crate::analysis::facts::{is_mask_like, weighted_by_its_sum};
    use crate::analysis::graph::Op;
    let g = &ctx.a.graph;
    (0..g.nodes.len()).any(|n| match g.op(n) {
        Op::Bin(crate::ir::BinOp::Div, x, y) => {
            weighted_by_its_sum(ctx.a, *x, *y) == Some(term)
                && matches!(g.op(*y), Op::Builtin { args, .. }
                    if args.first().is_some_and(|m| is_mask_like(ctx.a, ctx.roles, *m)))
        }
        _ => false,
    })
}

/// Whether a prose line of the loop says the patch loss runs over the masked tokens
/// (`donde i recorre solo los tokens enmascarados`): a lenient grader takes its word.
fn said_in_words(ctx: &Ctx) -> bool {
    ctx.a.loop_events().iter().any(|e| match &e.kind {
        crate::analysis::EventKind::Prose { text } => {
            let t = crate::analysis::facts::fold(text);
            ["masked", "enmascarad"].iter().any(|w| t.contains(w))
                && ["token", "patch", "parche"].iter().any(|w| t.contains(w))
        }
        _ => false,
    })
}

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let mut out = Vec::new();
    if said_in_words(ctx) {
        return out;
    }
    for t in ctx.comparing_terms().iter() {
        let descs: Vec<_> = t.args.iter().take(2).map(|a| ctx.desc(*a)).collect();
        if !descs.iter().any(|d| d.token == Some(Token::Patch)) {
            continue;
        }
        let restricted = restricted_by_mask(ctx, t.node, 0)
            || mean_weighted_by_mask(ctx, t.node)
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
