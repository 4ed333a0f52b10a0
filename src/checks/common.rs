//! What several checks need: the loss terms of the training loop, which side of a term
//! is the online (student) branch and which the target (teacher), the teacher and
//! student networks, and for GANs the generators, discriminators and domains.

use crate::analysis::facts::*;
use crate::analysis::graph::*;
use crate::analysis::{Analysis, EventKind};
use crate::ir::Span;
use crate::msg::Msg;
use std::collections::BTreeSet;

/// What a check or lint gets to look at.
pub struct Ctx<'a> {
    pub a: &'a Analysis,
    pub roles: &'a Roles,
    pub params: &'a toml::Table,
}

/// A check's verdict, with the spans that justify it and what was assumed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub passed: bool,
    pub evidence: Vec<Span>,
    pub detail: Option<Msg>,
    pub notes: Vec<Msg>,
}

impl Outcome {
    pub fn pass(detail: Msg) -> Outcome {
        Outcome {
            passed: true,
            detail: Some(detail),
            ..Default::default()
        }
    }
    pub fn fail(detail: Msg, evidence: Vec<Span>) -> Outcome {
        Outcome {
            passed: false,
            evidence: dedup_spans(evidence),
            detail: Some(detail),
            ..Default::default()
        }
    }
    pub fn note(mut self, n: Msg) -> Outcome {
        self.notes.push(n);
        self
    }
}

pub fn dedup_spans(mut v: Vec<Span>) -> Vec<Span> {
    v.sort();
    v.dedup_by_key(|s| s.line);
    v
}

/// A loss term of a backpropagated loss, with the backward it belongs to.
#[derive(Clone, Debug)]
pub struct LossTerm {
    pub node: NodeId,
    pub weight: Poly,
    pub args: Vec<NodeId>,
    pub backward: usize,
}

impl<'a> Ctx<'a> {
    pub fn span(&self, n: NodeId) -> Span {
        self.a.graph.node(n).span
    }

    pub fn param_str(&self, key: &str) -> Option<&str> {
        self.params.get(key).and_then(|v| v.as_str())
    }

