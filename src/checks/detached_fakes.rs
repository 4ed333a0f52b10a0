//! # detached_fakes
//!
//! ## What it does
//! Checks that the generated images that enter the discriminators' losses carry no
//! gradient into the generators: `fake.detach()`, generated under `torch.no_grad()`, or
//! drawn from a pool of detached images (a pool the answer defines is judged by its
//! code; an undefined `pool.query(fake)` is trusted, with a note), for every
//! discriminator.
//!
//! ## Why it matters
//! Without the detach, the discriminators' backward also pushes the generators, in the
//! direction that makes their images easier to spot.
//!
//! ## Example
//! ```python
//! loss_D_B = mse(D_B(fake_B), zeros)    # fails: fake_B still carries gradient
//! ```

use super::common::*;
use super::gan;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let terms: Vec<gan::GanTerm> = gan::terms(ctx)
        .into_iter()
        .filter(|t| t.on_fake && !t.for_generators)
        .collect();
    if terms.is_empty() {
        return Outcome::fail(
            Msg::new(
                "no discriminator loss on generated images",
                "no hay pérdida del discriminador sobre imágenes generadas",
            ),
            Vec::new(),
        );
    }
    let leaking: Vec<_> = terms
        .iter()
        .filter(|t| t.reaches_generator)
        .map(|t| ctx.span(t.disc_app))
        .collect();
    if leaking.is_empty() {
        let out = Outcome::pass(Msg::new(
            "the discriminators see detached generated images",
            "los discriminadores ven imágenes generadas sin gradiente",
        ));
        if !ctx.a.trusted_pools.is_empty() {
            return out.note(Msg::new("the image pool is not defined in the answer: it was trusted to return detached images", "el pool de imágenes no está definido en la respuesta: se confió en que devuelve imágenes sin gradiente"));
        }
        return out;
    }
    Outcome::fail(
        Msg::new(
            "a discriminator loss uses a generated image with its gradient: use `fake.detach()`",
            "una pérdida del discriminador usa una imagen generada con su gradiente: usa `fake.detach()`",
        ),
        leaking,
    )
}
