//! # discriminator_targets
//!
//! ## What it does
//! Checks that each discriminator is trained on real images of its own domain with the
//! "real" target and on generated images of its own domain with the "fake" target
//! (D_A: A against G_BA(B); D_B: B against G_AB(A)). A Wasserstein critic loss (mean of
//! fake scores minus mean of real scores) counts. Targets are read by their meaning:
//! `1`, ones, `real_label`, `True` are real.
//!
//! ## Why it matters
//! A discriminator that sees the other domain's fakes, or learns with swapped targets,
//! gives the generators a meaningless signal.
//!
//! ## Example
//! ```python
//! loss_D_A = mse(D_A(A), ones) + mse(D_A(fake_B.detach()), zeros)   # fails: fake_B is domain B
//! ```

use super::common::*;
use super::gan;
use crate::msg::Msg;
use std::collections::BTreeMap;

pub fn run(ctx: &Ctx) -> Outcome {
    let terms: Vec<gan::GanTerm> = gan::terms(ctx)
        .into_iter()
        .filter(|t| !t.for_generators)
        .collect();
    let mut wrong = Vec::new();
    let mut per_disc: BTreeMap<usize, (bool, bool)> = BTreeMap::new();
    for t in &terms {
        let own_domain = t.disc_domain.is_some() && t.image_domain == t.disc_domain;
        let right_target = if t.on_fake {
            t.fake_target
        } else {
            t.real_target
        };
        // A discriminator given the other domain's images is wrong where it is called on
        // them, which a loss helper shared by both discriminators does not show.
        if !own_domain {
            wrong.push(ctx.span(t.disc_app));
            continue;
        }
        if !right_target {
            wrong.push(t.span);
            continue;
        }
        let e = per_disc.entry(ctx.root_module(t.disc)).or_default();
        if t.on_fake { e.1 = true } else { e.0 = true }
    }
    if !wrong.is_empty() {
        return Outcome::fail(
            Msg::new(
                "a discriminator is trained on the wrong domain or with swapped targets",
                "un discriminador se entrena con el dominio equivocado o con los objetivos invertidos",
            ),
            wrong,
        );
    }
    let complete = per_disc.values().filter(|(r, f)| *r && *f).count();
    let domains: std::collections::BTreeSet<_> =
        terms.iter().filter_map(|t| t.disc_domain).collect();
    if complete >= 2 || (complete >= 1 && domains.len() == 2 && per_disc.len() == 1) {
        return Outcome::pass(Msg::new(
            "each discriminator learns real against generated images of its own domain",
            "cada discriminador aprende imágenes reales contra generadas de su propio dominio",
        ));
    }
    Outcome::fail(
        Msg::new(
            "a discriminator is missing, or lacks its real or its fake term",
            "falta un discriminador, o le falta su término real o su término falso",
        ),
        terms.iter().map(|t| t.span).collect(),
    )
}
