//! The small intermediate form that answers are lowered to.
//!
//! It keeps only what the analysis needs from Python: statements, expressions and the
//! span of each in the file *as given* (before normalization). Everything that tree-sitter
//! could not read, and every prose line, is kept as a statement of its own so that the
//! analysis can still see where it stood.

use std::rc::Rc;

/// A region of the original file: 1-based lines and columns (columns count characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    MatMul,
    BitAnd,
    BitOr,
    Other,
}

impl BinOp {
    /// The tensor method an augmented assignment runs in place (`pt *= m` is
    /// `pt.mul_(m)`), for the operators both graders update parameters by.
    pub fn in_place_method(self) -> Option<&'static str> {
        match self {
            BinOp::Add => Some("add_"),
            BinOp::Sub => Some("sub_"),
            BinOp::Mul => Some("mul_"),
            BinOp::Div => Some("div_"),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Name(String),
    Attr(Box<Expr>, String),
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        kwargs: Vec<(String, Expr)>,
    },
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    BoolOp(bool, Box<Expr>, Box<Expr>),
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Subscript(Box<Expr>, Box<Expr>),
    /// `a:b` in an index, with its start and stop where written (the step is ignored).
    Slice(Option<Box<Expr>>, Option<Box<Expr>>),
    Num(f64),
    Str(String),
    Bool(bool),
    NoneLit,
    /// `[elt for target in iter if cond]`, and generator expressions. A comprehension of
    /// several `for` clauses nests the later ones in `elt` as `Star(Comprehension)`, whose
    /// items are spliced into the outer list.
    Comprehension {
        elt: Box<Expr>,
        target: Box<Expr>,
        iter: Box<Expr>,
        cond: Option<Box<Expr>>,
    },
    /// `{k: f(o) for k, o in out.items()}`: read as one representative value, `f(out)`.
    DictComprehension(Box<Expr>),
    IfExp {
        body: Box<Expr>,
        test: Box<Expr>,
        orelse: Box<Expr>,
    },
    Lambda {
        params: Vec<String>,
        body: Box<Expr>,
    },
    Star(Box<Expr>),
    /// `**kwargs` in a call: a mapping spread as keywords.
    KeywordSplat(Box<Expr>),
    /// Something the lowering does not model (a too deeply nested expression, a set, ...).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub default: Option<Expr>,
}

#[derive(Debug)]
pub struct FuncDef {
    pub name: String,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    pub decorators: Vec<Expr>,
    pub span: Span,
}

impl Expr {
    /// `with no_grad:` in pseudocode, the context written without its call
    /// (`torch.no_grad`, `inference_mode`): the name of a context that turns gradients
    /// off.
    pub fn names_no_grad(&self) -> bool {
        let last = match &self.kind {
            ExprKind::Name(n) => n.as_str(),
            ExprKind::Attr(_, a) => a.as_str(),
            _ => return false,
        };
        matches!(last, "no_grad" | "inference_mode")
    }
}

impl FuncDef {
    /// Whether the method is decorated `@property`: reading it calls it.
    pub fn is_property(&self) -> bool {
        self.decorators
            .iter()
            .any(|d| matches!(&d.kind, ExprKind::Name(n) if n == "property"))
    }

    /// Whether the method is decorated `@staticmethod`: it is given no instance.
    pub fn is_static(&self) -> bool {
        self.decorators
            .iter()
            .any(|d| matches!(&d.kind, ExprKind::Name(n) if n == "staticmethod"))
    }
}

#[derive(Debug)]
pub struct ClassDef {
    pub name: String,
    pub bases: Vec<Expr>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

impl ClassDef {
    /// The method of this name that the class body defines.
    pub fn method(&self, name: &str) -> Option<Rc<FuncDef>> {
        self.body.iter().find_map(|s| match s {
            Stmt::Def(f) if f.name == name => Some(f.clone()),
            _ => None,
        })
    }

    /// The method that holds a loop and that the class's other methods do not call
    /// (`def fit(self, loader): for x1, x2 in loader: ...`): the training loop of a
    /// trainer class.
    pub fn loop_method(&self) -> Option<Rc<FuncDef>> {
        let with_loop: Vec<Rc<FuncDef>> = self
            .body
            .iter()
            .filter_map(|s| match s {
                Stmt::Def(f) if !f.name.starts_with("__") && contains_loop(&f.body) => {
                    Some(f.clone())
                }
                _ => None,
            })
            .collect();
        // A method the class's other methods call (`self.ema()`, looping over
        // parameters) is a part of the loop, not the loop: the one nothing calls is.
        let called: std::collections::HashSet<String> = self
            .body
            .iter()
            .filter_map(|s| match s {
                Stmt::Def(f) => Some(collect_names(&f.body, Collect::MethodsCalled)),
                _ => None,
            })
            .flatten()
            .collect();
        with_loop
            .iter()
            .find(|f| !called.contains(&f.name))
            .or(with_loop.first())
            .cloned()
    }

