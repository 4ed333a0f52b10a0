//! # separate_gan_updates
//!
//! ## What it does
//! Checks that the generators' loss is back-propagated and the generators' optimizer
//! stepped, the discriminators' loss(es) back-propagated and their optimizer(s) stepped,
//! and that neither step is driven by the other's loss: a joint
//! `(loss_G + loss_D).backward()` followed by both steps fails, and so does a
//! discriminators' step of an optimizer that holds the generators. Each step is paired
//! with the backward calls since the previous step.
//!
//! ## Why it matters
//! GAN training alternates two opposed objectives; mixing them trains each network
//! partly towards the other's goal.
//!
//! ## Example
//! ```python
//! (loss_G + loss_D).backward()
//! opt_G.step(); opt_D.step()     # fails: one joint backward drives both
//! ```

use super::common::*;
use super::gan::{self, OptKind};
use crate::analysis::EventKind;
use crate::analysis::facts::grad_targets;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let events = ctx.a.loop_events();
    let terms = gan::terms(ctx);
    let cycles = gan::cycle_terms(ctx);
    let backs = ctx.backwards();
    // What each backward carries: generator terms (adversarial on fakes with the real
    // target, or cycles) and discriminator terms.
    let carries = |k: usize| {
        let g = terms.iter().any(|t| t.backward == k && t.for_generators)
            || cycles.iter().any(|c| c.backward == k);
        let d = terms.iter().any(|t| t.backward == k && !t.for_generators);
        (g, d)
    };
    // Whether a backward's loss of one side also gives the other side gradient: the
    // discriminators' terms reach the generators through undetached fakes, the
    // generators' terms reach discriminators that are not frozen.
    let leaks = |k: usize| {
        let d_into_g = terms
            .iter()
            .any(|t| t.backward == k && !t.for_generators && t.reaches_generator);
        let g_into_d = terms.iter().any(|t| {
            t.backward == k
                && t.for_generators
                && grad_targets(ctx.a, t.node)
                    .iter()
                    .any(|(m, _)| ctx.is_discriminator(*m))
        });
        (g_into_d, d_into_g)
    };
    let mut g_stepped = false;
    let mut wrong = Vec::new();
    // (event position, backward index) of every backward, in order.
    let backward_at: Vec<(usize, usize)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.kind, EventKind::Backward { .. }))
        .enumerate()
        .map(|(k, (p, _))| (p, k))
        .collect();
    let mut previous_step: Option<usize> = None;
    let mut last_block: Vec<usize> = Vec::new();
    for (p, e) in events.iter().enumerate() {
        // A prose update line (`actualizar G_AB y G_BA con Adam`) steps an optimizer the
        // answer does not name, with the gradients since the previous update.
        let opt = match &e.kind {
            EventKind::Step { opt } => Some(*opt),
            kind @ EventKind::Prose { .. } if super::backward_then_step::is_update(kind) => None,
            _ => continue,
        };
        // The gradients a step applies anew: those of the backward calls since its
        // optimizer was last zeroed or stepped, or, with neither, since the previous step
        // of any optimizer.
        let renewed = opt.and_then(|opt| {
            events[..p].iter().rposition(|z| {
                ctx.zeroes(&z.kind, opt) || matches!(z.kind, EventKind::Step { opt: o } if o == opt)
            })
        });
        let from = renewed.or(previous_step);
        let mut block: Vec<usize> = backward_at
            .iter()
            .filter(|(bp, _)| from.is_none_or(|f| *bp > f) && *bp < p)
            .map(|(_, k)| *k)
            .collect();
        if block.is_empty() && renewed.is_none() {
            block = last_block.clone();
        }
        last_block = block.clone();
        previous_step = Some(p);
        let (g, d) = block.iter().fold((false, false), |(g, d), k| {
            let (g2, d2) = carries(*k);
            (g || g2, d || d2)
        });
        let (g_into_d, d_into_g) = block.iter().fold((false, false), |(a, b), k| {
            let (a2, b2) = leaks(*k);
            (a || a2, b || b2)
        });
        // Both losses back-propagated before the steps (gradient accumulation, or the
        // discriminators' backward before the generators' step) are fine as long as
        // neither gives the other side gradient: each step applies its own.
        let kind = opt.map_or(OptKind::Unknown, |opt| gan::opt_kind(ctx, opt));
        match kind {
            OptKind::Unknown if g && !d => g_stepped = true,
            OptKind::Generators if g && !d_into_g => g_stepped = true,
            OptKind::Generators if d => wrong.push(e.span),
            OptKind::Discriminators if g && (!d || g_into_d) => wrong.push(e.span),
            OptKind::Both if g || d => wrong.push(e.span),
            _ => {}
        }
    }
    if !wrong.is_empty() {
        // A joint backward is the defect; the steps after it only follow from it.
        let joint: Vec<_> = backs
            .iter()
            .enumerate()
            .filter(|(k, _)| carries(*k) == (true, true))
            .map(|(_, (_, _, s))| *s)
            .collect();
        let spans = if joint.is_empty() { wrong } else { joint };
        return Outcome::fail(
            Msg::new(
                "an optimizer step is driven by the other network's loss: back-propagate and step generators and discriminators separately",
                "un paso del optimizador lo impulsa la pérdida de la otra red: retropropaga y actualiza generadores y discriminadores por separado",
            ),
            spans,
        );
    }
    if !g_stepped {
        let spans = backs
            .iter()
            .enumerate()
            .filter(|(k, _)| carries(*k).0)
            .map(|(_, (_, _, s))| *s)
            .collect();
        return Outcome::fail(
            Msg::new(
                "the generators' optimizer is never stepped after their loss",
                "el optimizador de los generadores nunca se actualiza tras su pérdida",
            ),
            spans,
        );
    }
    Outcome::pass(Msg::new(
        "generators and discriminators are updated separately, each by its own loss",
        "generadores y discriminadores se actualizan por separado, cada uno con su pérdida",
    ))
}