    /// The backward calls of the training loop, in order: (event index, loss node).
    pub fn backwards(&self) -> Vec<(usize, NodeId, Span)> {
        self.a
            .loop_events()
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.kind {
                EventKind::Backward { loss } => Some((i, loss, e.span)),
                _ => None,
            })
            .collect()
    }

    /// Every term of every backpropagated loss; when the answer never calls `backward`,
    /// the terms of the last value bound to a loss-like name.
    pub fn loss_terms(&self) -> Vec<LossTerm> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut roots: Vec<(NodeId, usize)> = self
            .backwards()
            .iter()
            .enumerate()
            .map(|(k, (_, n, _))| (*n, k))
            .collect();
        if roots.is_empty()
            && let Some(n) = self.fallback_loss()
        {
            roots.push((n, 0));
        }
        for (root, k) in roots {
            for t in terms(self.a, root) {
                if seen.insert((t.node, k)) {
                    let args = term_args(self.a, self.roles, t.node);
                    out.push(LossTerm {
                        node: t.node,
                        weight: t.weight,
                        args,
                        backward: k,
                    });
                }
            }
        }
        out
    }

    /// The loss terms that compare two tensors (`D(p, z)`, `H(t, s)`): what most checks
    /// judge.
    pub fn comparing_terms(&self) -> Vec<LossTerm> {
        self.loss_terms()
            .into_iter()
            .filter(|t| t.args.len() >= 2)
            .collect()
    }

    /// The latest tensor bound to a name like `loss` or `L`, for answers without `backward`.
    pub fn fallback_loss(&self) -> Option<NodeId> {
        let g = &self.a.graph;
        (0..g.nodes.len()).rev().find(|n| {
            g.node(*n).names.iter().any(|s| {
                let f = fold(s);
                f == "l" || f.starts_with("loss") || f.starts_with("perdida") || f == "total"
            })
        })
    }

    pub fn desc(&self, n: NodeId) -> Desc {
        describe(self.a, self.roles, n)
    }

    pub fn has_role(&self, m: ModId, role: &str) -> bool {
        self.roles.module_is(self.a, m, role)
    }

    /// Whether a tensor is (by structure or by name) a prediction `p = h(z)`.
    pub fn is_prediction(&self, d: &Desc) -> bool {
        d.chain.iter().any(|m| self.has_role(*m, "predictor"))
            || d.names
                .iter()
                .any(|n| self.roles.matches("prediction_tensor", n))
    }

    /// Orients a two-argument term into (online, target) by the predictor: the argument
    /// that went through the predictor is the online one; otherwise the first.
    pub fn orient_by_predictor(&self, t: &LossTerm) -> Option<(NodeId, NodeId)> {
        let (a, b) = (*t.args.first()?, *t.args.get(1)?);
        let (da, db) = (self.desc(a), self.desc(b));
        let (pa, pb) = (self.is_prediction(&da), self.is_prediction(&db));
        if pb && !pa {
            Some((b, a))
        } else {
            Some((a, b))
        }
    }

    /// Modules that behave as a teacher: updated as an average, frozen, copied from
    /// another network, only applied without gradient, or named like one.
    pub fn teacher_score(&self, m: ModId) -> i32 {
        self.teacher_evidence(m, true)
    }

    /// Teacher evidence that does not come from parameter updates: what the EMA check
    /// judges an update against (an update cannot vouch for its own target).
    pub fn teacher_score_without_updates(&self, m: ModId) -> i32 {
        self.teacher_evidence(m, false)
    }

    fn teacher_evidence(&self, m: ModId, count_updates: bool) -> i32 {
        let a = self.a;
        let mut s = 0;
        let root = self.root_module(m);
        let owners = if root == m { vec![m] } else { vec![m, root] };
        for mm in owners {
            if self.has_role(mm, "teacher") {
                s += 3;
            }
            if self.has_role(mm, "student") {
                s -= 3;
            }
            if a.modules[mm].frozen {
                s += 2;
            }
            if a.modules[mm].copied_from.is_some() {
                s += 1;
            }
            if a.modules.iter().any(|o| o.copied_from == Some(mm)) {
                s -= 1;
            }
            // The network an optimizer trains (unfrozen), or an `update(f_s)` names, is the
            // student; one only ever run without gradient is the teacher.
            let trained = a.optimizers.iter().any(|o| {
                o.params
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| a.is_within(mm, *p)))
            }) && !a.modules[mm].frozen;
            if trained {
                s -= 2;
            }
            let applications: Vec<&crate::analysis::graph::Node> = a
                .graph
                .nodes
                .iter()
                .filter(|n| matches!(n.op, Op::Apply { module, .. } if module == mm))
                .collect();
            if !applications.is_empty() && applications.iter().all(|n| n.no_grad) {
                s += 1;
            }
            for e in &a.events {
                match &e.kind {
                    EventKind::UpdateCall { modules, .. } if modules.contains(&mm) => s -= 2,
                    EventKind::ParamUpdate { target, .. }
                        if count_updates && (a.is_within(mm, *target) || *target == mm) =>
                    {
                        s += 2
                    }
                    EventKind::Freeze {
                        module,
                        frozen: true,
                    } if *module == mm => s += 1,
                    _ => {}
                }
            }
        }
        s
    }

    /// Whether an event zeroes optimizer `opt`'s gradients: its own `zero_grad`, or one
    /// on a module it trains (on any module, for an optimizer whose parameters the answer
    /// does not show).
    pub fn zeroes(&self, kind: &EventKind, opt: OptId) -> bool {
        match kind {
            EventKind::ZeroGrad { opt: Some(o), .. } => *o == opt,
            EventKind::ZeroGrad {
                module: Some(m), ..
            } => match &self.a.optimizers[opt].params {
                Some(ps) if !ps.is_empty() => ps
                    .iter()
                    .any(|p| self.a.is_within(*m, *p) || self.a.is_within(*p, *m)),
                _ => true,
            },
            _ => false,
        }
    }

    /// The outermost network a module is part of. A dict that holds networks side by
    /// side (`nn.ModuleDict({"student": ..., "teacher": ...})`), or a plain class that
    /// keeps them (`Analysis::holds_networks`), is no network of its own: its entries
    /// are their own roots.
    pub fn root_module(&self, m: ModId) -> ModId {
        let mut cur = m;
        for _ in 0..32 {
            match self.a.modules[cur].parent {
                Some(p) if self.a.holds_networks(p) => break,
                Some(p) => cur = p,
                None => break,
            }
        }
        cur
    }

    fn chain_teacher_score(&self, d: &Desc, app_no_grad: bool) -> i32 {
        d.chain
            .iter()
            .map(|m| self.teacher_score(*m))
            .max()
            .unwrap_or(0)
            + if app_no_grad || d.detached { 1 } else { 0 }
    }

    /// Orients a two-argument term into (student, teacher).
    pub fn orient_by_teacher(&self, t: &LossTerm) -> Option<(NodeId, NodeId)> {
        let (a, b) = (*t.args.first()?, *t.args.get(1)?);
        let (da, db) = (self.desc(a), self.desc(b));
        let ng = |d: &Desc| d.apps.iter().any(|n| self.a.graph.node(*n).no_grad);
        let (sa, sb) = (
            self.chain_teacher_score(&da, ng(&da)),
            self.chain_teacher_score(&db, ng(&db)),
        );
        if sa > sb {
            return Some((b, a));
        }
        if sb > sa {
            return Some((a, b));
        }
        // Equal evidence: `H(student, teacher)` and `loss(teacher, student)` are both
        // common; names decide, then the student-first convention.
        let named = |d: &Desc, role: &str| d.names.iter().any(|n| self.roles.matches(role, n));
        if named(&da, "teacher_tensor") && !named(&db, "teacher_tensor") {
            return Some((b, a));
        }
        Some((a, b))
    }

    pub fn orient(&self, t: &LossTerm, how: &str) -> Option<(NodeId, NodeId)> {
        match how {
            "teacher" => self.orient_by_teacher(t),
            _ => self.orient_by_predictor(t),
        }
    }

    /// The spans of the Step events of optimizers.
    pub fn step_spans(&self) -> Vec<Span> {
        self.a
            .loop_events()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Step { .. } | EventKind::UpdateCall { .. }
                )
            })
            .map(|e| e.span)
            .collect()
    }
}