    /// The names the class body assigns (`lr: float = 0.05` of a `@dataclass`, a class
    /// constant), in order, with their values: what every instance reads.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Expr)> {
        self.body.iter().filter_map(|stmt| match stmt {
            Stmt::Assign { targets, value, .. } => match targets.as_slice() {
                [
                    Expr {
                        kind: ExprKind::Name(field),
                        ..
                    },
                ] => Some((field.as_str(), value)),
                _ => None,
            },
            _ => None,
        })
    }
}

/// The positions of the tuples that `itertools.permutations(items, r)`,
/// `combinations(items, r)` and `product(items, repeat=r)` yield over `n` items, in
/// Python's order; `None` past a few dozen tuples, which no training loop pairs views by.
pub fn itertools_positions(kind: &str, n: usize, r: usize) -> Option<Vec<Vec<usize>>> {
    if n > 8 || r == 0 || r > 3 {
        return None;
    }
    let mut all = vec![Vec::new()];
    for _ in 0..r {
        all = all
            .into_iter()
            .flat_map(|t: Vec<usize>| {
                (0..n).map(move |i| {
                    let mut t = t.clone();
                    t.push(i);
                    t
                })
            })
            .collect();
    }
    let keep = |t: &Vec<usize>| match kind {
        "permutations" => t.iter().enumerate().all(|(k, i)| !t[..k].contains(i)),
        "combinations" => t.windows(2).all(|w| w[0] < w[1]),
        "product" => true,
        _ => false,
    };
    let tuples: Vec<Vec<usize>> = all.into_iter().filter(keep).collect();
    (!tuples.is_empty() && tuples.len() <= 64).then_some(tuples)
}

/// Whether a block holds a `for` or `while` loop, also inside `if` and `with`.
pub fn contains_loop(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::For { .. } | Stmt::While { .. } => true,
        Stmt::If { body, orelse, .. } => contains_loop(body) || contains_loop(orelse),
        Stmt::With { body, .. } => contains_loop(body),
        _ => false,
    })
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Assign {
        targets: Vec<Expr>,
        value: Expr,
        span: Span,
    },
    AugAssign {
        target: Expr,
        op: BinOp,
        value: Expr,
        span: Span,
    },
    Expr(Expr),
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Stmt>,
        span: Span,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
        span: Span,
    },
    If {
        cond: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
        span: Span,
    },
    With {
        items: Vec<(Expr, Option<Expr>)>,
        body: Vec<Stmt>,
        span: Span,
    },
    Def(Rc<FuncDef>),
    Class(Rc<ClassDef>),
    Return(Option<Expr>, Span),
    /// A line of prose (`Update Encoder and Projection`), kept for rules that accept prose.
    Prose {
        text: String,
        span: Span,
    },
    /// A line that could not be read as code; its statements, if any, follow it.
    Unparsed {
        text: String,
        span: Span,
    },
    Continue,
    Break,
    /// `import torch.distributed as dist`, `import random`, `from torch import nn`: the
    /// names modules (or what they hold) are imported under.
    Import(Vec<ModuleAlias>),
    /// `pass`, `global`, ...: nothing the analysis needs.
    Other,
}

/// A module imported under a name of the answer's choosing (`import numpy as np`).
#[derive(Clone, Debug)]
pub struct ModuleAlias {
    pub name: String,
    /// The module's dotted path (`torch.distributed`).
    pub path: String,
}

/// Names the answer calls directly (`F(y)`), anywhere: a library alias such as `F` is
/// not assumed for a name the answer uses as a network.
pub fn directly_called_names(body: &[Stmt]) -> std::collections::HashSet<String> {
    collect_names(body, Collect::Called)
}

/// Every name the statements read or call.
pub fn names_used(body: &[Stmt]) -> std::collections::HashSet<String> {
    collect_names(body, Collect::Used)
}

/// The networks the answer gives a mask by keyword (`self.backbone(x, mask=m)`,
/// `model(x, bool_masked_pos=m)`), by the last part of their name (`backbone`): masked
/// image modelling masks a ViT's patch tokens, so these are ViTs, whatever their name.
pub fn names_given_a_mask(body: &[Stmt]) -> std::collections::HashSet<String> {
    collect_names(body, Collect::GivenAMask)
}

