//! # missing-centering (warning)
//!
//! ## What it does
//! Where the answer defines the function that turns the teacher's output into a target
//! (`H` or the loss), reports a teacher target computed without subtracting a center
//! (`softmax((t - c) / τ)`). An `H` the answer does not define raises nothing.
//!
//! ## Why it matters
//! DINO and iBOT avoid collapse by centering and sharpening the teacher; without the
//! center one dimension dominates.
//!
//! ## Example
//! ```python
//! def H(s, t):
//!     t = softmax(t / τt)      # no `- c`
//! ```

use crate::analysis::graph::{NodeId, Op};
use crate::checks::common::Ctx;
use crate::ir::{BinOp, Span};
use crate::msg::Msg;

/// Whether a subtraction with the teacher's value on its left lies between `from` and `target`.
fn centered_path(ctx: &Ctx, from: NodeId, target: NodeId, depth: usize) -> Option<bool> {
    if from == target {
        return Some(false);
    }
    if depth > 40 {
        return None;
    }
    let g = &ctx.a.graph;
    if let Op::Bin(BinOp::Sub, x, _) = g.op(from)
        && centered_path(ctx, *x, target, depth + 1).is_some()
    {
        return Some(true);
    }
    let mut found = None;
    for i in g.inputs(from) {
        match centered_path(ctx, i, target, depth + 1) {
            Some(true) => return Some(true),
            Some(false) => found = Some(false),
            None => {}
        }
    }
    found
}

/// Whether the answer's own code turns a network's output into a distribution or a
/// label (`softmax`, `argmax`, a library cross entropy) on the way to `n`: a wrapper
/// around an undefined `H` does not.
fn computes_distribution(ctx: &Ctx, n: NodeId, depth: usize) -> bool {
    if depth > 40 {
        return false;
    }
    let g = &ctx.a.graph;
    match g.op(n) {
        Op::Builtin { name, .. }
            if matches!(
                name.as_str(),
                "softmax"
                    | "log_softmax"
                    | "argmax"
                    | "cross_entropy"
                    | "cross_entropy_of_probs"
                    | "kl_div"
            ) =>
        {
            true
        }
        Op::Apply { .. } => false,
        _ => g
            .inputs(n)
            .iter()
            .any(|i| computes_distribution(ctx, *i, depth + 1)),
    }
}

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let g = &ctx.a.graph;
    let mut out = Vec::new();
    for t in ctx.comparing_terms().iter() {
        // The answer defines the target's computation: `H` is its own function, or a
        // library loss is applied inside one of its functions. An undefined `H` is not.
        let defined_here = match g.op(t.node) {
            Op::Frame { result, .. } => computes_distribution(ctx, *result, 0),
            Op::Builtin { .. } => g.node(t.node).in_function,
            _ => false,
        };
        if !defined_here {
            continue;
        }
        let Some((_, teacher)) = ctx.orient_by_teacher(t) else {
            continue;
        };
        let d = ctx.desc(teacher);
        if !d.chain.iter().any(|m| ctx.teacher_score(*m) > 0) {
            continue;
        }
        // The centering may sit anywhere between the teacher network and the loss.
        let Some(teacher_output) = d.apps.first().copied() else {
            continue;
        };
        let root = match g.op(t.node) {
            Op::Frame { result, .. } => *result,
            _ => t.node,
        };
        if centered_path(ctx, root, teacher_output, 0) == Some(false) {
            out.push((
                Msg::new("the teacher's target is not centered", "el objetivo del profesor no está centrado"),
                Msg::new("subtract a running center before the teacher's softmax: `softmax((t - c) / τt)`", "resta un centro móvil antes del softmax del profesor: `softmax((t - c) / τt)`"),
                g.node(t.node).span,
            ));
            break;
        }
    }
    out
}
