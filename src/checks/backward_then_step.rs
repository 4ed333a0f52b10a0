//! # backward_then_step
//!
//! ## What it does
//! Checks that each iteration back-propagates the loss (`loss.backward()`, also through
//! `scaler.scale(loss).backward()`) and *then* updates the weights: `optimizer.step()`,
//! `scaler.step(optimizer)`, `optimizer.step(closure)`, an update helper
//! (`update(f, h)`), a step written by hand on the gradients of `torch.autograd.grad`
//! (`w -= lr * g`), or a prose line such as `update encoder and projection`. A missing
//! `zero_grad` is not judged here (it is the lint `missing-zero-grad`).
//!
//! ## Why it matters
//! Without `backward` there are no gradients; a step before it applies the previous
//! iteration's gradients, or none at all.
//!
//! ## Example
//! ```python
//! optimizer.step()
//! loss.backward()    # fails: the step comes first
//! ```

use super::common::*;
use crate::analysis::EventKind;
use crate::msg::Msg;

pub fn is_update(kind: &EventKind) -> bool {
    match kind {
        EventKind::Step { .. } | EventKind::UpdateCall { .. } => true,
        EventKind::Prose { text } => crate::analysis::facts::says_update(text),
        _ => false,
    }
}

pub fn run(ctx: &Ctx) -> Outcome {
    let events = ctx.a.loop_events();
    let first_backward = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Backward { .. }));
    let updates: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| is_update(&e.kind))
        .map(|(i, _)| i)
        .collect();
    match first_backward {
        None => {
            let spans = match updates.first() {
                Some(i) => vec![events[*i].span],
                None => ctx
                    .fallback_loss()
                    .map(|n| vec![ctx.span(n)])
                    .unwrap_or_default(),
            };
            Outcome::fail(
                Msg::new(
                    "the loss is never back-propagated: call `loss.backward()`",
                    "la pérdida nunca se retropropaga: llama a `loss.backward()`",
                ),
                spans,
            )
        }
        Some(b) => {
            if updates.iter().any(|u| *u > b) {
                let prose = updates
                    .iter()
                    .any(|u| matches!(events[*u].kind, EventKind::Prose { .. }));
                let out = Outcome::pass(Msg::new(
                    "`backward` is followed by an update of the weights",
                    "`backward` va seguido de una actualización de los pesos",
                ));
                if prose {
                    return out.note(Msg::new(
                        "the update step is written in prose; it was accepted",
                        "el paso de actualización está escrito en prosa; se aceptó",
                    ));
                }
                return out;
            }
            let spans = updates.iter().map(|u| events[*u].span).collect::<Vec<_>>();
            let spans = if spans.is_empty() {
                vec![events[b].span]
            } else {
                spans
            };
            let m = if updates.is_empty() {
                Msg::new(
                    "the weights are never updated: call `optimizer.step()` after `backward()`",
                    "los pesos nunca se actualizan: llama a `optimizer.step()` después de `backward()`",
                )
            } else {
                Msg::new(
                    "`step()` comes before `backward()`: step after the gradients are computed",
                    "`step()` va antes de `backward()`: actualiza después de calcular los gradientes",
                )
            };
            Outcome::fail(m, spans)
        }
    }
}
