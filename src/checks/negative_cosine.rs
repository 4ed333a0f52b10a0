//! # negative_cosine
//!
//! ## What it does
//! Checks that the loss function `D` is a negative cosine similarity:
//! `-F.cosine_similarity(p, z)`, a negated `nn.CosineSimilarity`, normalising both and
//! `-(p * z).sum(dim=1).mean()` (or `-torch.diag(p @ z.T).mean()`), the cosine written
//! out as `(p * z).sum(-1) / (p.norm(dim=-1) * z.norm(dim=-1))`, `1 - cos`,
//! `2 - 2 * cos`, or an MSE between normalised vectors. A `D` the answer does not
//! define passes when its name says what it is (`D`, `negative_cosine_similarity`),
//! with a note that the name was trusted.
//!
//! ## Why it matters
//! SimSiam's objective is scale-invariant; an MSE on raw vectors or a positive cosine
//! (minimised, so maximising disagreement) trains something else.
//!
//! ## Example
//! ```python
//! def D(p, z):
//!     return F.mse_loss(p, z.detach())   # fails: not normalised
//! ```
//! Use instead: `return -F.cosine_similarity(p, z.detach(), dim=-1).mean()`.

use super::common::*;
use crate::analysis::facts::*;
use crate::analysis::graph::*;
use crate::ir::BinOp;
use crate::msg::Msg;

