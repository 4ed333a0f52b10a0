//! # cycle-weight-missing (info)
//!
//! ## What it does
//! Reports a cycle-consistency term added to the generators' loss with the same weight as
//! the adversarial terms (no λ).
//!
//! ## Why it matters
//! CycleGAN weighs the cycle loss with λ = 10; unweighted, the adversarial terms dominate
//! and the translation drifts from its input.
//!
//! ## Example
//! ```python
//! loss_G = adv_A + adv_B + cycle_A + cycle_B
//! ```

use crate::analysis::facts::Poly;
use crate::checks::common::Ctx;
use crate::checks::gan;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let cycles = gan::cycle_terms(ctx);
    let unweighted: Vec<_> = cycles
        .iter()
        .filter(|c| c.weight.approx_eq(&Poly::constant(1.0)))
        .collect();
    match unweighted.first() {
        Some(c) => vec![(
            Msg::new(
                "the cycle-consistency term has no weight λ",
                "el término de consistencia cíclica no tiene peso λ",
            ),
            Msg::new(
                "weigh it as in the paper: `λ_cyc * loss_cycle` with λ_cyc = 10",
                "pondéralo como en el artículo: `λ_cyc * loss_cycle` con λ_cyc = 10",
            ),
            c.span,
        )],
        None => Vec::new(),
    }
}