/// Which names `collect_names` keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Collect {
    Used,
    Called,
    GivenAMask,
    /// The names of methods called on an object (`self.ema()`).
    MethodsCalled,
}

fn collect_names(body: &[Stmt], keep: Collect) -> std::collections::HashSet<String> {
    fn expr(e: &Expr, keep: Collect, out: &mut std::collections::HashSet<String>) {
        match &e.kind {
            ExprKind::Name(n) if keep == Collect::Used => {
                out.insert(n.clone());
            }
            ExprKind::Call { func, args, kwargs } => {
                let given_a_mask = || {
                    kwargs
                        .iter()
                        .any(|(k, _)| matches!(k.as_str(), "mask" | "masks" | "bool_masked_pos"))
                };
                match &func.kind {
                    ExprKind::Name(n) if keep != Collect::GivenAMask || given_a_mask() => {
                        out.insert(n.clone());
                    }
                    ExprKind::Attr(_, n)
                        if keep == Collect::MethodsCalled
                            || keep == Collect::GivenAMask && given_a_mask() =>
                    {
                        out.insert(n.clone());
                    }
                    _ => {}
                }
                expr(func, keep, out);
                args.iter().for_each(|a| expr(a, keep, out));
                kwargs.iter().for_each(|(_, a)| expr(a, keep, out));
            }
            ExprKind::Attr(x, _)
            | ExprKind::Neg(x)
            | ExprKind::Not(x)
            | ExprKind::Star(x)
            | ExprKind::KeywordSplat(x) => expr(x, keep, out),
            ExprKind::Bin(_, a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::BoolOp(_, a, b)
            | ExprKind::Subscript(a, b) => {
                expr(a, keep, out);
                expr(b, keep, out);
            }
            ExprKind::Tuple(xs) | ExprKind::List(xs) => xs.iter().for_each(|x| expr(x, keep, out)),
            ExprKind::Dict(kv) => kv.iter().for_each(|(k, v)| {
                expr(k, keep, out);
                expr(v, keep, out)
            }),
            ExprKind::Comprehension {
                elt, iter, cond, ..
            } => {
                expr(elt, keep, out);
                expr(iter, keep, out);
                if let Some(c) = cond {
                    expr(c, keep, out);
                }
            }
            ExprKind::IfExp { body, test, orelse } => {
                expr(body, keep, out);
                expr(test, keep, out);
                expr(orelse, keep, out);
            }
            ExprKind::Lambda { body, .. } | ExprKind::DictComprehension(body) => {
                expr(body, keep, out)
            }
            _ => {}
        }
    }
    fn stmts(body: &[Stmt], keep: Collect, out: &mut std::collections::HashSet<String>) {
        for s in body {
            match s {
                Stmt::Assign { targets, value, .. } => {
                    targets.iter().for_each(|t| expr(t, keep, out));
                    expr(value, keep, out);
                }
                Stmt::AugAssign { target, value, .. } => {
                    expr(target, keep, out);
                    expr(value, keep, out);
                }
                Stmt::Expr(e) | Stmt::Return(Some(e), _) => expr(e, keep, out),
                Stmt::For {
                    target, iter, body, ..
                } => {
                    expr(target, keep, out);
                    expr(iter, keep, out);
                    stmts(body, keep, out);
                }
                Stmt::While { cond, body, .. } => {
                    expr(cond, keep, out);
                    stmts(body, keep, out);
                }
                Stmt::If {
                    cond, body, orelse, ..
                } => {
                    expr(cond, keep, out);
                    stmts(body, keep, out);
                    stmts(orelse, keep, out);
                }
                Stmt::With { items, body, .. } => {
                    items.iter().for_each(|(e, _)| expr(e, keep, out));
                    stmts(body, keep, out);
                }
                Stmt::Def(f) => stmts(&f.body, keep, out),
                Stmt::Class(c) => stmts(&c.body, keep, out),
                _ => {}
            }
        }
    }
    let mut out = std::collections::HashSet::new();
    stmts(body, keep, &mut out);
    out
}

/// The names an assignment target binds (`x`, `(a, b)`, `[p, *rest]`).
pub fn names_in_target(target: &Expr) -> Vec<String> {
    match &target.kind {
        ExprKind::Name(n) => vec![n.clone()],
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().flat_map(names_in_target).collect()
        }
        ExprKind::Star(inner) => names_in_target(inner),
        _ => Vec::new(),
    }
}
