//! The symbolic value graph that the abstract evaluator builds.
//!
//! Every tensor an answer computes is a node: where it comes from (a batch, a module
//! application, an arithmetic operation), the span that made it, and side facts (computed
//! under `no_grad`, module frozen at that time, names it was bound to). Checks ask
//! questions of this graph rather than of the syntax: "does gradient reach the encoder
//! through this argument?", "which view does this tensor come from?".

use crate::ir::{BinOp, Span};

pub type NodeId = usize;
pub type ModId = usize;
pub type OptId = usize;

#[derive(Clone, Debug, PartialEq)]
pub enum PartKey {
    Index(usize),
    Key(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SelectKind {
    /// `x[mask]`, `x[mask.bool()]`: only the masked tokens.
    Masked,
    /// `x[:, 0]`: the [CLS] token.
    Cls,
    /// `x[:, 1:]`: the patch tokens.
    Patches,
    /// Indexed by a tensor whose meaning the rubric's names may tell (`x[m_u]`).
    ByTensor(NodeId),
    Other,
}

#[derive(Clone, Debug)]
pub enum Op {
    /// A batch drawn from a loader (an undefined name or `DataLoader` iterated).
    Data {
        source: String,
    },
    /// A module (or an undefined callable) applied to tensors.
    Apply {
        module: ModId,
        args: Vec<NodeId>,
        kwargs: Vec<(String, NodeId)>,
    },
    /// A library function or tensor method: `normalize`, `cross_entropy`, `mean`, ...
    Builtin {
        name: String,
        args: Vec<NodeId>,
        kwargs: Vec<(String, NodeId)>,
    },
    Detach(NodeId),
    Bin(BinOp, NodeId, NodeId),
    Neg(NodeId),
    Const(f64),
    /// An undefined scalar (`λ`, `m`, `tau`), or a label name (`real_labels`).
    Symbol(String),
    /// One element of a tuple-valued result (`z, p = model(x)`), or `batch['A']`.
    Part {
        of: NodeId,
        key: PartKey,
        arity: Option<usize>,
    },
    Select {
        of: NodeId,
        kind: SelectKind,
    },
    Stack(Vec<NodeId>),
    /// The result of a function the answer defines, called with `args`.
    Frame {
        func: String,
        args: Vec<NodeId>,
        result: NodeId,
    },
    /// The parameters of a module, as read at this point (for EMA updates).
    Param(ModId),
    /// Parameters named by role in math notation (`θ_t`, `θ_s`).
    RoleParam(String),
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub span: Span,
    /// Created while a `torch.no_grad()` block or decorator was active.
    pub no_grad: bool,
    /// For `Apply`: the module's parameters were frozen when it was applied.
    pub frozen: bool,
    /// Every name this value was bound to, in order.
    pub names: Vec<String>,
    /// The lines of the assignments that bound it to a name.
    pub bind_lines: Vec<u32>,
    /// Created inside a function of the answer (not at the top level).
    pub in_function: bool,
}

#[derive(Default, Debug)]
pub struct Graph {
    pub nodes: Vec<Node>,
}

impl Graph {
    pub fn add(&mut self, op: Op, span: Span, no_grad: bool) -> NodeId {
        self.nodes.push(Node {
            op,
            span,
            no_grad,
            frozen: false,
            names: Vec::new(),
            bind_lines: Vec::new(),
            in_function: false,
        });
        self.nodes.len() - 1
    }

    pub fn bind(&mut self, id: NodeId, name: &str, line: u32) {
        self.name(id, name);
        let lines = &mut self.nodes[id].bind_lines;
        if !lines.contains(&line) {
            lines.push(line);
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    pub fn op(&self, id: NodeId) -> &Op {
        &self.nodes[id].op
    }

    pub fn name(&mut self, id: NodeId, name: &str) {
        let names = &mut self.nodes[id].names;
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }

    /// The tensor inputs of a node, in order.
    pub fn inputs(&self, id: NodeId) -> Vec<NodeId> {
        match &self.nodes[id].op {
            Op::Apply { args, kwargs, .. } | Op::Builtin { args, kwargs, .. } => args
                .iter()
                .copied()
                .chain(kwargs.iter().map(|(_, v)| *v))
                .collect(),
            Op::Detach(a) | Op::Neg(a) => vec![*a],
            Op::Bin(_, a, b) => vec![*a, *b],
            Op::Part { of, .. } | Op::Select { of, .. } => vec![*of],
            Op::Stack(items) => items.clone(),
            Op::Frame { result, .. } => vec![*result],
            _ => Vec::new(),
        }
    }

    /// Whether `n` or any node it is computed from satisfies `pred` (a walk bounded to a
    /// few thousand nodes, so a malformed graph stays cheap).
    pub fn depends_on(&self, n: NodeId, pred: impl Fn(&Op) -> bool) -> bool {
        let mut todo = vec![n];
        let mut seen = std::collections::HashSet::new();
        while let Some(x) = todo.pop() {
            if !seen.insert(x) || seen.len() > 4096 {
                continue;
            }
            if pred(self.op(x)) {
                return true;
            }
            todo.extend(self.inputs(x));
        }
        false
    }

    /// Whether a node is a number that does not depend on data (a constant or a symbol
    /// combined by arithmetic).
    pub fn is_scalar(&self, id: NodeId) -> bool {
        match &self.nodes[id].op {
            Op::Const(_) | Op::Symbol(_) => true,
            Op::Bin(_, a, b) => self.is_scalar(*a) && self.is_scalar(*b),
            Op::Neg(a) => self.is_scalar(*a),
            _ => false,
        }
    }
}