// ---- GAN structure ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dom {
    A,
    B,
}

impl Dom {
    pub fn other(self) -> Dom {
        if self == Dom::A { Dom::B } else { Dom::A }
    }
    pub fn name(self) -> &'static str {
        if self == Dom::A { "A" } else { "B" }
    }
}

/// The domain a name refers to: `real_A`, `A`, `x_a`, `batch['B']`, `X`/`Y` in the
/// paper's notation.
pub fn domain_of_name(name: &str) -> Option<Dom> {
    let toks = tokens(name);
    let mut found = None;
    for t in toks.iter().rev() {
        match t.as_str() {
            "a" | "x" | "src" | "source" => found = found.or(Some(Dom::A)),
            "b" | "y" | "tgt" | "target" => found = found.or(Some(Dom::B)),
            _ => {}
        }
    }
    found
}

impl<'a> Ctx<'a> {
    pub fn is_generator(&self, m: ModId) -> bool {
        self.has_role(m, "generator")
    }

    pub fn is_discriminator(&self, m: ModId) -> bool {
        self.has_role(m, "discriminator") && !self.is_generator(m)
    }

    /// The domain of a real batch.
    pub fn data_domain(&self, data: NodeId, key: Option<&str>) -> Option<Dom> {
        if let Some(k) = key
            && let Some(d) = domain_of_name(k)
        {
            return Some(d);
        }
        let node = self.a.graph.node(data);
        let mut names: Vec<String> = node.names.clone();
        if let Op::Data { source } = &node.op {
            names.push(source.clone());
        }
        names.iter().find_map(|n| domain_of_name(n))
    }

    /// The domain of an image tensor: a real batch's, flipped by each generator.
    pub fn image_domain(&self, n: NodeId) -> Option<Dom> {
        let g = &self.a.graph;
        let mut cur = n;
        let mut flips = 0;
        for _ in 0..200 {
            let node = g.node(cur);
            match &node.op {
                Op::Apply { module, args, .. } => {
                    if self.is_generator(*module) {
                        flips += 1;
                    }
                    cur = *args.first()?;
                }
                Op::Part { of, key, .. } if matches!(g.op(*of), Op::Data { .. }) => {
                    let k = match key {
                        PartKey::Key(s) => Some(s.clone()),
                        PartKey::Index(i) => Some(if *i == 0 {
                            "a".to_string()
                        } else {
                            "b".to_string()
                        }),
                    };
                    // Names bound to the part win over its position.
                    let by_name = node.names.iter().find_map(|n| domain_of_name(n));
                    let d = by_name.or_else(|| self.data_domain(*of, k.as_deref()))?;
                    return Some(if flips % 2 == 0 { d } else { d.other() });
                }
                Op::Data { .. } => {
                    let d = self.data_domain(cur, None)?;
                    return Some(if flips % 2 == 0 { d } else { d.other() });
                }
                _ => cur = *g.inputs(cur).first()?,
            }
        }
        None
    }

