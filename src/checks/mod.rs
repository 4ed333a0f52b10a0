//! The registry of check kinds. A rubric rule names one of these with its parameters;
//! each lives in a file of its own whose leading doc comment is what
//! `pseudograde explain <id>` prints.

pub mod common;
pub mod gan;

mod backward_then_step;
mod cycle_consistency;
mod detached_fakes;
mod discriminator_targets;
pub mod distinct_views;
pub mod ema_update;
mod generator_adversarial;
mod masked_student_views;
mod negative_cosine;
mod separate_gan_updates;
mod shared_encoder_predictor;
mod stop_gradient_on_target;
mod symmetric_terms;
pub mod teacher_no_grad;

pub use backward_then_step::is_update;
use common::{Ctx, Outcome};

pub struct CheckKind {
    pub id: &'static str,
    /// Parameters it accepts, with their allowed values (empty: any string).
    pub params: &'static [(&'static str, &'static [&'static str])],
    pub run: fn(&Ctx) -> Outcome,
    source: &'static str,
}

impl CheckKind {
    pub fn doc(&self) -> String {
        crate::docs::leading_doc(self.source)
    }
}

macro_rules! check {
    ($id:ident, $params:expr) => {
        CheckKind {
            id: stringify!($id),
            params: $params,
            run: $id::run,
            source: include_str!(concat!(stringify!($id), ".rs")),
        }
    };
}

const ORIENT: (&str, &[&str]) = ("orient", &["predictor", "teacher"]);

pub static CHECKS: &[CheckKind] = &[
    check!(distinct_views, &[]),
    check!(shared_encoder_predictor, &[]),
    check!(stop_gradient_on_target, &[ORIENT]),
    check!(
        symmetric_terms,
        &[
            ORIENT,
            ("pairing", &["cross", "same"]),
            ("token", &["any", "cls", "patch"])
        ]
    ),
    check!(negative_cosine, &[]),
    check!(backward_then_step, &[]),
    check!(masked_student_views, &[]),
    check!(teacher_no_grad, &[]),
    check!(ema_update, &[]),
    check!(generator_adversarial, &[]),
    check!(cycle_consistency, &[]),
    check!(discriminator_targets, &[]),
    check!(detached_fakes, &[]),
    check!(separate_gan_updates, &[]),
];

pub fn find(id: &str) -> Option<&'static CheckKind> {
    CHECKS.iter().find(|c| c.id == id)
}
