//! # distinct_views
//!
//! ## What it does
//! Checks that the loss compares at least two *different* views of the same batch: two
//! augmentation calls (`x1, x2 = aug(x), aug(x)`, or on separate lines), or a loader that
//! yields the pair (`for x1, x2 in loader`).
//!
//! ## Why it matters
//! Siamese self-supervision learns invariance between two views. With one view, or the
//! same view fed twice (`x2 = x1`), the task is trivial and the representation collapses.
//!
//! ## Example
//! ```python
//! x1 = aug(x)
//! x2 = x1          # fails: the second view is the first one
//! ```
//! Use instead: `x1, x2 = aug(x), aug(x)`.

use super::common::*;
use crate::analysis::facts::ViewKey;
use crate::msg::Msg;
use std::collections::BTreeSet;

pub fn run(ctx: &Ctx) -> Outcome {
    let terms = ctx.loss_terms();
    let mut views = BTreeSet::new();
    let mut spans = Vec::new();
    for t in &terms {
        for arg in &t.args {
            let d = ctx.desc(*arg);
            if let Some(v) = d.view.clone() {
                let node = match &v {
                    ViewKey::Aug(n) | ViewKey::Part(n, _) | ViewKey::Whole(n) => *n,
                };
                spans.push(ctx.span(node));
                for line in &ctx.a.graph.node(node).bind_lines {
                    spans.push(crate::ir::Span {
                        line: *line,
                        col: 1,
                        end_line: *line,
                        end_col: 1,
                    });
                }
                views.insert(v);
            }
        }
    }
    if views.len() >= 2 {
        return Outcome::pass(Msg::new(
            format!(
                "the loss compares {} different views of the batch",
                views.len()
            ),
            format!(
                "la pérdida compara {} vistas distintas del batch",
                views.len()
            ),
        ));
    }
    let detail = if views.is_empty() {
        Msg::new(
            "no augmented view of the batch reaches the loss",
            "ninguna vista aumentada del batch llega a la pérdida",
        )
    } else {
        Msg::new(
            "only one view of the batch reaches the loss: make two augmentations, `x1, x2 = aug(x), aug(x)`",
            "solo una vista del batch llega a la pérdida: genera dos aumentaciones, `x1, x2 = aug(x), aug(x)`",
        )
    };
    Outcome::fail(detail, spans)
}