    /// Generators applied on the way to an image, outermost first, and its real source.
    pub fn generator_chain(&self, n: NodeId) -> (Vec<(ModId, NodeId)>, Option<NodeId>) {
        let g = &self.a.graph;
        let mut cur = n;
        let mut gens = Vec::new();
        for _ in 0..200 {
            match g.op(cur) {
                Op::Apply { module, args, .. } => {
                    if self.is_generator(*module) {
                        gens.push((*module, cur));
                    } else if !self.roles.module_is(self.a, *module, "augmentation") {
                        return (gens, None);
                    }
                    match args.first() {
                        Some(x) => cur = *x,
                        None => return (gens, None),
                    }
                }
                Op::Data { .. } => return (gens, Some(cur)),
                Op::Part { of, .. } if matches!(g.op(*of), Op::Data { .. }) => {
                    return (gens, Some(cur));
                }
                _ => match g.inputs(cur).first() {
                    Some(x) => cur = *x,
                    None => return (gens, None),
                },
            }
        }
        (gens, None)
    }

    /// The discriminator application at the top of a term argument, if any: `D_B(x)`.
    pub fn disc_app(&self, n: NodeId) -> Option<(ModId, NodeId, NodeId)> {
        self.disc_app_reversed(n).map(|(judged, _)| judged)
    }

    /// `disc_app`, and whether the score enters the term subtracted from a number an odd
    /// number of times outside the answer's own functions (`log(1 - D(fake))`), which
    /// reverses the way the term pushes it; negations inside those functions are
    /// `facts::negated_inside`'s.
    pub fn disc_app_reversed(&self, n: NodeId) -> Option<((ModId, NodeId, NodeId), bool)> {
        let g = &self.a.graph;
        let (mut cur, mut reversed, mut in_frame) = (n, false, false);
        for _ in 0..50 {
            match g.op(cur) {
                Op::Apply { module, args, .. } if self.is_discriminator(*module) => {
                    return Some(((*module, cur, *args.first()?), reversed));
                }
                Op::Apply { .. } => return None,
                Op::Builtin { args, .. } => cur = *args.first()?,
                Op::Part { of, .. } | Op::Select { of, .. } => cur = *of,
                Op::Frame { result, .. } => {
                    in_frame = true;
                    cur = *result;
                }
                Op::Neg(x) => cur = *x,
                // `D(fake) ** 2`: least squares against the zero target.
                Op::Bin(_, x, y) if g.is_scalar(*y) => cur = *x,
                // `log(1 - D(fake))`: the minimax loss written by hand.
                Op::Bin(op, x, y) if g.is_scalar(*x) => {
                    reversed ^= *op == crate::ir::BinOp::Sub && !in_frame;
                    cur = *y;
                }
                _ => return None,
            }
        }
        None
    }

    /// The domain a discriminator judges: a vote of every image it is applied to (a real
    /// one counts twice, a generated one once), with its name breaking a tie. One slip
    /// (`D_B(real_A)`) does not move it, and the reference code's naming (`netD_A` judging
    /// domain B) is read by what it does.
    pub fn disc_domain(&self, m: ModId) -> Option<Dom> {
        let g = &self.a.graph;
        let (mut a, mut b) = (0.0, 0.0);
        for n in 0..g.nodes.len() {
            if let Op::Apply { module, args, .. } = g.op(n)
                && *module == m
                && let Some(x) = args.first()
                && let Some(d) = self.image_domain(*x)
            {
                // What a discriminator is shown as real defines what it learns; the
                // generated images it scores count half as much, so that a generator's
                // loss that shows it the wrong domain does not rename it.
                let weight = if self.generator_chain(*x).0.is_empty() {
                    2.0
                } else {
                    1.0
                };
                if d == Dom::A {
                    a += weight
                } else {
                    b += weight
                }
            }
        }
        let by_name = self.a.module_names(m).iter().find_map(|n| {
            let t = tokens(n);
            t.iter().rev().find_map(|w| match w.as_str() {
                "a" | "x" => Some(Dom::A),
                "b" | "y" => Some(Dom::B),
                _ => None,
            })
        });
        // The name breaks a tie, and it outweighs one generated image: `D_A` shown a real
        // B but generated A images learns A, wrongly shown B. Less than a real image, so
        // the reference repository's `netD_A`, shown B real and fake, learns B.
        match by_name {
            Some(Dom::A) => a += 1.5,
            Some(Dom::B) => b += 1.5,
            None => {}
        }
        if a > b {
            Some(Dom::A)
        } else if b > a {
            Some(Dom::B)
        } else {
            None
        }
    }
}
