//! GAN structure shared by the CycleGAN checks: every loss term classified as a
//! discriminator judgement (which discriminator, which domain, real or generated image,
//! which target) or a cycle reconstruction, and every backward tied to the optimizers it
//! drives.

use super::common::*;
use crate::analysis::EventKind;
use crate::analysis::facts::*;
use crate::analysis::graph::*;
use crate::ir::Span;

#[derive(Clone, Debug)]
pub struct GanTerm {
    pub node: NodeId,
    pub span: Span,
    pub backward: usize,
    pub disc: ModId,
    pub disc_app: NodeId,
    pub disc_domain: Option<Dom>,
    pub image_domain: Option<Dom>,
    /// The discriminator judges a generated image.
    pub on_fake: bool,
    pub real_target: bool,
    pub fake_target: bool,
    /// The backward of this term drives the generators' optimizer.
    pub for_generators: bool,
    /// Gradient from this term reaches a generator.
    pub reaches_generator: bool,
}

#[derive(Clone, Debug)]
pub struct CycleTerm {
    pub span: Span,
    pub weight: Poly,
    pub backward: usize,
    pub domain: Option<Dom>,
    /// The reconstruction is compared with the very batch it was made from.
    pub compares_input: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptKind {
    Generators,
    Discriminators,
    Both,
    Unknown,
}

pub fn opt_kind(ctx: &Ctx, o: OptId) -> OptKind {
    let info = &ctx.a.optimizers[o];
    match &info.params {
        Some(ps) if !ps.is_empty() => {
            let g = ps.iter().any(|p| ctx.is_generator(*p));
            let d = ps.iter().any(|p| ctx.is_discriminator(*p));
            match (g, d) {
                (true, true) => OptKind::Both,
                (true, false) => OptKind::Generators,
                (false, true) => OptKind::Discriminators,
                _ => OptKind::Unknown,
            }
        }
        _ => {
            let bare: String = fold(&info.name)
                .replace("optimizer", "")
                .replace("optim", "")
                .replace("opt", "")
                .replace('_', "");
            if bare.starts_with('g') {
                OptKind::Generators
            } else if bare.starts_with('d') {
                OptKind::Discriminators
            } else {
                OptKind::Unknown
            }
        }
    }
}

/// For each backward of the loop (by index), the kinds of the optimizers stepped after
/// it and before the next backward.
pub fn backward_drives(ctx: &Ctx) -> Vec<Vec<OptKind>> {
    let events = ctx.a.loop_events();
    let mut out: Vec<Vec<OptKind>> = Vec::new();
    for e in &events {
        match &e.kind {
            EventKind::Backward { .. } => out.push(Vec::new()),
            EventKind::Step { opt } => {
                if let Some(last) = out.last_mut() {
                    last.push(opt_kind(ctx, *opt));
                }
            }
            _ => {}
        }
    }
    out
}

pub fn terms(ctx: &Ctx) -> Vec<GanTerm> {
    let loss_terms = ctx.loss_terms();
    let cycles = cycle_terms_from(ctx, &loss_terms);
    let mut out = Vec::new();
    for t in &loss_terms {
        // A hinge term, `relu(1 - D(real))` or `relu(1 + D(fake))`, says its target by
        // its sign; otherwise the target is the argument that reads as a label
        // (`ones_like(pred)` is one, though made from the prediction).
        let hinge = hinge_judgement(ctx, t.node);
        let label_arg = if hinge.is_none() && t.args.len() >= 2 {
            t.args
                .iter()
                .copied()
                .find(|a| label(ctx.a, *a).is_some())
                .or_else(|| t.args.iter().copied().find(|a| ctx.disc_app(*a).is_none()))
        } else {
            None
        };
        let judged = match hinge {
            Some((_, n)) => ctx.disc_app(n),
            None => t
                .args
                .iter()
                .filter(|a| Some(**a) != label_arg)
                .find_map(|a| ctx.disc_app(*a))
                // `generator_loss(D_B, fake_B)` returning `-D(fake).mean()`: a helper
                // that scores its argument itself judges with the score it returns.
                .or_else(|| label_arg.is_none().then(|| ctx.disc_app(t.node)).flatten()),
        };
        let target = label_arg.and_then(|l| label(ctx.a, l));
        // A relativistic term, `bce(D(x) - D(y).mean(), t)`, judges x against the target
        // t and y against the other one: it is two judgements of one loss.
        if judged.is_none()
            && let Some(t_value) = target
            && let Some((x, y)) = t
                .args
                .iter()
                .filter(|a| Some(**a) != label_arg)
                .find_map(|a| relativistic_pair(ctx, *a))
        {
            // Each operand carries its own gradient, through its own application.
            for (judged, real) in [(x, t_value > 0.5), (y, t_value <= 0.5)] {
                out.push(judgement(ctx, t, judged, (real, !real), judged.1));
            }
            continue;
        }
        let Some(judged) = judged else {
            continue;
        };
        let (real_target, fake_target) = match (hinge, target) {
            (Some((real, _)), _) => (real, !real),
            (None, Some(v)) => (v > 0.5, v <= 0.5),
            (None, None) if label_arg.is_none() => {
                // A Wasserstein term: the sign of its weight says which way it pushes,
                // also through a monotone function (`-log(D(real))`), which `1 - D`
                // inside it reverses (`-log(1 - D(fake))`).
                let reversed = ctx
                    .disc_app_reversed(t.node)
                    .is_some_and(|(found, reversed)| found.1 == judged.1 && reversed);
                let neg = t.weight.is_negative()
                    ^ crate::analysis::facts::negated_inside(ctx.a, t.node)
                    ^ reversed;
                (neg, !neg)
            }
            (None, None) => (false, false),
        };
        out.push(judgement(
            ctx,
            t,
            judged,
            (real_target, fake_target),
            t.node,
        ));
    }
    // Whose loss a judgement of a generated image belongs to is read from the term and
    // its backward, not from the optimizer stepped after it (which is what
    // `separate_updates` judges): against the real target it trains the generators;
    // against the fake target it trains the discriminator, unless its backward holds no
    // judgement of a real image but does hold the generators' terms (a generators' loss
    // written with the wrong target).
    let judged_real: Vec<usize> = out
        .iter()
        .filter(|t| !t.on_fake)
        .map(|t| t.backward)
        .collect();
    let generator_signal: Vec<usize> = out
        .iter()
        .filter(|t| t.on_fake && t.real_target && t.reaches_generator)
        .map(|t| t.backward)
        .chain(cycles.iter().map(|c| c.backward))
        .collect();
    for t in &mut out {
        // A judgement that cannot train the generators (its fake is detached) is the
        // discriminator's, whatever its target.
        t.for_generators = t.on_fake
            && t.reaches_generator
            && (t.real_target
                || (!judged_real.contains(&t.backward) && generator_signal.contains(&t.backward)));
    }
    // The two judgements of a relativistic term belong to one loss: the real image's
    // judgement in the generators' relativistic loss is theirs too.
    let generators_terms: Vec<(NodeId, usize)> = out
        .iter()
        .filter(|t| t.for_generators)
        .map(|t| (t.node, t.backward))
        .collect();
    for t in &mut out {
        t.for_generators |= generators_terms.contains(&(t.node, t.backward));
    }
    out
}

/// A discriminator's judgement of an image: the discriminator, its application and the
/// image it is applied to (as `Ctx::disc_app` finds them).
type Judgement = (ModId, NodeId, NodeId);

/// The term of loss term `t` that judges an image against `(real, fake)` targets, whose
/// gradient to the generators is read from `gradient_from`.
fn judgement(
    ctx: &Ctx,
    t: &LossTerm,
    (disc, app, input): Judgement,
    (real_target, fake_target): (bool, bool),
    gradient_from: NodeId,
) -> GanTerm {
    let (gens, _) = ctx.generator_chain(input);
    GanTerm {
        node: t.node,
        span: ctx.span(t.node),
        backward: t.backward,
        disc,
        disc_app: app,
        disc_domain: ctx.disc_domain(disc),
        image_domain: ctx.image_domain(input),
        on_fake: !gens.is_empty(),
        real_target,
        fake_target,
        for_generators: false,
        reaches_generator: grad_targets(ctx.a, gradient_from)
            .iter()
            .any(|(m, _)| ctx.is_generator(*m)),
    }
}

/// `D(x) - D(y).mean()`, the relativistic difference of one discriminator's scores:
/// the judgements of x and of y.
fn relativistic_pair(ctx: &Ctx, n: NodeId) -> Option<(Judgement, Judgement)> {
    let Op::Bin(crate::ir::BinOp::Sub, x, y) = ctx.a.graph.op(n) else {
        return None;
    };
    let (x, y) = (ctx.disc_app(*x)?, ctx.disc_app(*y)?);
    (ctx.root_module(x.0) == ctx.root_module(y.0)).then_some((x, y))
}

/// `relu(1 - D(x))` pushes D(x) up (the real target); `relu(1 + D(x))` pushes it down.
/// So do the logistic loss's `softplus(-D(x))` (the non-saturating generators' loss)
/// and `softplus(D(x))`.
fn hinge_judgement(ctx: &Ctx, t: NodeId) -> Option<(bool, NodeId)> {
    let g = &ctx.a.graph;
    let mut cur = t;
    for _ in 0..6 {
        match g.op(cur) {
            Op::Builtin { name, args, .. } if name == "mean" || name == "sum" => {
                cur = *args.first()?
            }
            Op::Builtin { name, args, .. } if name == "softplus" => {
                let x = *args.first()?;
                return match g.op(x) {
                    Op::Neg(d) => Some((true, *d)),
                    _ => Some((false, x)),
                };
            }
            Op::Builtin { name, args, .. }
                if name == "relu" || name == "clamp" || name == "clamp_min" =>
            {
                return match g.op(*args.first()?) {
                    Op::Bin(crate::ir::BinOp::Sub, c, d) if g.is_scalar(*c) => Some((true, *d)),
                    Op::Bin(crate::ir::BinOp::Add, c, d) if g.is_scalar(*c) => Some((false, *d)),
                    Op::Bin(crate::ir::BinOp::Add, d, c) if g.is_scalar(*c) => Some((false, *d)),
                    _ => None,
                };
            }
            _ => return None,
        }
    }
    None
}

pub fn cycle_terms(ctx: &Ctx) -> Vec<CycleTerm> {
    cycle_terms_from(ctx, &ctx.loss_terms())
}

fn cycle_terms_from(ctx: &Ctx, loss_terms: &[LossTerm]) -> Vec<CycleTerm> {
    let mut out = Vec::new();
    for t in loss_terms {
        if t.args.len() < 2 || t.args.iter().any(|a| ctx.disc_app(*a).is_some()) {
            continue;
        }
        let chains: Vec<_> = t.args.iter().map(|a| ctx.generator_chain(*a)).collect();
        let Some(rec_i) = chains
            .iter()
            .position(|(g, src)| g.len() >= 2 && src.is_some())
        else {
            continue;
        };
        let other = chains
            .iter()
            .enumerate()
            .find(|(i, _)| *i != rec_i)
            .map(|(_, c)| c.clone());
        let Some((other_gens, other_src)) = other else {
            continue;
        };
        let rec_src = chains[rec_i].1;
        let compares_input =
            other_gens.is_empty() && other_src.is_some() && same_batch(ctx, rec_src, other_src);
        out.push(CycleTerm {
            span: ctx.span(t.node),
            weight: t.weight.clone(),
            backward: t.backward,
            domain: rec_src.and_then(|s| ctx.image_domain(s)),
            compares_input,
        });
    }
    out
}

fn same_batch(ctx: &Ctx, a: Option<NodeId>, b: Option<NodeId>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) if x == y => true,
        (Some(x), Some(y)) => {
            let key = |n: NodeId| match ctx.a.graph.op(n) {
                Op::Part { of, key, .. } => Some((*of, key.clone())),
                _ => None,
            };
            key(x).is_some() && key(x) == key(y)
                || ctx.image_domain(x).is_some()
                    && ctx.image_domain(x) == ctx.image_domain(y)
                    && key(x).is_none()
                    && key(y).is_none()
                    && names_overlap(ctx, x, y)
        }
        _ => false,
    }
}

