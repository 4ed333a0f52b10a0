//! # cycle_consistency
//!
//! ## What it does
//! Checks that the generators' loss compares both reconstructions with their inputs,
//! `G_BA(G_AB(A))` with `A` and `G_AB(G_BA(B))` with `B`. What is compared with what is
//! followed through the generators, so `loss_cycle_B = L1(rec_A, A)` is correct whatever
//! its name. An unweighted cycle term passes and raises `cycle-weight-missing`.
//!
//! ## Why it matters
//! Without both cycles the mapping is under-constrained: any image of the target domain
//! fools the discriminator, whatever the input was.
//!
//! ## Example
//! ```python
//! loss_cycle = l1(G_BA(G_AB(A)), B)   # fails: compared with the wrong domain
//! ```

use super::common::*;
use super::gan;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let cycles = gan::cycle_terms(ctx);
    let wrong: Vec<_> = cycles
        .iter()
        .filter(|c| !c.compares_input)
        .map(|c| c.span)
        .collect();
    if !wrong.is_empty() {
        return Outcome::fail(
            Msg::new(
                "a reconstruction is compared with an image other than its input",
                "una reconstrucción se compara con una imagen distinta de su entrada",
            ),
            wrong,
        );
    }
    let domains: std::collections::BTreeSet<_> = cycles.iter().filter_map(|c| c.domain).collect();
    if domains.len() == 2
        || (cycles.len() >= 2
            && domains.len() < 2
            && cycles.iter().filter(|c| c.compares_input).count() >= 2)
    {
        return Outcome::pass(Msg::new(
            "both cycles are compared with their inputs",
            "ambos ciclos se comparan con sus entradas",
        ));
    }
    Outcome::fail(
        Msg::new(
            "only one cycle is in the loss: add the reconstruction of the other domain",
            "solo hay un ciclo en la pérdida: añade la reconstrucción del otro dominio",
        ),
        gan::generator_loss_spans(ctx),
    )
}
