//! # hard-teacher-targets (warning)
//!
//! ## What it does
//! Reports a cross entropy against the `argmax` of the teacher's output instead of its
//! softened distribution.
//!
//! ## Why it matters
//! Self-distillation transfers the teacher's whole distribution (sharpened by a low
//! temperature); a hard label throws that information away.
//!
//! ## Example
//! ```python
//! F.cross_entropy(student_cls, teacher_cls.argmax(dim=1))
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
        if name != "cross_entropy" && name != "cross_entropy_of_probs" {
            continue;
        }
        if args
            .iter()
            .skip(1)
            .any(|a| matches!(g.op(*a), Op::Builtin { name, .. } if name == "argmax"))
        {
            out.push((
                Msg::new(
                    "the teacher's output is turned into hard labels with `argmax`",
                    "la salida del profesor se convierte en etiquetas duras con `argmax`",
                ),
                Msg::new(
                    "use the teacher's softmax (with a temperature) as the target distribution",
                    "usa el softmax del profesor (con temperatura) como distribución objetivo",
                ),
                g.node(n).span,
            ));
        }
    }
    out
}
