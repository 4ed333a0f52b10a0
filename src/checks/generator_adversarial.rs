//! # generator_adversarial
//!
//! ## What it does
//! Checks that the generators' loss scores each translated image with the
//! discriminator of its domain against the "real" target, in both directions:
//! `D_B(G_AB(A))` and `D_A(G_BA(B))` compared with ones / `real_label` / `True`, or a
//! non-saturating, least-squares or Wasserstein (`-D(G(x)).mean()`) form of it. Domains
//! are followed through the generators, so variable names do not decide.
//!
//! ## Why it matters
//! The adversarial term is what makes translated images look like the target domain;
//! scored against "fake", the generators learn to look fake.
//!
//! ## Example
//! ```python
//! loss_G = mse(D_B(G_AB(A)), zeros)    # fails: the fake target
//! ```

use super::common::*;
use super::gan::{self, GanTerm};
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let terms = gan::terms(ctx);
    let gen_terms: Vec<&GanTerm> = terms
        .iter()
        .filter(|t| t.on_fake && t.for_generators)
        .collect();
    let mut ok_dirs = std::collections::BTreeSet::new();
    let mut wrong = Vec::new();
    for t in &gen_terms {
        let right_disc = t.disc_domain.is_some() && t.disc_domain == t.image_domain;
        if t.real_target && right_disc {
            if let Some(d) = t.image_domain {
                ok_dirs.insert(d);
            }
        } else {
            wrong.push(t.span);
        }
    }
    if ok_dirs.len() == 2 && wrong.is_empty() {
        return Outcome::pass(Msg::new(
            "both generators are scored against the real target by the right discriminator",
            "ambos generadores se evalúan contra el objetivo real con el discriminador correcto",
        ));
    }
    if !wrong.is_empty() {
        return Outcome::fail(
            Msg::new(
                "a generator's adversarial term uses the wrong target or the wrong discriminator",
                "un término adversarial del generador usa el objetivo o el discriminador equivocado",
            ),
            wrong,
        );
    }
    Outcome::fail(
        Msg::new(
            "the generators' loss lacks the adversarial term of one direction (D_B(G_AB(A)) and D_A(G_BA(B)))",
            "a la pérdida de los generadores le falta el término adversarial de una dirección (D_B(G_AB(A)) y D_A(G_BA(B)))",
        ),
        gan::generator_loss_spans(ctx),
    )
}