fn names_overlap(ctx: &Ctx, x: NodeId, y: NodeId) -> bool {
    let nx = &ctx.a.graph.node(x).names;
    let ny = &ctx.a.graph.node(y).names;
    nx.iter().any(|n| ny.contains(n))
}

/// The spans of the losses that train the generators (where a missing term belongs).
pub fn generator_loss_spans(ctx: &Ctx) -> Vec<Span> {
    let drives = backward_drives(ctx);
    let backs = ctx.backwards();
    let mut spans: Vec<Span> = backs
        .iter()
        .enumerate()
        .filter(|(k, _)| {
            drives.get(*k).is_some_and(|d| {
                d.iter()
                    .any(|x| matches!(x, OptKind::Generators | OptKind::Both))
            })
        })
        .map(|(_, (_, loss, _))| ctx.span(*loss))
        .collect();
    if spans.is_empty() {
        spans = backs
            .iter()
            .take(1)
            .map(|(_, loss, _)| ctx.span(*loss))
            .collect();
    }
    spans
}

/// The spans of the losses that train the discriminators.
pub fn discriminator_loss_spans(ctx: &Ctx) -> Vec<Span> {
    terms(ctx)
        .iter()
        .filter(|t| !t.for_generators)
        .map(|t| t.span)
        .collect()
}
