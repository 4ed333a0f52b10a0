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
        // The gradients a step applies: those of the backward calls since its optimizer
        // was last zeroed, or, with no zero_grad, since the previous step of any optimizer.
        let zeroed = opt.and_then(|opt| events[..p].iter().rposition(|z| ctx.zeroes(&z.kind, opt)));
        let from = zeroed.or(previous_step);
        let mut block: Vec<usize> = backward_at
            .iter()
            .filter(|(bp, _)| from.is_none_or(|f| *bp > f) && *bp < p)
            .map(|(_, k)| *k)
            .collect();
        if block.is_empty() && zeroed.is_none() {
            block = last_block.clone();
        }
        last_block = block.clone();
        previous_step = Some(p);
        let (g, d) = block.iter().fold((false, false), |(g, d), k| {
            let (g2, d2) = carries(*k);
            (g || g2, d || d2)
        });
        let kind = opt.map_or(OptKind::Unknown, |opt| gan::opt_kind(ctx, opt));
        match kind {
            OptKind::Generators | OptKind::Unknown if g && !d => g_stepped = true,
            OptKind::Generators if d => wrong.push(e.span),
            OptKind::Discriminators if g => wrong.push(e.span),
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