/// +1 when `n` grows with the cosine of two vectors, -1 when it shrinks, None when it
/// is not a cosine at all.
fn cosine_sign(ctx: &Ctx, n: NodeId, depth: usize) -> Option<i32> {
    if depth > 60 {
        return None;
    }
    let g = &ctx.a.graph;
    match g.op(n) {
        Op::Builtin { name, args, .. } => match name.as_str() {
            "cosine_similarity" => Some(1),
            // `einsum('nc,nc->n', p, z)`, `(p * z).sum()`-like products of normalised vectors.
            "einsum" | "dot" | "inner" | "bmm" | "matmul" | "vdot"
                if args.len() >= 2 && args.iter().rev().take(2).all(|a| normalized(ctx, *a)) =>
            {
                Some(1)
            }
            // `torch.diag(p @ z.T)`: the diagonal of the similarity matrix pairs each
            // prediction with its own target.
            "mean" | "sum" | "diag" | "diagonal" => cosine_sign(ctx, *args.first()?, depth + 1),
            "mse_loss" if args.len() >= 2 && args.iter().all(|a| normalized(ctx, *a)) => Some(-1),
            _ if unit_distance(ctx, n) => Some(-1),
            _ => None,
        },
        // `torch.cdist(p, z) ** 2` of normalised vectors is 2 − 2·cos.
        Op::Bin(BinOp::Pow, x, y)
            if unit_distance(ctx, *x)
                && scalar_poly(g, *y)
                    .and_then(|p| p.as_const())
                    .is_some_and(|e| e > 0.0) =>
        {
            Some(-1)
        }
        Op::Apply { module, .. } => {
            let names = ctx.a.module_names(*module).join(" ").to_lowercase();
            if names.contains("cos") {
                Some(if names.contains("neg") { -1 } else { 1 })
            } else {
                None
            }
        }
        Op::Neg(x) => cosine_sign(ctx, *x, depth + 1).map(|s| -s),
        Op::Frame { result, .. } => cosine_sign(ctx, *result, depth + 1),
        Op::Bin(BinOp::Mul, x, y) => match (scalar_poly(g, *x), scalar_poly(g, *y)) {
            (Some(p), _) => cosine_sign(ctx, *y, depth + 1).map(|s| s * sign_of(&p)),
            (_, Some(p)) => cosine_sign(ctx, *x, depth + 1).map(|s| s * sign_of(&p)),
            // `(-a) * b` is how Python reads `- a * b`: the signs of the factors multiply.
            _ => {
                let (sx, x) = strip_neg(g, *x);
                let (sy, y) = strip_neg(g, *y);
                (normalized(ctx, x) && normalized(ctx, y)).then_some(sx * sy)
            }
        },
        Op::Bin(BinOp::MatMul, x, y) => (normalized(ctx, *x) && normalized(ctx, *y)).then_some(1),
        Op::Bin(BinOp::Div, x, y) if g.is_scalar(*y) => cosine_sign(ctx, *x, depth + 1),
        // `(p * z).sum(-1) / (p.norm(dim=-1) * z.norm(dim=-1))`: the cosine written out.
        Op::Bin(BinOp::Div, x, y) if is_dot_product(g, *x) && is_norm_product(g, *y) => Some(1),
        Op::Bin(BinOp::Add, x, y) => {
            if g.is_scalar(*x) {
                cosine_sign(ctx, *y, depth + 1)
            } else if g.is_scalar(*y) {
                cosine_sign(ctx, *x, depth + 1)
            } else {
                None
            }
        }
        Op::Bin(BinOp::Sub, x, y) => {
            if g.is_scalar(*x) {
                cosine_sign(ctx, *y, depth + 1).map(|s| -s)
            } else if g.is_scalar(*y) {
                cosine_sign(ctx, *x, depth + 1)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `torch.cdist(p, z)`, `F.pairwise_distance(p, z)`, `(p - z).norm(dim=1)` of two
/// normalised vectors: a distance between points of the unit sphere, which shrinks as
/// their cosine grows (its square is 2 − 2·cos).
fn unit_distance(ctx: &Ctx, n: NodeId) -> bool {
    let g = &ctx.a.graph;
    let Op::Builtin { name, args, .. } = g.op(n) else {
        return false;
    };
    match (name.as_str(), args.as_slice()) {
        ("cdist" | "pairwise_distance" | "dist", [p, z, ..]) => {
            normalized(ctx, *p) && normalized(ctx, *z)
        }
        ("norm", [d, ..]) => {
            matches!(g.op(*d), Op::Bin(BinOp::Sub, p, z) if normalized(ctx, *p) && normalized(ctx, *z))
        }
        _ => false,
    }
}

/// `(p * z).sum(-1)`, `einsum('nc,nc->n', p, z)`, `(p * z).sum(dim=1)`: a dot product.
fn is_dot_product(g: &Graph, n: NodeId) -> bool {
    match g.op(n) {
        Op::Builtin { name, args, .. } => match name.as_str() {
            "sum" => args
                .first()
                .is_some_and(|a| matches!(g.op(*a), Op::Bin(BinOp::Mul, ..))),
            "einsum" | "dot" | "inner" | "vdot" | "bmm" | "matmul" => args.len() >= 2,
            _ => false,
        },
        _ => false,
    }
}

/// `p.norm(dim=-1) * z.norm(dim=-1)`, possibly clamped: the product of two norms.
fn is_norm_product(g: &Graph, n: NodeId) -> bool {
    let is_norm =
        |m: NodeId| matches!(g.op(m), Op::Builtin { name, .. } if name == "norm" || name == "sqrt");
    match g.op(n) {
        Op::Bin(BinOp::Mul, x, y) => is_norm(*x) && is_norm(*y),
        Op::Builtin { name, args, .. }
            if name == "clamp" || name == "clamp_min" || name == "sqrt" =>
        {
            args.first().is_some_and(|a| {
                is_norm_product(g, *a) || matches!(g.op(*a), Op::Bin(BinOp::Mul, ..))
            })
        }
        _ => false,
    }
}

fn strip_neg(g: &Graph, n: NodeId) -> (i32, NodeId) {
    match g.op(n) {
        Op::Neg(x) => {
            let (s, y) = strip_neg(g, *x);
            (-s, y)
        }
        _ => (1, n),
    }
}

fn sign_of(p: &Poly) -> i32 {
    if p.is_negative() { -1 } else { 1 }
}

/// Whether a tensor was divided by its norm (`F.normalize`, `x / x.norm()`).
fn normalized(ctx: &Ctx, n: NodeId) -> bool {
    let g = &ctx.a.graph;
    let mut cur = n;
    for _ in 0..20 {
        match g.op(cur) {
            Op::Builtin { name, args, .. } if name == "normalize" => return !args.is_empty(),
            Op::Bin(BinOp::Div, _, y) => {
                return matches!(g.op(*y), Op::Builtin { name, .. } if name == "norm" || name == "sqrt" || name == "clamp" || name == "clamp_min")
                    || matches!(g.op(*y), Op::Apply { module, .. } if ctx.a.module_name(*module).to_lowercase().contains("norm"));
            }
            Op::Apply { module, args, .. }
                if ctx
                    .a
                    .module_name(*module)
                    .to_lowercase()
                    .contains("normali") =>
            {
                return !args.is_empty();
            }
            Op::Detach(x) | Op::Frame { result: x, .. } => cur = *x,
            _ => return false,
        }
    }
    false
}

pub fn run(ctx: &Ctx) -> Outcome {
    let terms: Vec<LossTerm> = ctx.comparing_terms();
    let Some(t) = terms.first() else {
        return Outcome::fail(
            Msg::new(
                "no loss term to judge",
                "no hay términos de pérdida que juzgar",
            ),
            Vec::new(),
        );
    };
    let g = &ctx.a.graph;
    let weight_sign = sign_of(&t.weight);
    let (sign, evidence) = match g.op(t.node) {
        Op::Frame { result, .. } => (cosine_sign(ctx, *result, 0), ctx.span(*result)),
        Op::Apply { module, .. }
            if ctx.has_role(*module, "loss") && cosine_sign(ctx, t.node, 0).is_none() =>
        {
            let name = ctx.a.module_name(*module);
            return Outcome::pass(Msg::new(
                format!("`{name}` is taken as the negative cosine similarity"),
                format!("`{name}` se toma como la similitud coseno negativa"),
            ))
            .note(Msg::new(
                format!("`{name}` is not defined in the answer: its name was trusted"),
                format!("`{name}` no está definida en la respuesta: se confió en su nombre"),
            ));
        }
        _ => (cosine_sign(ctx, t.node, 0), ctx.span(t.node)),
    };
    match sign.map(|s| s * weight_sign) {
        Some(s) if s < 0 => Outcome::pass(Msg::new(
            "the loss is a negative cosine similarity",
            "la pérdida es una similitud coseno negativa",
        )),
        Some(_) => Outcome::fail(
            Msg::new(
                "the cosine similarity is minimised with a positive sign: negate it",
                "la similitud coseno se minimiza con signo positivo: niégala",
            ),
            vec![evidence],
        ),
        None => Outcome::fail(
            Msg::new(
                "the loss is not a cosine similarity of normalised vectors",
                "la pérdida no es una similitud coseno entre vectores normalizados",
            ),
            vec![evidence],
        ),
    }
}
