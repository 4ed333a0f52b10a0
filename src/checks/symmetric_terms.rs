//! # symmetric_terms
//!
//! ## What it does
//! Checks that the loss is symmetric under swapping the two views. With
//! `pairing = "cross"` it needs both `L(online(v1), target(v2))` and
//! `L(online(v2), target(v1))` with equal weights and no same-view term; with
//! `pairing = "same"` it needs `L(online(v1), target(v1))` and `L(online(v2),
//! target(v2))`. `token = "cls"` or `"patch"` restricts it to one kind of token
//! (iBOT), and `orient` says which side is the target (`predictor` or `teacher`).
//! Weights are compared as polynomials, so `/2` each, `0.5 * (a + b)`, a plain sum
//! and `torch.stack([...]).mean()` are all equal weights.
//!
//! ## Why it matters
//! A one-directional loss trains each view only as online or only as target; the
//! methods' papers symmetrise it, and the exam asks for it ("debe ser simétrico").
//!
//! ## Example
//! ```python
//! loss = D(p1, z2)              # fails: one direction only
//! loss = 0.7 * D(p1, z2) + 0.3 * D(p2, z1)   # fails: unequal weights
//! ```
//! Use instead: `loss = D(p1, z2) / 2 + D(p2, z1) / 2`.

use super::common::*;
use crate::analysis::facts::{Token, ViewKey};
use crate::analysis::graph::NodeId;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Outcome {
    let how = ctx.param_str("orient").unwrap_or("predictor");
    let pairing = ctx.param_str("pairing").unwrap_or("cross");
    let token = match ctx.param_str("token") {
        Some("cls") => Some(Token::Cls),
        Some("patch") => Some(Token::Patch),
        _ => None,
    };
    let mut pairs: Vec<(ViewKey, ViewKey, LossTerm)> = Vec::new();
    let mut branches: Vec<(ViewKey, ViewKey, LossTerm)> = Vec::new();
    let mut spans = Vec::new();
    for t in ctx.comparing_terms().into_iter() {
        let Some((online, target)) = ctx.orient(&t, how) else {
            continue;
        };
        let (d_on, d_tg) = (ctx.desc(online), ctx.desc(target));
        if let Some(tok) = token {
            let kind = d_on.token.or(d_tg.token).unwrap_or(Token::Cls);
            if kind != tok {
                continue;
            }
        }
        spans.push(ctx.span(t.node));
        if let (Some(b1), Some(b2)) = (d_on.apps.last(), d_tg.apps.last()) {
            branches.push((ViewKey::Aug(*b1), ViewKey::Aug(*b2), t.clone()));
        }
        // `H(s_patch[m], t_patch[m])` of student and teacher over `torch.cat([u, v])`:
        // one term over the batch pairs each view joined with the one at its place,
        // each by its share of the mean.
        if let (Some(on), Some(tg)) = (&d_on.joined, &d_tg.joined)
            && on.len() == tg.len()
            && let Some(joined) = joined_pairs(ctx, on, tg)
        {
            let share = t.weight.scale(1.0 / on.len() as f64);
            for (v1, v2) in joined {
                let mut part = t.clone();
                part.weight = share.clone();
                pairs.push((v1, v2, part));
            }
            continue;
        }
        if let (Some(v1), Some(v2)) = (d_on.view, d_tg.view) {
            pairs.push((v1, v2, t));
        }
    }
    // With a single view (`x2 = x1`, the same view fed twice) the views cannot tell the
    // terms apart, and that defect is `two_views`'s: a siamese loss is then judged on its
    // encoder branches, so `D(p1, z2) + D(p2, z1)` is still symmetric.
    let distinct_views: std::collections::BTreeSet<&ViewKey> =
        pairs.iter().flat_map(|(a, b, _)| [a, b]).collect();
    if how == "predictor" && distinct_views.len() < 2 && !branches.is_empty() {
        pairs = branches;
    }
    let what = match token {
        Some(Token::Cls) => Msg::new("the [CLS] loss", "la pérdida [CLS]"),
        Some(Token::Patch) => Msg::new("the patch loss", "la pérdida de parches"),
        None => Msg::new("the loss", "la pérdida"),
    };
    if pairs.is_empty() {
        return Outcome::fail(
            Msg::new(
                format!("{} has no term comparing two views", what.en),
                format!("{} no tiene términos que comparen vistas", what.es),
            ),
            spans,
        );
    }
    let cross: Vec<_> = pairs.iter().filter(|(a, b, _)| a != b).collect();
    let same: Vec<_> = pairs.iter().filter(|(a, b, _)| a == b).collect();
    let (wanted, unwanted) = if pairing == "same" {
        (&same, &cross)
    } else {
        (&cross, &same)
    };
    if !unwanted.is_empty() {
        let m = if pairing == "same" {
            Msg::new(
                format!(
                    "{} pairs different views: it must compare each view with itself",
                    what.en
                ),
                format!(
                    "{} empareja vistas distintas: debe comparar cada vista consigo misma",
                    what.es
                ),
            )
        } else {
            Msg::new(
                format!(
                    "{} pairs a view with itself: it must cross the views",
                    what.en
                ),
                format!(
                    "{} empareja una vista consigo misma: debe cruzar las vistas",
                    what.es
                ),
            )
        };
        return Outcome::fail(m, spans);
    }
    // Both directions (cross) or both views (same), each with the same total weight.
    let mut keys: Vec<(ViewKey, ViewKey)> = wanted
        .iter()
        .map(|(a, b, _)| (a.clone(), b.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    let directions_ok = if pairing == "same" {
        keys.len() >= 2
    } else {
        keys.iter()
            .any(|(a, b)| keys.contains(&(b.clone(), a.clone())))
    };
    if !directions_ok {
        let m = if pairing == "same" {
            Msg::new(
                format!(
                    "{} covers one view only: add the same term for the other view",
                    what.en
                ),
                format!(
                    "{} cubre una sola vista: añade el mismo término para la otra vista",
                    what.es
                ),
            )
        } else {
            Msg::new(
                format!(
                    "{} goes in one direction only: add the swapped term",
                    what.en
                ),
                format!(
                    "{} va en una sola dirección: añade el término con las vistas intercambiadas",
                    what.es
                ),
            )
        };
        return Outcome::fail(m, spans);
    }
    let weight_of = |k: &(ViewKey, ViewKey)| {
        wanted
            .iter()
            .filter(|(a, b, _)| (a, b) == (&k.0, &k.1))
            .fold(crate::analysis::facts::Poly::default(), |acc, (_, _, t)| {
                acc.add(&t.weight)
            })
    };
    let w0 = weight_of(&keys[0]);
    if keys.iter().any(|k| !weight_of(k).approx_eq(&w0)) {
        let ws: Vec<String> = keys.iter().map(|k| weight_of(k).render()).collect();
        return Outcome::fail(
            Msg::new(
                format!(
                    "{} weights its terms unequally ({})",
                    what.en,
                    ws.join(" vs ")
                ),
                format!(
                    "{} pondera sus términos de forma desigual ({})",
                    what.es,
                    ws.join(" vs ")
                ),
            ),
            spans,
        );
    }
    Outcome::pass(Msg::new(
        format!("{} is symmetric with equal weights", what.en),
        format!("{} es simétrica con pesos iguales", what.es),
    ))
}

/// The views of two batches joined alike, place by place, when every part is a view and
/// the parts of each batch are different views.
fn joined_pairs(
    ctx: &Ctx,
    online: &[NodeId],
    target: &[NodeId],
) -> Option<Vec<(ViewKey, ViewKey)>> {
    let views = |parts: &[NodeId]| -> Option<Vec<ViewKey>> {
        let vs: Vec<ViewKey> = parts
            .iter()
            .map(|p| ctx.desc(*p).view)
            .collect::<Option<_>>()?;
        let distinct: std::collections::BTreeSet<&ViewKey> = vs.iter().collect();
        (distinct.len() == vs.len()).then_some(vs)
    };
    let (on, tg) = (views(online)?, views(target)?);
    Some(on.into_iter().zip(tg).collect())
}
