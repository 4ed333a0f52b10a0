//! # shared_encoder_predictor
//!
//! ## What it does
//! Checks that each loss term compares a prediction `p = h(f(x_i))` with an encoder
//! output `z = f(x_j)`, with the same encoder `f` on both views. A model that returns
//! `(z, p)`, or a `forward` of the answer that does this, counts.
//!
//! ## Why it matters
//! The predictor breaks the symmetry between the two branches; without it (comparing
//! `z1` with `z2`) SimSiam collapses. A different encoder per view is a different method.
//!
//! ## Example
//! ```python
//! loss = D(z1, z2)   # fails: no predictor
//! ```
//! Use instead: `p1, p2 = h(z1), h(z2)` and `D(p1, z2)`.

use super::common::*;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let terms: Vec<LossTerm> = ctx.comparing_terms();
    if terms.is_empty() {
        return Outcome::fail(
            Msg::new(
                "no loss term compares two tensors",
                "ningún término de la pérdida compara dos tensores",
            ),
            Vec::new(),
        );
    }
    let mut missing_pred = Vec::new();
    let mut encoders = Vec::new();
    let mut by_name = false;
    for t in &terms {
        let Some((online, target)) = ctx.orient_by_predictor(t) else {
            continue;
        };
        let (dp, dz) = (ctx.desc(online), ctx.desc(target));
        if !ctx.is_prediction(&dp) || ctx.is_prediction(&dz) {
            missing_pred.push(ctx.span(t.node));
            continue;
        }
        if !dp.chain.iter().any(|m| ctx.has_role(*m, "predictor")) {
            by_name = true;
        }
        // The encoder of each branch: the chain without the predictor.
        // The encoder of the online branch: its chain without the predictor, which is the
        // module named like one, or else the one module it has on top of the target's chain.
        let named: Vec<_> = dp
            .chain
            .iter()
            .copied()
            .filter(|m| !ctx.has_role(*m, "predictor"))
            .collect();
        let enc_p: Vec<_> = if named.len() < dp.chain.len() || dp.chain.len() != dz.chain.len() + 1
        {
            named
        } else {
            dp.chain[1..].to_vec()
        };
        encoders.push((enc_p, dp.apps.clone()));
        encoders.push((dz.chain.clone(), dz.apps.clone()));
    }
    if !missing_pred.is_empty() {
        return Outcome::fail(
            Msg::new(
                "a loss term compares two encoder outputs: the online branch needs the predictor, `p = h(z)`",
                "un término de la pérdida compara dos salidas del encoder: la rama online necesita el predictor, `p = h(z)`",
            ),
            missing_pred,
        );
    }
    let roots = |chain: &Vec<usize>| {
        chain
            .iter()
            .map(|m| ctx.root_module(*m))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let first = encoders.first().map(|(c, _)| roots(c)).unwrap_or_default();
    let differ: Vec<_> = encoders
        .iter()
        .filter(|(c, _)| roots(c) != first && !c.is_empty())
        .collect();
    if !differ.is_empty() {
        let spans = encoders
            .iter()
            .flat_map(|(_, apps)| apps.last().map(|n| ctx.span(*n)))
            .collect();
        return Outcome::fail(
            Msg::new(
                "the two views go through different encoders: use the same `f` for both",
                "las dos vistas pasan por encoders distintos: usa el mismo `f` para ambas",
            ),
            spans,
        );
    }
    let out = Outcome::pass(Msg::new(
        "both views go through the same encoder and the predictor",
        "ambas vistas pasan por el mismo encoder y el predictor",
    ));
    if by_name {
        out.note(Msg::new(
            "the prediction was recognised by its name (`p`)",
            "la predicción se reconoció por su nombre (`p`)",
        ))
    } else {
        out
    }
}
