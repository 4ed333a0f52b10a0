//! # step-before-backward (error)
//!
//! ## What it does
//! Reports an optimizer step that comes before the `backward` that should feed it: a step
//! with no `backward` since its optimizer was zeroed (or last stepped), followed by a
//! `backward` in the same iteration. Two steps after one joint `backward` are fine.
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
    for (p, e) in events.iter().enumerate() {
        let EventKind::Step { opt } = e.kind else {
            continue;
        };
        // Since this optimizer was last zeroed (or stepped), was anything back-propagated?
        let since = events[..p].iter().rposition(|z| {
            ctx.zeroes(&z.kind, opt) || matches!(z.kind, EventKind::Step { opt: o } if o == opt)
        });
        let backward_before = events[since.map_or(0, |s| s + 1)..p]
            .iter()
            .any(|x| matches!(x.kind, EventKind::Backward { .. }))
            || (since.is_none()
                && events[..p]
                    .iter()
                    .any(|x| matches!(x.kind, EventKind::Backward { .. })));
        let backward_after = events[p + 1..]
            .iter()
            .any(|x| matches!(x.kind, EventKind::Backward { .. }));
        if !backward_before && backward_after {
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
    }
    out
}
