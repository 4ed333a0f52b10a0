//! # step-before-backward (error)
//!
//! ## What it does
//! Reports an optimizer step that comes before the `backward` that should feed it: a step
//! with no `backward` since the previous step, followed by a `backward` in the same
//! iteration.
//!
//! ## Why it matters
//! The step applies stale gradients (or none), and the fresh ones are thrown away.
//!
//! ## Example
//! ```python
//! optimizer.step()
//! loss.backward()
//! ```

use crate::analysis::EventKind;
use crate::checks::common::Ctx;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let events = ctx.a.loop_events();
    let mut out = Vec::new();
    let mut backward_since_step = false;
    for (i, e) in events.iter().enumerate() {
        match e.kind {
            EventKind::Backward { .. } => backward_since_step = true,
            EventKind::Step { .. } => {
                let later = events[i + 1..]
                    .iter()
                    .any(|x| matches!(x.kind, EventKind::Backward { .. }));
                if !backward_since_step && later {
                    out.push((
                        Msg::new(
                            "`step()` is called before `backward()`",
                            "`step()` se llama antes de `backward()`",
                        ),
                        Msg::new(
                            "move `step()` after `loss.backward()`",
                            "mueve `step()` después de `loss.backward()`",
                        ),
                        e.span,
                    ));
                }
                backward_since_step = false;
            }
            _ => {}
        }
    }
    out
}
