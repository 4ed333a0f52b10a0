//! The abstract evaluator: runs the lowered answer over symbolic values.
//!
//! It executes the answer the way Python would, but every tensor is a node of the
//! [`Graph`](super::graph::Graph) instead of numbers. It follows calls into functions,
//! methods and `forward` of classes the answer defines, unrolls loops over short literal
//! lists and `range(k)`, runs a loader loop's body once, and takes both branches of an
//! `if` it cannot decide. Training-step effects (`backward`, `step`, `zero_grad`,
//! parameter updates, freezing) are recorded as [`Event`]s in order.
//!
//! The evaluator is written against values, not against a domain: a second value domain
//! (real tensors through libtorch) is the direction for `--exec`.

use super::facts::{ARGUMENT_PARSER, GRADIENT_TAPE, method_of};
use super::graph::*;
use super::{Analysis, Event, EventKind, ModuleInfo, OptInfo, RECORD};
use crate::ir::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Statements evaluated before the evaluator gives up (bounds time on huge answers).
const STEP_BUDGET: usize = 200_000;
/// Nested calls into the answer's own functions (bounds recursion bombs).
const MAX_CALL_DEPTH: usize = 24;
/// Longest literal list or `range` that a loop is unrolled over.
const MAX_UNROLL: usize = 16;

/// A callable, and the positional and keyword arguments `functools.partial` gave it.
pub type PartialCall = (Value, Vec<Value>, Vec<(String, Value)>);

#[derive(Clone, Debug)]
pub enum Value {
    Tensor(NodeId),
    Num(f64),
    Str(Rc<str>),
    Bool(bool),
    None,
    Tuple(Rc<Vec<Value>>),
    List(Rc<RefCell<Vec<Value>>>),
    Func(Rc<FuncDef>, Option<Box<Value>>),
    Lambda(Rc<(Vec<String>, Expr)>),
    /// `functools.partial(f, *args, **kwargs)`: `f` with its first arguments given.
    Partial(Rc<PartialCall>),
    Class(Rc<ClassDef>),
    Module(ModId),
    /// A library object or function, by dotted path (`torch.nn.functional.normalize`).
    Builtin(Rc<str>),
    /// A method looked up on a value, called later.
    Method(Box<Value>, Rc<str>),
    Optimizer(OptId),
    Params(Rc<Vec<ModId>>),
    Param(ModId),
    /// A `torch.no_grad()`-like context manager.
    NoGrad,
    /// A name the answer never defines, interpreted by how it is used.
    Global(Rc<str>),
    Unknown,
}

enum Flow {
    Normal,
    Return(Value),
    Continue,
    Break,
}

pub struct Evaluator<'a> {
    pub a: &'a mut Analysis,
    globals: HashMap<String, Value>,
    frames: Vec<HashMap<String, Value>>,
    classes_self: Vec<Value>,
    no_grad: u32,
    loop_depth: u32,
    call_depth: usize,
    steps: usize,
    implicit_modules: HashMap<String, ModId>,
    /// The batch an undefined list of crops (`globals_`) stands for, one per name, so
    /// that every loop over it sees the same views.
    view_lists: HashMap<String, NodeId>,
    /// The names the answer calls, which are never case slips of a variable.
    called_names: std::collections::HashSet<String>,
    implicit_opts: HashMap<String, OptId>,
    param_state: HashMap<ModId, NodeId>,
    called_funcs: Vec<String>,
    /// Inside a comprehension: its bindings are not where a value was made, so they are
    /// not recorded as evidence lines.
    in_comprehension: u32,
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

const OPTIMIZERS: &[&str] = &[
    "SGD", "Adam", "AdamW", "RMSprop", "LARS", "LAMB", "Adagrad", "Adadelta", "Adamax", "NAdam",
    "RAdam",
];
/// `nn` loss classes (and the layers used as losses), with the functions they compute.
pub const LOSS_MODULES: &[(&str, &str)] = &[
    ("MSELoss", "mse_loss"),
    ("L1Loss", "l1_loss"),
    ("SmoothL1Loss", "smooth_l1_loss"),
    ("HuberLoss", "huber_loss"),
    ("BCELoss", "binary_cross_entropy"),
    ("BCEWithLogitsLoss", "binary_cross_entropy_with_logits"),
    ("CrossEntropyLoss", "cross_entropy"),
    ("NLLLoss", "nll_loss"),
    ("KLDivLoss", "kl_div"),
    ("CosineSimilarity", "cosine_similarity"),
    ("Softmax", "softmax"),
    ("LogSoftmax", "log_softmax"),
];
/// Tensor functions that pseudocode calls without their module (`softmax(x)`).
const BARE_FUNCTIONS: &[&str] = &[
    "softmax",
    "log_softmax",
    "normalize",
    "cosine_similarity",
    "cross_entropy",
    "mse_loss",
    "l1_loss",
    "sigmoid",
    "exp",
    "log",
    "argmax",
    "mean",
    "stack",
    "cat",
    "ones_like",
    "zeros_like",
    "binary_cross_entropy",
    "kl_div",
    "nll_loss",
    "relu",
];

/// The source of the gradients that `torch.autograd.grad` returns.
const GRADIENTS: &str = "autograd.grad";

/// Tensor methods that return the same value for the analysis.
const TRANSPARENT_METHODS: &[&str] = &[
    "items",
    "values",
    "clone",
    "contiguous",
    "float",
    "double",
    "half",
    "to",
    "cuda",
    "cpu",
    "view",
    "reshape",
    "flatten",
    "squeeze",
    "unsqueeze",
    "permute",
    "transpose",
    "item",
    "view_as",
    "type",
    "requires_grad_",
    "long",
    "bool",
    "expand",
    "expand_as",
];

/// Libraries an answer imports whose attributes are paths, not methods of a network.
const LIBRARY_ROOTS: &[&str] = &["keras", "tf", "tensorflow", "jax", "optax", "flax"];

impl<'a> Evaluator<'a> {
    pub fn new(a: &'a mut Analysis) -> Self {
        let mut globals = HashMap::new();
        for (name, path) in [
            ("torch", "torch"),
            ("nn", "torch.nn"),
            ("F", "torch.nn.functional"),
            ("optim", "torch.optim"),
            ("copy", "copy"),
            ("itertools", "itertools"),
            ("math", "math"),
            ("np", "numpy"),
            ("numpy", "numpy"),
            ("amp", "torch.cuda.amp"),
            ("functools", "functools"),
        ] {
            globals.insert(name.to_string(), Value::Builtin(path.into()));
        }
        for b in [
            "zip",
            "enumerate",
            "range",
            "list",
            "tuple",
            "len",
            "sum",
            "min",
            "max",
            "print",
            "iter",
            "next",
            "sorted",
            "reversed",
            "abs",
            "float",
            "int",
            "str",
            "isinstance",
            "super",
            "dict",
            "map",
            "any",
            "all",
            "round",
            "set",
            "getattr",
            "setattr",
            "hasattr",
            "type",
            "id",
            "open",
            "exec",
            "eval",
            "input",
            "__import__",
            "vars",
            "globals",
            "locals",
            "Ellipsis",
        ] {
            globals.insert(
                b.to_string(),
                Value::Builtin(format!("builtins.{b}").into()),
            );
        }
        Evaluator {
            a,
            globals,
            frames: Vec::new(),
            classes_self: Vec::new(),
            no_grad: 0,
            loop_depth: 0,
            call_depth: 0,
            steps: 0,
            implicit_modules: HashMap::new(),
            view_lists: HashMap::new(),
            implicit_opts: HashMap::new(),
            param_state: HashMap::new(),
            called_funcs: Vec::new(),
            in_comprehension: 0,
            called_names: Default::default(),
        }
    }

    /// Runs the answer; then runs every top-level function the answer defines but never
    /// calls (a `def train(...)` that holds the loop), with its parameters undefined.
    pub fn run(&mut self, body: &[Stmt]) {
        self.called_names = directly_called_names(body);
        for name in &self.called_names {
            if matches!(self.globals.get(name), Some(Value::Builtin(path)) if !path.starts_with("builtins."))
            {
                self.globals.remove(name);
            }
        }
        // Pseudocode often defines `D` or `H` after the loop that uses it: top-level
        // functions and classes are bound before anything runs.
        for s in body {
            match s {
                Stmt::Def(f) => self.bind_name(&f.name, Value::Func(f.clone(), None), f.span.line),
                Stmt::Class(c) => self.bind_name(&c.name, Value::Class(c.clone()), c.span.line),
                _ => {}
            }
        }
        self.block(body);
        // A `def train(...)` that holds the loop but is never called is run on its own;
        // when the answer already trains at the top level, an uncalled helper (an EMA
        // update the loop forgot to call) is left uncalled.
        if self.has_backward() {
            return;
        }
        let uncalled: Vec<Rc<FuncDef>> = body
            .iter()
            .filter_map(|s| match s {
                Stmt::Def(f) if !self.called_funcs.contains(&f.name) => Some(f.clone()),
                _ => None,
            })
            .collect();
        for f in uncalled {
            if self.over_budget() {
                break;
            }
            // A parameter with a default takes it (`loss_fn=ibot_loss`).
            let args = named_by_required(&f.params);
            self.call_func(&f, None, args, Vec::new(), f.span);
        }
        if self.has_backward() {
            return;
        }
        // A Lightning-style module: the framework calls `training_step` for each batch,
        // back-propagates the loss it returns and steps the optimizers.
        let classes: Vec<Rc<ClassDef>> = body
            .iter()
            .filter_map(|s| {
                if let Stmt::Class(c) = s {
                    Some(c.clone())
                } else {
                    None
                }
            })
            .collect();
        for c in classes {
            let Some(step) = c.method("training_step") else {
                continue;
            };
            // The framework's caller builds the module from what the answer never defines
            // (`LitIBOT(backbone, head)`).
            let init_args = c.method("__init__").map_or_else(Vec::new, |init| {
                named_by_required(init.params.get(1..).unwrap_or_default())
            });
            let module = self.instantiate(c.clone(), init_args, Vec::new(), c.span);
            let args = named_by(step.params.get(1..).unwrap_or_default());
            self.loop_depth += 1;
            let before = self.a.events.len();
            let result = self.call_func(&step, Some(module.clone()), args, Vec::new(), step.span);
            // `return {"loss": loss, "log": logs}`: Lightning back-propagates its `"loss"`.
            let result = match result {
                Value::Module(m) if self.a.is_record(m) => self.a.modules[m]
                    .attrs
                    .get("loss")
                    .cloned()
                    .unwrap_or(Value::Unknown),
                other => other,
            };
            let stepped = self.a.events[before..]
                .iter()
                .any(|e| matches!(e.kind, EventKind::Backward { .. }));
            // The hooks the framework calls around its step, in its order: an EMA of the
            // teacher is often written in `on_train_batch_end` or `on_before_zero_grad`.
            let hook = |this: &mut Self, name: &str| {
                if let Some(f) = c.method(name) {
                    let args = named_by(f.params.get(1..).unwrap_or_default());
                    this.call_func(&f, Some(module.clone()), args, Vec::new(), f.span);
                }
            };
            if let (Value::Tensor(loss), false) = (result, stepped) {
                hook(self, "on_before_zero_grad");
                self.event(EventKind::Backward { loss }, step.span);
                hook(self, "on_after_backward");
                self.event(
                    EventKind::UpdateCall {
                        name: "training_step (the framework steps the optimizer)".into(),
                        modules: Vec::new(),
                    },
                    step.span,
                );
            }
            hook(self, "on_train_batch_end");
            self.loop_depth -= 1;
        }
        if self.has_backward() {
            return;
        }
        // A trainer class nothing makes (`class Trainer: def fit(self, loader): for ...`):
        // its method that holds the loop is the loop the answer means.
        for s in body {
            let Stmt::Class(c) = s else { continue };
            let Some(fit) = c.loop_method() else { continue };
            if self.called_names.contains(&c.name) || self.over_budget() {
                continue;
            }
            // Its constructor's arguments are what the answer never defines
            // (`Trainer(student, loader)`), as a Lightning module's are.
            let init_args = c.method("__init__").map_or_else(Vec::new, |init| {
                named_by_required(init.params.get(1..).unwrap_or_default())
            });
            let instance = self.instantiate(c.clone(), init_args, Vec::new(), c.span);
            let args = named_by(fit.params.get(1..).unwrap_or_default());
            self.call_func(&fit, Some(instance), args, Vec::new(), fit.span);
        }
    }

    /// Whether the answer has back-propagated a loss so far.
    fn has_backward(&self) -> bool {
        self.a
            .events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Backward { .. }))
    }

    fn over_budget(&mut self) -> bool {
        if self.steps > STEP_BUDGET {
            self.a.budget_exceeded = true;
            true
        } else {
            false
        }
    }

    // ---- graph helpers ----

    fn node(&mut self, op: Op, span: Span) -> NodeId {
        let n = self.a.graph.add(op, span, self.no_grad > 0);
        self.a.graph.nodes[n].in_function = self.call_depth > 0;
        n
    }

    fn event(&mut self, kind: EventKind, span: Span) {
        self.a.events.push(Event {
            kind,
            span,
            loop_depth: self.loop_depth,
            no_grad: self.no_grad > 0,
        });
    }

    fn implicit_module(&mut self, name: &str) -> ModId {
        if let Some(m) = self.implicit_modules.get(name) {
            return *m;
        }
        // `GBA (B)` beside `G_BA(fake_B)`.
        let same = self
            .implicit_modules
            .iter()
            .find(|(k, _)| crate::analysis::facts::same_but_underscores(k, name))
            .map(|(_, m)| *m);
        if let Some(m) = same {
            self.implicit_modules.insert(name.to_string(), m);
            self.a.modules[m].aliases.push(name.to_string());
            return m;
        }
        let m = self.a.new_module(ModuleInfo {
            name: name.to_string(),
            implicit: true,
            ..Default::default()
        });
        self.implicit_modules.insert(name.to_string(), m);
        m
    }

    /// An undefined architecture (`resnet50`, `vit`) named where a value goes is the
    /// network it builds; any other value is itself.
    fn architecture_as_network(&mut self, v: Value) -> Value {
        match v {
            Value::Global(g) if crate::analysis::facts::is_architecture_name(&g) => {
                Value::Module(self.implicit_module(&g))
            }
            other => other,
        }
    }

    fn implicit_optimizer(&mut self, name: &str, span: Span) -> OptId {
        if let Some(o) = self.implicit_opts.get(name) {
            return *o;
        }
        self.a.optimizers.push(OptInfo {
            name: name.to_string(),
            params: None,
            span,
            given_gradients: false,
        });
        let id = self.a.optimizers.len() - 1;
        self.implicit_opts.insert(name.to_string(), id);
        id
    }

    /// The value as a tensor node, when it can be one.
    fn to_node(&mut self, v: &Value, span: Span, as_data: bool) -> Option<NodeId> {
        match v {
            Value::Tensor(n) => Some(*n),
            Value::Num(x) => Some(self.node(Op::Const(*x), span)),
            Value::Bool(b) => Some(self.node(Op::Const(if *b { 1.0 } else { 0.0 }), span)),
            Value::Global(name) => {
                let op = if as_data {
                    Op::Data {
                        source: name.to_string(),
                    }
                } else {
                    Op::Symbol(name.to_string())
                };
                let n = self.node(op, span);
                self.a.graph.name(n, name);
                Some(n)
            }
            Value::Param(m) => Some(self.node(Op::Param(*m), span)),
            Value::Params(ms) if ms.len() == 1 => Some(self.node(Op::Param(ms[0]), span)),
            Value::List(items) => {
                let items = items.borrow().clone();
                let nodes: Vec<NodeId> = items
                    .iter()
                    .filter_map(|i| self.to_node(i, span, as_data))
                    .collect();
                Some(self.node(Op::Stack(nodes), span))
            }
            Value::Tuple(items) => {
                let nodes: Vec<NodeId> = items
                    .iter()
                    .filter_map(|i| self.to_node(i, span, as_data))
                    .collect();
                Some(self.node(Op::Stack(nodes), span))
            }
            _ => None,
        }
    }

    /// A network's parameters inside a chain of in-place updates (`t.mul_(m)` then
    /// `t.add_(...)`): the chain's running value. Everywhere else a read is the network's
    /// own parameters, whatever values a copy gave them.
    fn param_node(&mut self, m: ModId, span: Span) -> NodeId {
        match self.param_state.get(&m) {
            Some(n) => *n,
            None => self.node(Op::Param(m), span),
        }
    }

    // ---- names ----

    fn lookup(&mut self, name: &str, span: Span) -> Value {
        if let Some(frame) = self.frames.last()
            && let Some(v) = frame.get(name)
        {
            return v.clone();
        }
        if let Some(v) = self.globals.get(name) {
            return v.clone();
        }
        // `moment` of `def entrena(..., moment=0.0)` read by a helper defined inside it
        // (`def actualitza_mestre(): ... mul_(moment)`): a closure's variable, read from
        // the frames that called it, innermost first, as the defining function is one.
        if let Some(v) = self
            .frames
            .iter()
            .rev()
            .skip(1)
            .find_map(|frame| frame.get(name))
        {
            return v.clone();
        }
        if name == "self"
            && let Some(s) = self.classes_self.last()
        {
            return s.clone();
        }
        if let Some(m) = self.param_owner(name) {
            return Value::Param(m);
        }
        if let Some(role) = param_role(name) {
            return Value::Tensor(self.node(Op::RoleParam(role.to_string()), span));
        }
        if let Some(slip) = self.case_slip(name) {
            self.a
                .fuzzy_notes
                .push((span.line, name.to_string(), slip.clone()));
            return self.lookup(&slip, span);
        }
        if crate::analysis::facts::is_torch_slip(name)
            && let Some(torch) = self.globals.get("torch").cloned()
        {
            self.a
                .fuzzy_notes
                .push((span.line, name.to_string(), "torch".to_string()));
            return torch;
        }
        self.a.note_undefined(name, span);
        Value::Global(name.into())
    }

    /// The variable of the answer that an undefined name spells but for case.
    fn case_slip(&self, name: &str) -> Option<String> {
        let bound: std::collections::BTreeSet<&String> = self
            .frames
            .last()
            .into_iter()
            .flat_map(|f| f.keys())
            .chain(
                self.globals
                    .iter()
                    .filter(|(_, v)| !matches!(v, Value::Builtin(_)))
                    .map(|(k, _)| k),
            )
            .collect();
        crate::analysis::facts::case_slip(name, bound, &self.called_names).cloned()
    }

    /// The network whose parameters a math-notation name stands for: `θt` for `g_θt`.
    fn param_owner(&self, name: &str) -> Option<ModId> {
        if name.chars().count() < 2 || !names_parameters(name) {
            return None;
        }
        let suffix = format!("_{name}");
        self.a.modules.iter().position(|m| {
            m.name.ends_with(&suffix) || m.aliases.iter().any(|a| a.ends_with(&suffix))
        })
    }

    fn is_bound(&self, name: &str) -> bool {
        self.frames.last().is_some_and(|f| f.contains_key(name)) || self.globals.contains_key(name)
    }

    fn bind_name(&mut self, name: &str, v: Value, line: u32) {
        match &v {
            Value::Tensor(n) if self.in_comprehension > 0 => self.a.graph.name(*n, name),
            Value::Tensor(n) => self.a.graph.bind(*n, name, line),
            Value::Module(m) => {
                let info = &mut self.a.modules[*m];
                if info.name.is_empty() {
                    info.name = name.to_string();
                }
                info.aliases.push(name.to_string());
            }
            Value::Optimizer(o) => {
                if self.a.optimizers[*o].name.is_empty() {
                    self.a.optimizers[*o].name = name.to_string();
                }
            }
            _ => {}
        }
        match self.frames.last_mut() {
            Some(frame) => {
                frame.insert(name.to_string(), v);
            }
            None => {
                self.globals.insert(name.to_string(), v);
            }
        }
    }

    fn assign(&mut self, target: &Expr, v: Value, span: Span) {
        match &target.kind {
            // `θt ← λ·θt + (1 − λ)·θs`: assigning a network's parameters by their name.
            ExprKind::Name(n)
                if matches!(v, Value::Tensor(_))
                    && !self.is_bound(n)
                    && self.param_owner(n).is_some() =>
            {
                let m = self.param_owner(n).unwrap_or_default();
                self.param_update(m, &v, span);
            }
            ExprKind::Name(n)
                if matches!(v, Value::Tensor(_))
                    && !self.is_bound(n)
                    && param_role(n).is_some() =>
            {
                if let Some(value) = self.to_node(&v, span, false) {
                    let role = param_role(n).unwrap_or_default().to_string();
                    self.event(EventKind::RoleParamUpdate { role, value }, span);
                }
            }
            // `for θ_t, θ_s in zip(teacher.params, student.params): θ_t ← m θ_t + ...`: in
            // pseudocode, a loop's parameter given a new value is that parameter updated.
            ExprKind::Name(n)
                if matches!(v, Value::Tensor(_))
                    && self.loop_depth > 0
                    && matches!(self.scope_get(n), Some(Value::Param(_))) =>
            {
                if let Some(Value::Param(m)) = self.scope_get(n) {
                    self.param_update(m, &v, span);
                }
            }
            // `f_t ← λ·f_t + (1 − λ)·f_s`: new weights for the network the name holds,
            // which stays that network; also one the answer never defines but has called
            // (`ft(v)` earlier).
            ExprKind::Name(n)
                if let Value::Tensor(t) = &v
                    && let Some(m) = match self.scope_get(n) {
                        Some(Value::Module(m)) => Some(m),
                        None => self.implicit_modules.get(n.as_str()).copied(),
                        _ => None,
                    }
                    && self
                        .a
                        .graph
                        .depends_on(*t, |op| matches!(op, Op::Param(p) if *p == m)) =>
            {
                self.param_update(m, &v, span);
            }
            ExprKind::Name(n) => self.bind_name(n, v, span.line),
            // `student, teacher = utils.build_ibot(args)`: networks a builder makes
            // together, each the network its name stands for.
            ExprKind::Tuple(ts) | ExprKind::List(ts)
                if matches!(v, Value::Module(m) if self.a.modules[m].class.is_none())
                    && ts.len() > 1
                    && ts.iter().all(|t| matches!(t.kind, ExprKind::Name(_))) =>
            {
                for t in ts {
                    if let ExprKind::Name(n) = &t.kind {
                        let m = self.implicit_module(n);
                        self.bind_name(n, Value::Module(m), span.line);
                    }
                }
            }
            ExprKind::Tuple(ts) | ExprKind::List(ts) => {
                let parts = self.unpack(&v, ts.len(), span);
                for (t, p) in ts.iter().zip(parts) {
                    self.assign(t, p, span);
                }
            }
            ExprKind::Star(inner) => self.assign(inner, v, span),
            ExprKind::Attr(obj, attr) => {
                let o = self.expr(obj);
                self.set_attr(o, attr, v, span);
            }
            ExprKind::Subscript(base, idx) => {
                let b = self.expr(base);
                let i = self.expr(idx);
                // `out["rec_A"] = G_BA(out["fake_B"])`: a new entry of a record.
                if let (Value::Module(m), Value::Str(key)) = (&b, &i)
                    && self.a.is_record(*m)
                {
                    self.set_attr(Value::Module(*m), key, v, span);
                    return;
                }
                if let (Value::List(items), Value::Num(k)) = (&b, &i) {
                    let mut items = items.borrow_mut();
                    let k = *k as usize;
                    if k < items.len() {
                        items[k] = v;
                    }
                }
            }
            _ => {}
        }
    }

    fn unpack(&mut self, v: &Value, n: usize, span: Span) -> Vec<Value> {
        match v {
            Value::Tuple(items) if items.len() == n => items.as_ref().clone(),
            Value::List(items) if items.borrow().len() == n => items.borrow().clone(),
            Value::Tensor(t) => (0..n)
                .map(|i| {
                    Value::Tensor(self.node(
                        Op::Part {
                            of: *t,
                            key: PartKey::Index(i),
                            arity: Some(n),
                        },
                        span,
                    ))
                })
                .collect(),
            Value::Global(name) => {
                let data = self.node(
                    Op::Data {
                        source: name.to_string(),
                    },
                    span,
                );
                (0..n)
                    .map(|i| {
                        Value::Tensor(self.node(
                            Op::Part {
                                of: data,
                                key: PartKey::Index(i),
                                arity: Some(n),
                            },
                            span,
                        ))
                    })
                    .collect()
            }
            Value::Params(ms) if ms.len() == n => ms.iter().map(|m| Value::Param(*m)).collect(),
            // `for name, p in net.named_parameters()`: the name, then the parameters.
            Value::Param(m) if n == 2 => vec![Value::Unknown, Value::Param(*m)],
            _ => vec![Value::Unknown; n],
        }
    }

    fn set_attr(&mut self, obj: Value, attr: &str, v: Value, span: Span) {
        match obj {
            Value::Param(m) => match attr {
                "data" => self.param_update(m, &v, span),
                "requires_grad" => {
                    let frozen = matches!(v, Value::Bool(false) | Value::Num(0.0));
                    self.freeze(m, frozen, span);
                }
                _ => {}
            },
            Value::Module(m)
                if matches!(
                    attr,
                    "params" | "parameters" | "weights" | "theta" | "θ" | "data"
                ) =>
            {
                self.param_update(m, &v, span)
            }
            Value::Module(m) if attr == "requires_grad" => {
                let frozen = matches!(v, Value::Bool(false));
                self.freeze(m, frozen, span);
            }
            Value::Module(m) => {
                // `self.student = vit` with `vit` a parameter of `__init__`: a part of this
                // network under the attribute's name.
                let v = self.architecture_as_network(v);
                // A plain class of the answer's (`class EMA:` keeping the student and the
                // teacher) holds the networks it is given, already named where they were
                // made; it owns those it makes (`self.netG_A = define_G(...)`), as a
                // module's class owns all of them.
                let plain_class = self.a.modules[m]
                    .class
                    .as_ref()
                    .is_some_and(|c| c.bases.is_empty());
                let given = |info: &ModuleInfo| !info.name.is_empty() && !info.implicit;
                if let Value::Module(sub) = &v
                    && !(plain_class && given(&self.a.modules[*sub]))
                {
                    let info = &mut self.a.modules[*sub];
                    if info.name.is_empty() || info.implicit {
                        info.name = attr.to_string();
                    }
                    info.aliases.push(attr.to_string());
                    info.parent = Some(m);
                }
                if let Value::Tensor(n) = &v {
                    self.a.graph.name(*n, attr);
                }
                self.a.modules[m].attrs.insert(attr.to_string(), v);
            }
            Value::Global(name)
                if matches!(attr, "params" | "parameters" | "weights" | "theta" | "data") =>
            {
                let m = self.implicit_module(&name);
                self.param_update(m, &v, span);
            }
            _ => {}
        }
    }

    fn param_update(&mut self, m: ModId, v: &Value, span: Span) {
        if let Some(n) = self.to_node(v, span, false) {
            self.param_state.remove(&m);
            self.event(
                EventKind::ParamUpdate {
                    target: m,
                    value: n,
                },
                span,
            );
        }
    }

    fn param_update_in_place(&mut self, m: ModId, v: &Value, span: Span) {
        if let Some(n) = self.to_node(v, span, false) {
            self.event(
                EventKind::ParamUpdate {
                    target: m,
                    value: n,
                },
                span,
            );
            self.param_state.insert(m, n);
        }
    }

    fn freeze(&mut self, m: ModId, frozen: bool, span: Span) {
        let mut stack = vec![m];
        while let Some(x) = stack.pop() {
            self.a.modules[x].frozen = frozen;
            for v in self.a.modules[x].attrs.values() {
                if let Value::Module(sub) = v
                    && *sub != x
                {
                    stack.push(*sub);
                }
            }
        }
        self.event(EventKind::Freeze { module: m, frozen }, span);
    }

    // ---- statements ----

    fn block(&mut self, body: &[Stmt]) -> Flow {
        for s in body {
            self.steps += 1;
            if self.over_budget() {
                return Flow::Normal;
            }
            match self.stmt(s) {
                Flow::Normal => {}
                other => return other,
            }
        }
        Flow::Normal
    }

    fn stmt(&mut self, s: &Stmt) -> Flow {
        match s {
            Stmt::Assign {
                targets,
                value,
                span,
            } => {
                let v = self.expr(value);
                for t in targets {
                    self.assign(t, v.clone(), *span);
                }
            }
            Stmt::AugAssign {
                target,
                op,
                value,
                span,
            } => {
                let cur = self.expr(target);
                let rhs = self.expr(value);
                // `w -= lr * g` with `g` from `torch.autograd.grad`: an optimizer's step
                // written by hand, on the parameters `w` belongs to.
                let trained = match &cur {
                    Value::Params(ms) => ms.to_vec(),
                    Value::Param(m) => vec![*m],
                    _ => Vec::new(),
                };
                if let Value::Tensor(t) = &rhs
                    && !trained.is_empty()
                    && matches!(op, BinOp::Sub | BinOp::Add)
                    && self.comes_from_gradients(*t)
                {
                    self.event(
                        EventKind::UpdateCall {
                            name: "a step written by hand".into(),
                            modules: trained,
                        },
                        *span,
                    );
                    return Flow::Normal;
                }
                // `pt *= m; pt += (1 - m) * ps` over a network's parameters: a tensor's
                // augmented assignment is in place, as `mul_` and `add_` are.
                if let (Value::Param(m), Some(method)) = (&cur, op.in_place_method()) {
                    self.param_method(*m, method, vec![rhs], Vec::new(), *span);
                    return Flow::Normal;
                }
                let v = self.binop(*op, cur, rhs, *span);
                self.assign(target, v, *span);
            }
            Stmt::Expr(e) => {
                self.expr(e);
            }
            Stmt::For {
                target,
                iter,
                body,
                span,
            } => return self.for_loop(target, iter, body, *span),
            Stmt::While { body, .. } => {
                self.loop_depth += 1;
                // The body runs once; its `break` or `continue` ends this loop only.
                let flow = match self.block(body) {
                    Flow::Return(v) => Flow::Return(v),
                    _ => Flow::Normal,
                };
                self.loop_depth -= 1;
                return flow;
            }
            Stmt::If {
                cond, body, orelse, ..
            } => {
                let c = self.expr(cond);
                // `if (step + 1) % accum == 0:` in a loop: true on some iterations and
                // false on others, whatever the counter is on the one iteration read.
                let periodic = self.loop_depth > 0 && mentions_modulo(cond);
                return match truthy(&c) {
                    _ if periodic => self.both_branches(body, orelse),
                    Some(true) => self.block(body),
                    Some(false) => self.block(orelse),
                    None => self.both_branches(body, orelse),
                };
            }
            Stmt::With { items, body, .. } => {
                let mut no_grad = 0;
                for (e, alias) in items {
                    let v = self.expr(e);
                    if matches!(v, Value::NoGrad) || e.names_no_grad() {
                        no_grad += 1;
                    }
                    if let Some(a) = alias {
                        self.assign(a, v, e.span);
                    }
                }
                self.no_grad += no_grad;
                let flow = self.block(body);
                self.no_grad -= no_grad;
                return flow;
            }
            Stmt::Def(f) => {
                let v = Value::Func(f.clone(), None);
                self.bind_name(&f.name, v, f.span.line);
            }
            Stmt::Class(c) => {
                let v = Value::Class(c.clone());
                self.bind_name(&c.name, v, c.span.line);
            }
            Stmt::Return(e, _) => {
                let v = e.as_ref().map(|e| self.expr(e)).unwrap_or(Value::None);
                return Flow::Return(v);
            }
            Stmt::Prose { text, span } => {
                if crate::analysis::facts::prose_freezes(text) {
                    for word in crate::analysis::facts::words(text) {
                        if let Some(Value::Module(m)) = self.scope_get(word) {
                            self.freeze(m, true, *span);
                        }
                    }
                }
                self.event(EventKind::Prose { text: text.clone() }, *span)
            }
            Stmt::Continue => return Flow::Continue,
            Stmt::Break => return Flow::Break,
            Stmt::Import(aliases) => {
                self.a
                    .imported
                    .extend(aliases.iter().map(|a| a.name.clone()));
            }
            Stmt::Unparsed { .. } | Stmt::Other => {}
        }
        Flow::Normal
    }

    /// Runs both branches of an undecidable `if`; afterwards each name holds the more
    /// informative of its two values (a tensor over a constant), so a loss defined in
    /// only one branch is still seen.
    fn both_branches(&mut self, body: &[Stmt], orelse: &[Stmt]) -> Flow {
        let before = self.scope_snapshot();
        let f1 = self.block(body);
        let after_then = self.scope_snapshot();
        self.scope_restore(before);
        let f2 = self.block(orelse);
        let after_else = self.scope_snapshot();
        let mut merged = after_else;
        for (k, v) in after_then {
            let keep_else =
                matches!(merged.get(&k), Some(Value::Tensor(_))) && !matches!(v, Value::Tensor(_));
            if !keep_else {
                merged.insert(k, v);
            }
        }
        self.scope_restore(merged);
        match (f1, f2) {
            (Flow::Return(v), _) => Flow::Return(v),
            (_, Flow::Return(v)) => Flow::Return(v),
            // A `continue` or `break` under a condition the analysis cannot decide: the
            // rest of the body runs too, so nothing it does is missed.
            _ => Flow::Normal,
        }
    }

    fn scope_get(&self, name: &str) -> Option<Value> {
        self.frames
            .last()
            .unwrap_or(&self.globals)
            .get(name)
            .cloned()
    }

    fn scope_set(&mut self, name: &str, v: Option<Value>) {
        let scope = match self.frames.last_mut() {
            Some(f) => f,
            None => &mut self.globals,
        };
        match v {
            Some(v) => {
                scope.insert(name.to_string(), v);
            }
            None => {
                scope.remove(name);
            }
        }
    }

    fn scope_snapshot(&self) -> HashMap<String, Value> {
        self.frames.last().unwrap_or(&self.globals).clone()
    }

    fn scope_restore(&mut self, s: HashMap<String, Value>) {
        match self.frames.last_mut() {
            Some(f) => *f = s,
            None => self.globals = s,
        }
    }

    fn for_loop(&mut self, target: &Expr, iter: &Expr, body: &[Stmt], span: Span) -> Flow {
        let it = self.expr(iter);
        let mut items = self.iterate(&it, span);
        // Loops are unrolled to enumerate view pairs, crops and networks; a counted loop
        // whose body trains (an epoch loop) is one iteration of the training step.
        let counted = items.iter().all(|i| matches!(i, Value::Num(_)));
        let uses_counter = match &target.kind {
            ExprKind::Name(n) => names_used(body).contains(n),
            _ => true,
        };
        if counted && (body_trains(body) || !uses_counter) {
            items.truncate(1);
        }
        self.loop_depth += 1;
        let mut flow = Flow::Normal;
        for item in items {
            self.assign(target, item, span);
            match self.block(body) {
                Flow::Return(v) => {
                    flow = Flow::Return(v);
                    break;
                }
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        self.loop_depth -= 1;
        flow
    }

    /// The values a loop binds: every element of a short literal sequence, or one
    /// representative element of a loader, parameter list or unknown sequence.
    fn iterate(&mut self, v: &Value, span: Span) -> Vec<Value> {
        match v {
            Value::List(items) => items.borrow().iter().take(MAX_UNROLL).cloned().collect(),
            Value::Tuple(items) => items.iter().take(MAX_UNROLL).cloned().collect(),
            Value::Params(ms) => ms
                .iter()
                .take(MAX_UNROLL)
                .map(|m| Value::Param(*m))
                .collect(),
            // `for g in globals_` of an undefined list of crops (a method's argument that
            // nothing calls): two views, as a loader's list of crops is.
            Value::Global(name) if crate::analysis::facts::names_views(name) => {
                let crops = match self.view_lists.get(&**name) {
                    Some(n) => *n,
                    None => {
                        let n = self.data_node(name, span);
                        self.view_lists.insert(name.to_string(), n);
                        n
                    }
                };
                self.two_parts(crops, None, span)
            }
            Value::Global(name) => vec![Value::Tensor(self.data_node(name, span))],
            // `for t in teacher.weights` (Keras's list of variables): each parameter.
            Value::Param(m) => vec![Value::Param(*m)],
            // `for t in t_cls` of `t_cls, t_patch = teacher([u, v])`: one part per view.
            Value::Tensor(t) if let Some(k) = self.views_batched_in(*t) => {
                (0..k).map(|i| self.batched_view(*t, i, k, span)).collect()
            }
            // `for x in images` where the loader yielded `(images, masks)`: the crops.
            Value::Tensor(t) if matches!(self.a.graph.op(*t), Op::Part { of, .. } if matches!(self.a.graph.op(*of), Op::Data { .. })) => {
                self.two_parts(*t, None, span)
            }
            // `zip(*[teacher(v) for v in views])`: a network's output iterates as the
            // pair it returns, [CLS] and patch tokens.
            Value::Tensor(t) if matches!(self.a.graph.op(*t), Op::Apply { .. }) => {
                self.two_parts(*t, Some(2), span)
            }
            Value::Tensor(t) => vec![Value::Tensor(*t)],
            Value::Module(m) => {
                let name = self.a.modules[*m].name.clone();
                vec![Value::Tensor(self.data_node(&name, span))]
            }
            Value::Unknown => vec![Value::Unknown],
            _ => vec![Value::Unknown],
        }
    }

    /// The first two parts of a tensor that iterates as a pair or a list of crops.
    fn two_parts(&mut self, of: NodeId, arity: Option<usize>, span: Span) -> Vec<Value> {
        (0..2)
            .map(|i| {
                Value::Tensor(self.node(
                    Op::Part {
                        of,
                        key: PartKey::Index(i),
                        arity,
                    },
                    span,
                ))
            })
            .collect()
    }

    /// How many views a network's unpacked output holds when the network was given a
    /// list of them (`s_cls, s_patch = student([u, v], mask=masks)`, the iBOT
    /// repository's multi-crop forward): one part of its result per view.
    fn views_batched_in(&self, t: NodeId) -> Option<usize> {
        let g = &self.a.graph;
        let Op::Part {
            of,
            key: PartKey::Index(_),
            arity: Some(2),
        } = g.op(t)
        else {
            return None;
        };
        let Op::Apply { args, .. } = g.op(*of) else {
            return None;
        };
        match g.op(*args.first()?) {
            Op::Stack(items) if (2..=MAX_UNROLL).contains(&items.len()) => Some(items.len()),
            _ => None,
        }
    }

    /// View `i` of `k` in a network's output over a list of views: the `i`-th of `k`
    /// chunks, which `describe` follows back to the `i`-th view given.
    fn batched_view(&mut self, t: NodeId, i: usize, k: usize, span: Span) -> Value {
        let Value::Tensor(chunks) = self.builtin_node(
            "chunk",
            vec![Value::Tensor(t), Value::Num(k as f64)],
            Vec::new(),
            span,
        ) else {
            return Value::Unknown;
        };
        Value::Tensor(self.node(
            Op::Part {
                of: chunks,
                key: PartKey::Index(i),
                arity: Some(k),
            },
            span,
        ))
    }

    /// Whether a tensor is computed from the gradients `torch.autograd.grad` returned.
    fn comes_from_gradients(&self, t: NodeId) -> bool {
        self.a.graph.depends_on(
            t,
            |op| matches!(op, Op::Data { source } if source == GRADIENTS),
        )
    }

    fn data_node(&mut self, source: &str, span: Span) -> NodeId {
        let n = self.node(
            Op::Data {
                source: source.to_string(),
            },
            span,
        );
        self.a.graph.name(n, source);
        n
    }

    // ---- expressions ----

    pub fn expr(&mut self, e: &Expr) -> Value {
        let span = e.span;
        match &e.kind {
            ExprKind::Name(n) => self.lookup(n, span),
            ExprKind::Num(x) => Value::Num(*x),
            ExprKind::Str(s) => Value::Str(s.as_str().into()),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::NoneLit => Value::None,
            ExprKind::Attr(obj, attr) => {
                let o = self.expr(obj);
                self.get_attr(o, attr, span)
            }
            ExprKind::Call { func, args, kwargs } => {
                let f = self.expr(func);
                let mut argv = Vec::new();
                let mut kw: Vec<(String, Value)> = Vec::new();
                for a in args {
                    match &a.kind {
                        ExprKind::KeywordSplat(inner)
                            if let Some(pairs) = written_keywords(inner) =>
                        {
                            for (k, v) in pairs {
                                let v = self.expr(v);
                                kw.push((k, v));
                            }
                        }
                        ExprKind::Star(inner) | ExprKind::KeywordSplat(inner) => {
                            let v = self.expr(inner);
                            match v {
                                Value::List(items) => argv.extend(items.borrow().iter().cloned()),
                                Value::Tuple(items) => argv.extend(items.iter().cloned()),
                                other => argv.push(other),
                            }
                        }
                        _ => argv.push(self.expr(a)),
                    }
                }
                for (k, v) in kwargs {
                    let v = self.expr(v);
                    kw.push((k.clone(), v));
                }
                if let (Value::Lambda(l), ExprKind::Name(name)) = (&f, &func.kind) {
                    return self.call_lambda(l, argv, name, span);
                }
                self.call(f, argv, kw, span)
            }
            ExprKind::Bin(op, l, r) => {
                let a = self.expr(l);
                let b = self.expr(r);
                self.binop(*op, a, b, span)
            }
            ExprKind::Neg(x) => match self.expr(x) {
                Value::Num(v) => Value::Num(-v),
                other => match self.to_node(&other, span, false) {
                    Some(n) => Value::Tensor(self.node(Op::Neg(n), span)),
                    None => Value::Unknown,
                },
            },
            ExprKind::Not(x) => match truthy(&self.expr(x)) {
                Some(b) => Value::Bool(!b),
                None => Value::Unknown,
            },
            ExprKind::BoolOp(and, l, r) => {
                let a = self.expr(l);
                match (truthy(&a), and) {
                    (Some(false), true) | (Some(true), false) => a,
                    (Some(_), _) => self.expr(r),
                    (None, _) => {
                        self.expr(r);
                        Value::Unknown
                    }
                }
            }
            ExprKind::Compare(op, l, r) => {
                let a = self.expr(l);
                let b = self.expr(r);
                // `torch.rand(B, N) < ratio`: a tensor compared is a tensor of booleans
                // (a mask), which carries no gradient.
                let ordering = matches!(
                    op,
                    CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE | CmpOp::Eq | CmpOp::NotEq
                );
                if ordering && (matches!(a, Value::Tensor(_)) || matches!(b, Value::Tensor(_))) {
                    return self.builtin_node("compare", vec![a, b], Vec::new(), e.span);
                }
                compare(*op, &a, &b)
            }
            ExprKind::Tuple(items) => Value::Tuple(Rc::new(self.seq(items))),
            ExprKind::List(items) => Value::List(Rc::new(RefCell::new(self.seq(items)))),
            // `{"cls": c1, "patch": c2}`: read through one representative value, like the
            // outputs of networks that return dicts, so `t[key] - center[key]` keeps its
            // subtraction.
            ExprKind::Dict(pairs) => {
                let values: Vec<Value> = pairs.iter().map(|(_, v)| self.expr(v)).collect();
                let keys: Option<Vec<String>> = pairs
                    .iter()
                    .map(|(k, _)| match &k.kind {
                        ExprKind::Str(k) => Some(k.clone()),
                        _ => None,
                    })
                    .collect();
                self.dict_of(keys, values, span)
            }
            ExprKind::Slice(..) | ExprKind::Unknown => Value::Unknown,
            // `models.__dict__[args.arch]` (the SimSiam, MoCo and DINO repositories): an
            // architecture of a library picked by name, a network as `resnet50` is.
            ExprKind::Subscript(base, _) if matches!(&base.kind, ExprKind::Attr(_, a) if a == "__dict__") => {
                Value::Global(Rc::from(super::facts::ARCHITECTURE))
            }
            ExprKind::Subscript(base, idx) => {
                let b = self.expr(base);
                self.subscript(b, idx, span)
            }
            ExprKind::Comprehension {
                elt,
                target,
                iter,
                cond,
            } => {
                let out = self
                    .comprehension(elt, target, iter, cond.as_deref(), span)
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect();
                Value::List(Rc::new(RefCell::new(out)))
            }
            ExprKind::IfExp { body, test, orelse } => match truthy(&self.expr(test)) {
                Some(true) => self.expr(body),
                Some(false) => self.expr(orelse),
                None => {
                    let b = self.expr(body);
                    let o = self.expr(orelse);
                    if matches!(b, Value::Tensor(_)) { b } else { o }
                }
            },
            // `{k: student(img) for k, img in views.items()}`: each key is the first of the
            // item's pair, as `.items()` gives them; string keys make a record, as a dict
            // written out does, and any other dict is read as its first value.
            ExprKind::DictComprehension(inner) => {
                let ExprKind::Comprehension {
                    elt,
                    target,
                    iter,
                    cond,
                } = &inner.kind
                else {
                    return Value::Unknown;
                };
                let pairs = self.comprehension(elt, target, iter, cond.as_deref(), span);
                // `{k: v.detach().clone() for k, v in student.named_parameters()}`: the
                // student's weights copied, by name. They are a network of their own, as
                // `copy.deepcopy` makes, which `functional_call(student, teacher_params,
                // (x,))` runs and `teacher_params[k].mul_(m)` updates.
                if let Some(m) = copied_parameters(&pairs) {
                    return Value::Params(Rc::new(vec![self.copy_module(m, span)]));
                }
                let keys: Option<Vec<String>> = pairs
                    .iter()
                    .map(|(item, _)| match item {
                        Value::Tuple(pair) if pair.len() == 2 => match &pair[0] {
                            Value::Str(k) => Some(k.to_string()),
                            _ => None,
                        },
                        Value::Str(k) => Some(k.to_string()),
                        _ => None,
                    })
                    .collect();
                let recordable = pairs.iter().all(|(_, v)| {
                    matches!(
                        v,
                        Value::Module(_) | Value::Global(_) | Value::Tensor(_) | Value::Tuple(_)
                    )
                });
                match keys {
                    Some(keys) if !keys.is_empty() && recordable => self.record(
                        keys.into_iter().zip(pairs.into_iter().map(|(_, v)| v)),
                        span,
                    ),
                    _ => pairs.into_iter().next().map_or(Value::Unknown, |(_, v)| v),
                }
            }
            ExprKind::Lambda { params, body } => {
                Value::Lambda(Rc::new((params.clone(), (**body).clone())))
            }
            ExprKind::Star(inner) | ExprKind::KeywordSplat(inner) => self.expr(inner),
        }
    }

    /// A dict written out (`{"G_AB": G_AB, ...}`, `dict(lr=0.05, momentum=0.996)`), with
    /// its keys where all are strings. `{"G_AB": G_AB, "D_A": D_A}`, `nn.ModuleDict({...})`:
    /// networks by name, a network whose parts are the entries, so `nets["G_AB"]` is
    /// `G_AB`; `{"fake_B": G_AB(a), "rec_A": ...}`, a record of tensors kept the same way;
    /// `{"G": Adam(...), "D_A": Adam(...)}`, optimizers by name; `{"lr": 0.05, "m": 0.996}`,
    /// a record of settings, so `cfg["m"]` is the number; and `out = {}` filled in later
    /// (`out[k] = (z, predictor(z))`), whose entries are what is stored under each key.
    /// Any other dict is read as its first value (`{"loss": loss, "acc": 0.5}`).
    fn dict_of(&mut self, keys: Option<Vec<String>>, values: Vec<Value>, span: Span) -> Value {
        let of_networks_or_tensors = values.iter().all(|v| {
            matches!(
                v,
                Value::Module(_) | Value::Global(_) | Value::Tensor(_) | Value::Optimizer(_)
            )
        });
        let of_settings = values.iter().all(|v| {
            matches!(
                v,
                Value::Num(_) | Value::Str(_) | Value::Bool(_) | Value::None
            )
        });
        match keys {
            Some(keys) if of_networks_or_tensors || of_settings => {
                self.record(keys.into_iter().zip(values), span)
            }
            _ => values.into_iter().next().unwrap_or(Value::Unknown),
        }
    }

    /// A dict with string keys, written out or by a comprehension: a record whose
    /// attributes are its entries. An optimizer kept in one is known by its key
    /// (`opt["G"]`).
    fn record(&mut self, entries: impl IntoIterator<Item = (String, Value)>, span: Span) -> Value {
        let d = self.a.new_module(ModuleInfo {
            ctor: RECORD.to_string(),
            span,
            ..Default::default()
        });
        for (k, v) in entries {
            if let Value::Optimizer(o) = v
                && self.a.optimizers[o].name.is_empty()
            {
                self.a.optimizers[o].name = k.clone();
            }
            self.set_attr(Value::Module(d), &k, v, span);
        }
        Value::Module(d)
    }

    /// The items a comprehension goes through, each with what it computes for it; its
    /// variables are its own (Python 3), saved and restored.
    fn comprehension(
        &mut self,
        elt: &Expr,
        target: &Expr,
        iter: &Expr,
        cond: Option<&Expr>,
        span: Span,
    ) -> Vec<(Value, Value)> {
        let it = self.expr(iter);
        let items = self.iterate(&it, span);
        let names: Vec<String> = crate::ir::names_in_target(target);
        let saved: Vec<(String, Option<Value>)> = names
            .iter()
            .map(|n| (n.clone(), self.scope_get(n)))
            .collect();
        self.in_comprehension += 1;
        let mut out = Vec::new();
        for item in items {
            self.assign(target, item.clone(), span);
            if let Some(c) = cond
                && truthy(&self.expr(c)) == Some(false)
            {
                continue;
            }
            match &elt.kind {
                ExprKind::Star(inner) => match self.expr(inner) {
                    Value::List(l) => {
                        out.extend(l.borrow().iter().map(|v| (item.clone(), v.clone())))
                    }
                    other => out.push((item, other)),
                },
                _ => out.push((item, self.expr(elt))),
            }
        }
        self.in_comprehension -= 1;
        for (n, v) in saved {
            self.scope_set(&n, v);
        }
        out
    }

    fn seq(&mut self, items: &[Expr]) -> Vec<Value> {
        let mut out = Vec::new();
        for i in items {
            match &i.kind {
                ExprKind::Star(inner) => match self.expr(inner) {
                    Value::List(l) => out.extend(l.borrow().iter().cloned()),
                    Value::Tuple(t) => out.extend(t.iter().cloned()),
                    other => out.push(other),
                },
                _ => out.push(self.expr(i)),
            }
        }
        out
    }

    fn subscript(&mut self, b: Value, idx: &Expr, span: Span) -> Value {
        // `images[:2]` of a loader's list of crops, `views[1:]` of a list: the crops or
        // items kept, so that a comprehension over them still sees each one.
        if let ExprKind::Slice(start, stop) = &idx.kind {
            let mut bound = |e: &Option<Box<Expr>>| match e {
                None => Some(None),
                Some(e) => match self.expr(e) {
                    Value::Num(k) if k.fract() == 0.0 => Some(Some(k as i64)),
                    _ => None,
                },
            };
            let (from, to) = (bound(start), bound(stop));
            let items = match &b {
                Value::List(items) => Some(items.borrow().clone()),
                Value::Tuple(items) => Some(items.to_vec()),
                _ => None,
            };
            if let (Some(items), Some(from), Some(to)) = (items, from, to) {
                let len = items.len() as i64;
                let at = |k: Option<i64>, default: i64| {
                    let k = k.unwrap_or(default);
                    (if k < 0 { len + k } else { k }).clamp(0, len) as usize
                };
                let (a, z) = (at(from, 0), at(to, len));
                let kept = items.get(a..z.max(a)).unwrap_or_default().to_vec();
                return Value::List(Rc::new(RefCell::new(kept)));
            }
            if let Value::Tensor(t) = &b
                && matches!(from, Some(None) | Some(Some(0)))
                && super::facts::is_loader_output(&self.a.graph, *t)
            {
                return b;
            }
        }
        let i = self.expr(idx);
        // `G[0]` of `nn.ModuleList([G_AB, G_BA])` or an `nn.Sequential`: that layer.
        if let (Value::Module(m), Value::Num(k)) = (&b, &i)
            && k.fract() == 0.0
            && let Some(layer) = self.a.modules[*m].attrs.get(&(*k as i64).to_string())
        {
            return layer.clone();
        }
        match (&b, &i) {
            (Value::Module(m), Value::Str(key))
                if self.a.modules[*m].attrs.contains_key(key.as_ref()) =>
            {
                self.a.modules[*m].attrs[key.as_ref()].clone()
            }
            (Value::List(items), Value::Num(k)) => {
                let items = items.borrow();
                index_seq(&items, *k).unwrap_or(Value::Unknown)
            }
            (Value::Tuple(items), Value::Num(k)) => index_seq(items, *k).unwrap_or(Value::Unknown),
            (Value::Params(ms), _) if ms.len() == 1 => Value::Param(ms[0]),
            // `s_cls[v]` of `s_cls, s_patch = student([u, v])`: view `v`'s part.
            (Value::Tensor(t), Value::Num(k))
                if k.fract() == 0.0
                    && let Some(n) = self.views_batched_in(*t)
                    && (0.0..n as f64).contains(k) =>
            {
                self.batched_view(*t, *k as usize, n, span)
            }
            // `out[0]` of a network that returns a pair, and `images[0]`, `images[1]` of
            // a loader that yields the list of two crops (the SimSiam and MoCo
            // repositories): one part each, so that the two crops are two views.
            (Value::Tensor(t), Value::Num(k))
                if *k >= 0.0
                    && k.fract() == 0.0
                    && (matches!(self.a.graph.op(*t), Op::Apply { .. })
                        || super::facts::is_loader_output(&self.a.graph, *t)) =>
            {
                Value::Tensor(self.node(
                    Op::Part {
                        of: *t,
                        key: PartKey::Index(*k as usize),
                        arity: None,
                    },
                    span,
                ))
            }
            (Value::Tensor(t), Value::Str(key)) => Value::Tensor(self.node(
                Op::Part {
                    of: *t,
                    key: PartKey::Key(key.to_string()),
                    arity: None,
                },
                span,
            )),
            // `cfg["pred_hidden"]` of settings the answer never shows: one setting, as
            // `cfg.pred_hidden` is.
            (Value::Global(name), Value::Str(key))
                if crate::analysis::facts::is_settings_root(name) =>
            {
                Value::Global(format!("{name}.{key}").into())
            }
            (Value::Global(name), Value::Str(key)) => {
                let d = self.data_node(name, span);
                Value::Tensor(self.node(
                    Op::Part {
                        of: d,
                        key: PartKey::Key(key.to_string()),
                        arity: None,
                    },
                    span,
                ))
            }
            (Value::Tensor(t), _) => {
                let kind = self.select_kind(idx, &i);
                Value::Tensor(self.node(Op::Select { of: *t, kind }, span))
            }
            // `momentum_schedule[it]`: one value of an undefined schedule is a number.
            (Value::Global(name), _) if is_schedule_name(name) => {
                let n = self.node(Op::Symbol(name.to_string()), span);
                Value::Tensor(n)
            }
            (Value::Global(name), _) => {
                let d = self.data_node(name, span);
                let kind = self.select_kind(idx, &i);
                Value::Tensor(self.node(Op::Select { of: d, kind }, span))
            }
            _ => Value::Unknown,
        }
    }

    fn select_kind(&self, idx: &Expr, v: &Value) -> SelectKind {
        if let Value::Tensor(n) = v
            && super::facts::mentions_mask(&self.a.graph, &self.a.modules, *n)
        {
            return SelectKind::Masked;
        }
        // `s_patch[m_u]` with a mask the answer never makes, or one an undefined masker
        // called with no image makes (`m_u = máscara_por_bloques()`).
        let names_mask = match v {
            Value::Global(g) => super::facts::is_mask_symbol(g),
            Value::Module(m) => self
                .a
                .module_names(*m)
                .iter()
                .any(|n| super::facts::is_mask_symbol(n)),
            Value::Tensor(n) => self
                .a
                .graph
                .node(*n)
                .names
                .iter()
                .any(|n| super::facts::is_mask_symbol(n)),
            _ => false,
        };
        if names_mask {
            return SelectKind::Masked;
        }
        if let Value::Tensor(n) = v {
            return SelectKind::ByTensor(*n);
        }
        if let ExprKind::Tuple(parts) = &idx.kind
            && parts.len() == 2
        {
            match &parts[1].kind {
                ExprKind::Num(x) if *x == 0.0 => return SelectKind::Cls,
                ExprKind::Slice(..) => return SelectKind::Patches,
                _ => {}
            }
        }
        SelectKind::Other
    }

    fn binop(&mut self, op: BinOp, a: Value, b: Value, span: Span) -> Value {
        match (&a, &b) {
            (Value::Num(x), Value::Num(y)) => {
                return match op {
                    BinOp::Add => Value::Num(x + y),
                    BinOp::Sub => Value::Num(x - y),
                    BinOp::Mul => Value::Num(x * y),
                    BinOp::Div if *y != 0.0 => Value::Num(x / y),
                    BinOp::Pow => Value::Num(x.powf(*y)),
                    BinOp::Mod if *y != 0.0 => Value::Num(x % y),
                    BinOp::FloorDiv if *y != 0.0 => Value::Num((x / y).floor()),
                    _ => Value::Unknown,
                };
            }
            (Value::Params(x), Value::Params(y)) if op == BinOp::Add => {
                return Value::Params(Rc::new(x.iter().chain(y.iter()).copied().collect()));
            }
            // `[augment(x)] * 2`: the same element repeated.
            (Value::List(x), Value::Num(k)) | (Value::Num(k), Value::List(x))
                if op == BinOp::Mul && *k >= 1.0 && k.fract() == 0.0 && *k <= MAX_UNROLL as f64 =>
            {
                let items = x.borrow().clone();
                let repeated: Vec<Value> = (0..*k as usize)
                    .flat_map(|_| items.iter().cloned())
                    .collect();
                return Value::List(Rc::new(RefCell::new(repeated)));
            }
            (Value::List(x), Value::List(y)) if op == BinOp::Add => {
                let joined: Vec<Value> = x
                    .borrow()
                    .iter()
                    .chain(y.borrow().iter())
                    .cloned()
                    .collect();
                return Value::List(Rc::new(RefCell::new(joined)));
            }
            (Value::Module(x), Value::Module(y)) if op == BinOp::Add => {
                let (x, y) = (*x, *y);
                return Value::Module(self.compose("Sequential", vec![x, y], span));
            }
            // `f = encoder(resnet50) + projection_mlp`: what is added to a network is a
            // network, stacked after it, as "backbone + projection MLP" says in words.
            (Value::Module(x), Value::Global(g)) if op == BinOp::Add => {
                let (x, y) = (*x, self.implicit_module(g));
                return Value::Module(self.compose("Sequential", vec![x, y], span));
            }
            (Value::Global(g), Value::Module(y)) if op == BinOp::Add => {
                let (x, y) = (self.implicit_module(g), *y);
                return Value::Module(self.compose("Sequential", vec![x, y], span));
            }
            (Value::Str(_), _) | (_, Value::Str(_)) => return Value::Unknown,
            _ => {}
        }
        // `[x]` used as parentheses in arithmetic.
        let a = single_list_element(a);
        let b = single_list_element(b);
        // `f_t ← λ·f_t + (1 − λ)·f_s`: a network scaled by or added to a number or a
        // tensor stands for its parameters, also one the answer never defines but has
        // called (`f_s(û)`).
        let network = |ev: &Self, v: &Value| match v {
            Value::Module(m) => Some(*m),
            Value::Global(g) => ev.implicit_modules.get(&**g).copied(),
            _ => None,
        };
        // An undefined name that is no network (`m` in `m * ft`) is a number.
        let numeric = |ev: &Self, v: &Value| match v {
            Value::Num(_) | Value::Tensor(_) => true,
            Value::Global(_) => network(ev, v).is_none(),
            _ => false,
        };
        let (a, b) = match (network(self, &a), network(self, &b)) {
            (Some(m), _) if numeric(self, &b) => (Value::Param(m), b),
            (_, Some(m)) if numeric(self, &a) => (a, Value::Param(m)),
            _ => (a, b),
        };
        // A number the analysis cannot compute (`schedule[it]` of an unknown schedule)
        // is a symbol of its own: read twice, it is the same number, so `m·θt + (1 − m)·θs`
        // still adds up to one.
        let a = self.unknown_as_symbol(a, span);
        let b = self.unknown_as_symbol(b, span);
        // `0 + term` from `loss = 0; loss += term`.
        if op == BinOp::Add && matches!(a, Value::Num(x) if x == 0.0) && !matches!(b, Value::Num(_))
        {
            return b;
        }
        match (self.to_node(&a, span, false), self.to_node(&b, span, false)) {
            (Some(x), Some(y)) => Value::Tensor(self.node(Op::Bin(op, x, y), span)),
            // An unknown operand leaves a tensor a tensor (`loss + reg` with `reg` unknown),
            // but a number combined with something unknown is unknown.
            (Some(x), None) | (None, Some(x)) if !self.a.graph.is_scalar(x) => Value::Tensor(x),
            (Some(_), None) | (None, Some(_)) => Value::Unknown,
            (None, None) => Value::Unknown,
        }
    }

    fn unknown_as_symbol(&mut self, v: Value, span: Span) -> Value {
        match v {
            Value::Unknown => {
                let n = self.a.graph.nodes.len();
                Value::Tensor(self.node(Op::Symbol(format!("?{n}")), span))
            }
            other => other,
        }
    }

    fn get_attr(&mut self, o: Value, attr: &str, span: Span) -> Value {
        match o {
            Value::Builtin(path) => Value::Builtin(format!("{path}.{attr}").into()),
            Value::Module(m) => {
                if let Some(v) = self.a.modules[m].attrs.get(attr) {
                    return v.clone();
                }
                if let Some(class) = self.a.modules[m].class.clone()
                    && let Some(f) = class.method(attr)
                {
                    // A `@staticmethod` (`self.D(p, z)`) is given no instance.
                    let this = (!f.is_static()).then(|| Box::new(Value::Module(m)));
                    return Value::Func(f, this);
                }
                // `hp.lambda_cyc` of a class whose body sets `lambda_cyc = 10.0` (a
                // settings class, a `@dataclass`).
                if let Some(class) = self.a.modules[m].class.clone()
                    && let Some((_, value)) = class.fields().find(|(field, _)| *field == attr)
                {
                    return self.expr(value);
                }
                if matches!(attr, "params" | "weights" | "theta" | "θ" | "data") {
                    return Value::Param(m);
                }
                if is_module_method(attr)
                    || (crate::analysis::facts::AVERAGING_METHODS.contains(&attr)
                        && self.a.modules[m].attrs.contains_key(AVERAGING_RULE))
                    || (self.a.is_record(m)
                        && matches!(attr, "values" | "items" | "keys" | "get" | "pop"))
                    || (matches!(attr, "query" | "push_and_pop")
                        && self.a.modules[m].class.is_none())
                    || (WRAPPER_METHODS.contains(&attr) && self.a.modules[m].class.is_none())
                    || crate::analysis::facts::FORWARD_METHODS.contains(&attr)
                {
                    return Value::Method(Box::new(Value::Module(m)), attr.into());
                }
                // `self.hparams.lambda_cyc` (Lightning's `save_hyperparameters()`),
                // `self.opt.lambda_A`: settings the base class keeps, numbers by name.
                if super::facts::is_settings_root(attr) {
                    return Value::Global(attr.into());
                }
                // An attribute the answer never set: a submodule (`model.encoder`).
                let base = self.a.modules[m].name.clone();
                let sub = self.implicit_module(&format!("{base}.{attr}"));
                self.a.modules[sub].parent = Some(m);
                if self.a.modules[sub].aliases.is_empty() {
                    self.a.modules[sub].aliases.push(attr.to_string());
                }
                Value::Module(sub)
            }
            Value::Param(m) => match attr {
                "data" => Value::Param(m),
                _ => Value::Method(Box::new(Value::Param(m)), attr.into()),
            },
            Value::Tensor(t) => match attr {
                "data" => Value::Tensor(self.node(Op::Detach(t), span)),
                "T" | "mT" | "real" => Value::Tensor(t),
                "shape" => Value::Unknown,
                _ if is_tensor_method(attr)
                    || fuzzy_method(attr) != attr
                    || !matches!(self.a.graph.op(t), Op::Apply { .. } | Op::Part { .. }) =>
                {
                    Value::Method(Box::new(Value::Tensor(t)), attr.into())
                }
                // `out.cls`, `out.patch`: a named field of what a network returns.
                _ => {
                    let n = self.node(
                        Op::Part {
                            of: t,
                            key: PartKey::Key(attr.to_string()),
                            arity: None,
                        },
                        span,
                    );
                    self.a.graph.name(n, attr);
                    Value::Tensor(n)
                }
            },
            Value::Global(name) => {
                // `keras.optimizers.SGD`, `tf.math.l2_normalize`: a library's path, whose
                // parts are no methods (`optimizers` is not Lightning's).
                let root = name.split('.').next().unwrap_or(&name);
                if LIBRARY_ROOTS.contains(&root) {
                    return Value::Global(format!("{name}.{attr}").into());
                }
                if matches!(attr, "params" | "weights" | "theta" | "θ") {
                    let m = self.implicit_module(&name);
                    return Value::Param(m);
                }
                if is_module_method(attr)
                    || is_tensor_method(attr)
                    || WRAPPER_METHODS.contains(&attr)
                    || matches!(attr, "step" | "zero_grad" | "query" | "scale" | "update")
                {
                    return Value::Method(Box::new(Value::Global(name)), attr.into());
                }
                let full = format!("{name}.{attr}");
                if self.implicit_modules.contains_key(&name as &str) {
                    let parent = self.implicit_module(&name);
                    let sub = self.implicit_module(&full);
                    self.a.modules[sub].parent = Some(parent);
                    if self.a.modules[sub].aliases.is_empty() {
                        self.a.modules[sub].aliases.push(attr.to_string());
                    }
                    return Value::Module(sub);
                }
                Value::Global(full.into())
            }
            Value::Optimizer(_) | Value::Params(_) | Value::List(_) => {
                Value::Method(Box::new(o), attr.into())
            }
            // `Losses.adversarial(pred)`, `Losses.mse`: a class's static methods and its
            // fields, read on the class itself.
            Value::Class(c) => match c.method(attr) {
                Some(f) => Value::Func(f, None),
                None => match c.fields().find(|(field, _)| *field == attr) {
                    Some((_, value)) => {
                        let value = value.clone();
                        self.expr(&value)
                    }
                    None => Value::Unknown,
                },
            },
            Value::Unknown => Value::Unknown,
            other => Value::Method(Box::new(other), attr.into()),
        }
    }

    // ---- calls ----

    fn call(
        &mut self,
        f: Value,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        match f {
            Value::Func(def, bound) => self.call_func(&def, bound.map(|b| *b), args, kwargs, span),
            Value::Lambda(l) => self.call_lambda(&l, args, "lambda", span),
            Value::Partial(p) => {
                let (f, given, given_kw) = p.as_ref();
                let args = given.iter().cloned().chain(args).collect();
                let kwargs = given_kw.iter().cloned().chain(kwargs).collect();
                self.call(f.clone(), args, kwargs, span)
            }
            Value::Class(c) => self.instantiate(c, args, kwargs, span),
            Value::Module(m) => self.apply_module(m, args, kwargs, span),
            Value::Builtin(path) => self.call_builtin(&path, args, kwargs, span),
            Value::Method(recv, name) => self.call_method(*recv, &name, args, kwargs, span),
            // `out.chunk(2)` read first as a field `chunk` of `out`: called, it is a method.
            Value::Tensor(t)
                if matches!(
                    self.a.graph.op(t),
                    Op::Part {
                        key: PartKey::Key(_),
                        ..
                    }
                ) =>
            {
                let Op::Part {
                    of,
                    key: PartKey::Key(name),
                    ..
                } = self.a.graph.op(t).clone()
                else {
                    return Value::Unknown;
                };
                self.call_method(Value::Tensor(of), &name, args, kwargs, span)
            }
            Value::Global(name) => self.call_global(&name, args, kwargs, span),
            // A number "called" is handwriting's juxtaposition: `λ (a + b)`.
            Value::Num(x) if args.len() == 1 => {
                let a = args.into_iter().next().unwrap_or(Value::Unknown);
                self.binop(BinOp::Mul, Value::Num(x), a, span)
            }
            Value::Tensor(t) if args.len() == 1 && self.a.graph.is_scalar(t) => {
                let a = args.into_iter().next().unwrap_or(Value::Unknown);
                self.binop(BinOp::Mul, Value::Tensor(t), a, span)
            }
            _ => Value::Unknown,
        }
    }

    /// `D = lambda p, z: ...` called as `D(p1, z2)`: like a function of the answer that
    /// returns one tensor, a frame named where it is bound, so that a loss written as a
    /// lambda is one term at its call.
    fn call_lambda(
        &mut self,
        l: &Rc<(Vec<String>, Expr)>,
        args: Vec<Value>,
        name: &str,
        span: Span,
    ) -> Value {
        let mut frame = HashMap::new();
        let mut tensor_args = Vec::new();
        for (p, a) in l.0.iter().zip(args) {
            self.frame_argument(p, &a, span, &mut tensor_args);
            frame.insert(p.clone(), a);
        }
        self.frames.push(frame);
        let v = self.expr(&l.1);
        self.frames.pop();
        self.frame(name.to_string(), tensor_args, v, span)
    }

    /// An argument of a call of the answer's function (or lambda) as the frame records
    /// it: a tensor, named for its parameter, and numbers too, since `ls(pred, 1)` and
    /// `lsgan(pred, True)` compare with the "real" target.
    fn frame_argument(
        &mut self,
        param: &str,
        v: &Value,
        span: Span,
        tensor_args: &mut Vec<NodeId>,
    ) {
        match v {
            Value::Tensor(t) => {
                tensor_args.push(*t);
                self.a.graph.name(*t, param);
            }
            Value::Num(_) | Value::Bool(_) => {
                if let Some(n) = self.to_node(v, span, false) {
                    tensor_args.push(n);
                }
            }
            _ => {}
        }
    }

    /// What a function of the answer returns: one tensor is a frame (a loss function,
    /// `D`, a loss class's `forward`), one term named where it is called; anything else
    /// is itself.
    fn frame(&mut self, func: String, args: Vec<NodeId>, result: Value, span: Span) -> Value {
        match result {
            Value::Tensor(r) => Value::Tensor(self.node(
                Op::Frame {
                    func,
                    args,
                    result: r,
                },
                span,
            )),
            other => other,
        }
    }

    pub fn call_func(
        &mut self,
        def: &Rc<FuncDef>,
        bound: Option<Value>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        if self.call_depth >= MAX_CALL_DEPTH || self.over_budget() {
            self.a.recursion_limited = true;
            return Value::Unknown;
        }
        if !self.called_funcs.contains(&def.name) {
            self.called_funcs.push(def.name.clone());
        }
        let mut frame = HashMap::new();
        let mut params = def.params.iter();
        if let Some(b) = &bound {
            if let Some(p) = params.next() {
                frame.insert(p.name.clone(), b.clone());
            }
        }
        let mut args = args.into_iter();
        let mut tensor_args = Vec::new();
        for p in params {
            if let Some(rest) = p.name.strip_prefix('*') {
                let remaining: Vec<Value> = args.by_ref().collect();
                frame.insert(rest.to_string(), Value::Tuple(Rc::new(remaining)));
                continue;
            }
            let v = match args.next() {
                Some(v) => v,
                None => match kwargs.iter().find(|(k, _)| k == &p.name) {
                    Some((_, v)) => v.clone(),
                    None => match &p.default {
                        Some(d) => self.expr(d),
                        None => Value::Global(p.name.as_str().into()),
                    },
                },
            };
            self.frame_argument(&p.name, &v, span, &mut tensor_args);
            frame.insert(p.name.clone(), v);
        }
        let no_grad = def.decorators.iter().any(|d| is_no_grad_decorator(d));
        if no_grad {
            self.no_grad += 1;
        }
        self.frames.push(frame);
        if let Some(b) = bound.clone() {
            self.classes_self.push(b);
        }
        self.call_depth += 1;
        let flow = self.block(&def.body);
        self.call_depth -= 1;
        if bound.is_some() {
            self.classes_self.pop();
        }
        self.frames.pop();
        if no_grad {
            self.no_grad -= 1;
        }
        let result = match flow {
            Flow::Return(v) => v,
            Flow::Normal | Flow::Continue | Flow::Break => Value::None,
        };
        let func = match (&bound, def.name.as_str()) {
            (Some(Value::Module(m)), "forward" | "__call__") => self.a.module_name(*m),
            _ => def.name.clone(),
        };
        self.frame(func, tensor_args, result, span)
    }

    fn instantiate(
        &mut self,
        c: Rc<ClassDef>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let m = self.a.new_module(ModuleInfo {
            ctor: c.name.clone(),
            class: Some(c.clone()),
            span,
            ..Default::default()
        });
        if let Some(init) = c.method("__init__") {
            self.call_func(&init, Some(Value::Module(m)), args, kwargs, span);
        }
        Value::Module(m)
    }

    fn apply_module(
        &mut self,
        m: ModId,
        mut args: Vec<Value>,
        mut kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        if let Some(class) = self.a.modules[m].class.clone() {
            if let Some(fwd) = class.method("forward").or_else(|| class.method("__call__")) {
                return self.call_func(&fwd, Some(Value::Module(m)), args, kwargs, span);
            }
        }
        if let Some(alias) = self.a.modules[m].builtin.clone() {
            return self.builtin_node(&alias, args, kwargs, span);
        }
        crate::analysis::facts::input_first(&mut args, &mut kwargs);
        let argn: Vec<NodeId> = args
            .iter()
            .filter_map(|a| self.to_node(a, span, true))
            .collect();
        let kwn: Vec<(String, NodeId)> = kwargs
            .iter()
            .filter_map(|(k, v)| self.to_node(v, span, true).map(|n| (k.clone(), n)))
            .collect();
        let n = self.node(
            Op::Apply {
                module: m,
                args: argn,
                kwargs: kwn,
            },
            span,
        );
        self.a.graph.nodes[n].frozen = self.a.modules[m].frozen;
        Value::Tensor(n)
    }

    fn builtin_node(
        &mut self,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let argn: Vec<NodeId> = args
            .iter()
            .filter_map(|a| self.to_node(a, span, true))
            .collect();
        let kwn: Vec<(String, NodeId)> = kwargs
            .iter()
            .filter_map(|(k, v)| self.to_node(v, span, false).map(|n| (k.clone(), n)))
            .collect();
        Value::Tensor(self.node(
            Op::Builtin {
                name: name.to_string(),
                args: argn,
                kwargs: kwn,
            },
            span,
        ))
    }

    fn modules_in(&self, v: &Value) -> Vec<ModId> {
        match v {
            Value::Module(m) | Value::Param(m) => vec![*m],
            Value::Params(ms) => ms.to_vec(),
            Value::List(items) => items
                .borrow()
                .iter()
                .flat_map(|i| self.modules_in(i))
                .collect(),
            Value::Tuple(items) => items.iter().flat_map(|i| self.modules_in(i)).collect(),
            _ => Vec::new(),
        }
    }

    fn params_of(&mut self, v: &Value) -> Vec<ModId> {
        match v {
            Value::Global(name) => vec![self.implicit_module(name)],
            Value::List(items) => {
                let items = items.borrow().clone();
                items.iter().flat_map(|i| self.params_of(i)).collect()
            }
            Value::Tuple(items) => items.iter().flat_map(|i| self.params_of(i)).collect(),
            other => self.modules_in(other),
        }
    }

    fn call_builtin(
        &mut self,
        path: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let name = last_segment(path);
        if let Some(b) = path.strip_prefix("builtins.") {
            return self.call_python_builtin(b, args, kwargs, span);
        }
        // `torch.optim.swa_utils.AveragedModel(student, ...)`, `nn.Parameter(...)`.
        if is_weight_helper(name) {
            return self.weight_helper(name, args, kwargs, span);
        }
        // `itertools.cycle(zip(loader_A, loader_B))`, `islice(loader, n)`: the same
        // batches, over again or fewer of them.
        if matches!(path, "itertools.cycle" | "itertools.islice") {
            return args.into_iter().next().unwrap_or(Value::Unknown);
        }
        // `itertools.permutations(range(2), 2)`: the pairs of views (0, 1) and (1, 0).
        if let Some(kind @ ("permutations" | "combinations" | "product")) =
            path.strip_prefix("itertools.")
        {
            let items = args
                .first()
                .map(|a| self.iterate(a, span))
                .unwrap_or_default();
            let r = args.get(1).or_else(|| {
                kwargs
                    .iter()
                    .find(|(k, _)| k == "r" || k == "repeat")
                    .map(|(_, v)| v)
            });
            let r = match r {
                Some(Value::Num(r)) => *r as usize,
                _ if kind == "product" => 1,
                _ => items.len(),
            };
            return match crate::ir::itertools_positions(kind, items.len(), r) {
                Some(tuples) => Value::List(Rc::new(RefCell::new(
                    tuples
                        .into_iter()
                        .map(|t| {
                            Value::Tuple(Rc::new(t.into_iter().map(|i| items[i].clone()).collect()))
                        })
                        .collect(),
                ))),
                None => Value::Unknown,
            };
        }
        if path == "functools.partial" {
            let mut args = args.into_iter();
            return match args.next() {
                Some(f) => Value::Partial(Rc::new((f, args.collect(), kwargs))),
                None => Value::Unknown,
            };
        }
        // `nn.ModuleDict({...})` of a dict of networks: that dict.
        if name == "ModuleDict"
            && let [d @ Value::Module(_)] = args.as_slice()
        {
            return d.clone();
        }
        // `grads = torch.autograd.grad(loss, params)`: the backward pass, whose gradients
        // a step written by hand then applies (`w -= lr * g`).
        // With respect to tensors (a WGAN-GP penalty's interpolated images) it is part
        // of a loss, not its backward pass.
        if path.ends_with("autograd.grad") {
            let inputs = args
                .get(1)
                .map(|inputs| self.iterate(inputs, span))
                .unwrap_or_default();
            let of_parameters = inputs
                .iter()
                .any(|i| matches!(i, Value::Param(_) | Value::Params(_)));
            if of_parameters && let Some(Value::Tensor(loss)) = args.first() {
                self.event(EventKind::Backward { loss: *loss }, span);
            }
            let count = inputs.len().max(1);
            let grads = (0..count)
                .map(|_| Value::Tensor(self.data_node(GRADIENTS, span)))
                .collect();
            return Value::Tuple(Rc::new(grads));
        }
        if method_of(path, GRADIENT_TAPE) == Some("gradient") {
            if let Some(Value::Tensor(loss)) = args.first() {
                self.event(EventKind::Backward { loss: *loss }, span);
            }
            return Value::Unknown;
        }
        // `args = parser.parse_args()`: undefined settings, read as `args.lr`.
        if let Some(method) = method_of(path, ARGUMENT_PARSER) {
            return if method.starts_with("parse") {
                Value::Global("args".into())
            } else {
                Value::None
            };
        }
        if crate::analysis::facts::wraps_a_network(path)
            && matches!(args.first(), Some(Value::Module(_)))
        {
            return args.into_iter().next().unwrap_or(Value::Unknown);
        }
        if matches!(name, "no_grad" | "inference_mode")
            || (name == "set_grad_enabled" && matches!(args.first(), Some(Value::Bool(false))))
        {
            return Value::NoGrad;
        }
        if OPTIMIZERS.contains(&name) {
            let first = args.first().cloned().or_else(|| {
                kwargs
                    .iter()
                    .find(|(k, _)| k == "params")
                    .map(|(_, v)| v.clone())
            });
            // A Keras optimizer is made without parameters: what it trains is said
            // when it steps (`apply_gradients`), or never, and then it is unknown.
            let params = first.map(|p| self.params_of(&p));
            self.a.optimizers.push(OptInfo {
                name: String::new(),
                params,
                span,
                given_gradients: false,
            });
            return Value::Optimizer(self.a.optimizers.len() - 1);
        }
        if let Some((_, alias)) = LOSS_MODULES.iter().find(|(c, _)| *c == name) {
            return Value::Module(self.a.new_module(ModuleInfo {
                ctor: name.to_string(),
                builtin: Some(alias.to_string()),
                span,
                ..Default::default()
            }));
        }
        if name == "deepcopy" {
            return match args.first() {
                Some(Value::Module(m)) => Value::Module(self.copy_module(*m, span)),
                Some(Value::Global(n)) => {
                    let src = self.implicit_module(n);
                    Value::Module(self.copy_module(src, span))
                }
                Some(other) => other.clone(),
                None => Value::Unknown,
            };
        }
        if name == "chain" {
            let ms: Vec<ModId> = args.iter().flat_map(|a| self.params_of(a)).collect();
            return Value::Params(Rc::new(ms));
        }
        // `torch._foreach_mul_(t_params, m)`, `torch._foreach_add_(t_params, s_params,
        // alpha=1 - m)`: the in-place update of each parameter of a list (the iBOT and
        // DINO repositories' EMA).
        if let Some(method) = name.strip_prefix("_foreach_")
            && method.ends_with('_')
        {
            return self.foreach_update(method, args, kwargs, span);
        }
        if matches!(
            name,
            "GradScaler" | "autocast" | "DataLoader" | "device" | "manual_seed"
        ) {
            // A gradient scaler is read through its methods (`scale`, `step`), like an
            // undefined object.
            return if name == "DataLoader" || name == "GradScaler" {
                Value::Global(name.into())
            } else if name == "autocast" {
                Value::None
            } else {
                Value::Unknown
            };
        }
        if path.starts_with("torch.nn.")
            && name.chars().next().is_some_and(char::is_uppercase)
            && path.matches('.').count() == 2
        {
            let children: Vec<ModId> = args.iter().flat_map(|a| self.modules_in(a)).collect();
            return Value::Module(self.compose(name, children, span));
        }
        // `torch.lerp(start, end, w)`: start + w·(end − start).
        if name == "lerp"
            && let [start, end, weight] = args.as_slice()
        {
            return self.lerp(start.clone(), end.clone(), weight.clone(), span);
        }
        if name == "chunk" && matches!(args.first(), Some(Value::Tensor(_))) {
            let Some(Value::Tensor(t)) = args.first() else {
                return Value::Unknown;
            };
            return self.chunk(*t, args.get(1), span);
        }
        // `torch.cat([cls_token, x], dim=1)`: joined along the tokens, not the batch,
        // with learned tokens that depend on no image: the images' features, as they are.
        let along_batch = kwargs
            .iter()
            .find(|(k, _)| k == "dim" || k == "axis")
            .map(|(_, v)| v)
            .or(args.get(1))
            .is_none_or(|d| matches!(d, Value::Num(x) if *x == 0.0));
        if name == "cat"
            && !along_batch
            && let Some(Value::List(items)) = args.first()
        {
            let items = items.borrow().clone();
            let nodes: Vec<NodeId> = items
                .iter()
                .filter_map(|v| match v {
                    Value::Tensor(t) => Some(*t),
                    _ => None,
                })
                .collect();
            let from_images: Vec<NodeId> = nodes
                .iter()
                .copied()
                .filter(|n| self.carries_data(*n))
                .collect();
            if nodes.len() == items.len() && from_images.len() == 1 {
                return Value::Tensor(from_images[0]);
            }
        }
        if name == "stack" || name == "cat" {
            let items = args.first().cloned().unwrap_or(Value::Unknown);
            return match self.to_node(&items, span, false) {
                Some(n) => Value::Tensor(n),
                None => Value::Unknown,
            };
        }
        self.builtin_node(name, args, kwargs, span)
    }

    /// Whether a tensor depends on the loader's data or a network's output (not only on
    /// constants and learned tokens).
    fn carries_data(&self, n: NodeId) -> bool {
        self.a
            .graph
            .depends_on(n, |op| matches!(op, Op::Data { .. } | Op::Apply { .. }))
    }

    /// A network built from others (`nn.Sequential(backbone, projector)`,
    /// `Backbone() + ProjectionMLP()`): they become its submodules.
    fn compose(&mut self, ctor: &str, children: Vec<ModId>, span: Span) -> ModId {
        let m = self.a.new_module(ModuleInfo {
            ctor: ctor.to_string(),
            span,
            ..Default::default()
        });
        for (i, c) in children.into_iter().enumerate() {
            self.a.modules[c].parent = Some(m);
            self.a.modules[m]
                .attrs
                .insert(i.to_string(), Value::Module(c));
        }
        m
    }

    /// The library's helpers around weights (see `is_weight_helper`):
    /// `nn.Parameter(torch.zeros(1, 1, dim))` is a learnable tensor, no network; a
    /// moving-average wrapper is a copy of its network (`averaged_copy`); and
    /// `get_ema_multi_avg_fn(0.999)` is the decay of the average it makes.
    fn weight_helper(
        &mut self,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        if crate::analysis::facts::averages_a_network(name) {
            return self.averaged_copy(name, args, kwargs, span);
        }
        args.into_iter().next().unwrap_or(Value::Unknown)
    }

    /// A moving-average wrapper of a network (`AveragedModel(student, avg_fn=ema)`): a
    /// copy of it, which keeps the network it follows and the rule it averages by, for
    /// its update method (`averaged_update`). `.module` and `.ema_model` are the copy.
    fn averaged_copy(
        &mut self,
        class: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let source = match args.first() {
            Some(Value::Module(m)) => *m,
            Some(Value::Global(g)) => self.implicit_module(g),
            _ => return Value::Unknown,
        };
        let copy = self.copy_module(source, span);
        let (keywords, default) = crate::analysis::facts::averaging_decay_keywords(class);
        let given = kwargs
            .iter()
            .find(|(k, _)| keywords.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
            .or_else(|| args.get(1).filter(|v| matches!(v, Value::Num(_))).cloned());
        let rule = given.unwrap_or(match default {
            Some(d) => Value::Num(d),
            None => Value::None,
        });
        let attrs = &mut self.a.modules[copy].attrs;
        attrs.insert(AVERAGED_SOURCE.to_string(), Value::Module(source));
        attrs.insert(AVERAGING_RULE.to_string(), rule);
        for alias in ["module", "ema_model", "ema"] {
            attrs.insert(alias.to_string(), Value::Module(copy));
        }
        Value::Module(copy)
    }

    /// `teacher.update_parameters(student)`: the copy moves towards the network by the
    /// wrapper's rule, the answer's `avg_fn(averaged, current, n)`, a decay `d`
    /// (`d·θ_t + (1 − d)·θ_s`), or `AveragedModel`'s plain running mean
    /// `θ_t + (θ_s − θ_t) / (n + 1)`.
    fn averaged_update(&mut self, copy: ModId, args: Vec<Value>, span: Span) -> Value {
        let attrs = &self.a.modules[copy].attrs;
        let rule = attrs.get(AVERAGING_RULE).cloned().unwrap_or(Value::None);
        let followed = attrs.get(AVERAGED_SOURCE).cloned();
        // The network given, or (ema-pytorch's `ema.update()`) the one it was made from.
        let given = args
            .first()
            .filter(|v| matches!(v, Value::Module(_) | Value::Global(_)));
        let source = match given.or(followed.as_ref()) {
            Some(Value::Module(m)) => Some(*m),
            Some(Value::Global(g)) => Some(self.implicit_module(&g.clone())),
            _ => None,
        };
        let Some(source) = source else {
            return Value::None;
        };
        let averaged = Value::Tensor(self.param_node(copy, span));
        let current = Value::Tensor(self.param_node(source, span));
        let value = match rule {
            Value::Func(..) | Value::Lambda(_) | Value::Partial(_) => self.call(
                rule,
                vec![averaged, current, Value::Num(1.0)],
                Vec::new(),
                span,
            ),
            Value::Num(d) => {
                let kept = self.binop(BinOp::Mul, Value::Num(d), averaged, span);
                let taken = self.binop(BinOp::Mul, Value::Num(1.0 - d), current, span);
                self.binop(BinOp::Add, kept, taken, span)
            }
            _ => {
                let step = self.binop(BinOp::Sub, current, averaged.clone(), span);
                let count = Value::Tensor(self.node(Op::Symbol("n_averaged".into()), span));
                let count = self.binop(BinOp::Add, count, Value::Num(1.0), span);
                let step = self.binop(BinOp::Div, step, count, span);
                self.binop(BinOp::Add, averaged, step, span)
            }
        };
        self.param_update(copy, &value, span);
        Value::None
    }

    fn copy_module(&mut self, src: ModId, span: Span) -> ModId {
        let mut info = self.a.modules[src].clone();
        info.copied_from = Some(src);
        info.name = String::new();
        info.aliases = Vec::new();
        info.implicit = false;
        info.span = span;
        let attrs = std::mem::take(&mut info.attrs);
        let m = self.a.new_module(info);
        for (k, v) in attrs {
            // `copy.deepcopy(nn.ModuleDict({"backbone": backbone, "head": head}))`: an
            // entry the answer never defines but names as a part of a network is copied
            // as a network, not shared with the original.
            let v = match v {
                Value::Global(g)
                    if crate::analysis::facts::names_a_network_part(&g)
                        || crate::analysis::facts::is_architecture_name(&g) =>
                {
                    Value::Module(self.implicit_module(&g))
                }
                other => other,
            };
            let v2 = match v {
                Value::Module(sub) => {
                    let c = self.copy_module(sub, span);
                    self.a.modules[c].name = k.clone();
                    self.a.modules[c].aliases.push(k.clone());
                    self.a.modules[c].parent = Some(m);
                    Value::Module(c)
                }
                other => other,
            };
            self.a.modules[m].attrs.insert(k, v2);
        }
        m
    }

    fn call_python_builtin(
        &mut self,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        match name {
            "range" => {
                let nums: Vec<Option<f64>> = args
                    .iter()
                    .map(|a| {
                        if let Value::Num(x) = a {
                            Some(*x)
                        } else {
                            None
                        }
                    })
                    .collect();
                let (start, stop) = match nums.as_slice() {
                    [Some(n)] => (0.0, *n),
                    [Some(a), Some(b)] | [Some(a), Some(b), _] => (*a, *b),
                    _ => return Value::List(Rc::new(RefCell::new(vec![Value::Unknown]))),
                };
                if stop - start > MAX_UNROLL as f64 {
                    return Value::List(Rc::new(RefCell::new(vec![Value::Num(start)])));
                }
                let items = (start as i64..stop as i64)
                    .map(|i| Value::Num(i as f64))
                    .collect();
                Value::List(Rc::new(RefCell::new(items)))
            }
            "zip" => {
                let seqs: Vec<Vec<Value>> = args.iter().map(|a| self.iterate(a, span)).collect();
                let n = seqs.iter().map(Vec::len).min().unwrap_or(0);
                let rows = (0..n)
                    .map(|i| Value::Tuple(Rc::new(seqs.iter().map(|s| s[i].clone()).collect())))
                    .collect();
                Value::List(Rc::new(RefCell::new(rows)))
            }
            "enumerate" => {
                // Over a list the answer writes, the counter is each position; over a
                // loader, whose one item here stands for every batch, it is any
                // iteration's number (`if (it + 1) % accum_steps == 0` may hold or not).
                let concrete = matches!(args.first(), Some(Value::List(_) | Value::Tuple(_)));
                let items = args
                    .first()
                    .map(|a| self.iterate(a, span))
                    .unwrap_or_default();
                let rows = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let counter = if concrete {
                            Value::Num(i as f64)
                        } else {
                            Value::Unknown
                        };
                        Value::Tuple(Rc::new(vec![counter, v]))
                    })
                    .collect();
                Value::List(Rc::new(RefCell::new(rows)))
            }
            // `dict(student.named_parameters())` is still the student's parameters.
            "dict" if matches!(args.first(), Some(Value::Params(_))) => {
                args.into_iter().next().unwrap_or(Value::Unknown)
            }
            // `cfg = dict(lr=5e-4, momentum=0.996)`, as `{"lr": 5e-4, ...}` is read.
            "dict" if args.is_empty() => {
                let (keys, values) = kwargs.into_iter().unzip();
                self.dict_of(Some(keys), values, span)
            }
            "list" | "tuple" | "iter" | "sorted" | "reversed" | "set" => {
                // `zip(ps, reversed(zs))`: the order is what pairs each view with the other.
                let ordered = |mut items: Vec<Value>| {
                    if name == "reversed" {
                        items.reverse();
                    }
                    Value::List(Rc::new(RefCell::new(items)))
                };
                match args.into_iter().next() {
                    Some(v @ Value::Params(_)) => v,
                    Some(Value::List(l)) => ordered(l.borrow().clone()),
                    Some(Value::Tuple(t)) => ordered(t.as_ref().clone()),
                    Some(other) => other,
                    None => Value::List(Rc::new(RefCell::new(Vec::new()))),
                }
            }
            "next" => match args.into_iter().next() {
                Some(v) => self
                    .iterate(&v, span)
                    .into_iter()
                    .next()
                    .unwrap_or(Value::Unknown),
                None => Value::Unknown,
            },
            "len" => match args.first() {
                Some(Value::List(l)) => Value::Num(l.borrow().len() as f64),
                Some(Value::Tuple(t)) => Value::Num(t.len() as f64),
                Some(Value::Tensor(t)) if let Some(k) = self.views_batched_in(*t) => {
                    Value::Num(k as f64)
                }
                _ => Value::Unknown,
            },
            "sum" => {
                let items = match args.first() {
                    Some(Value::List(l)) => l.borrow().clone(),
                    Some(Value::Tuple(t)) => t.as_ref().clone(),
                    // `sum(p * log(q))` over a tensor is the tensor sum; so is `sum(m_u)`
                    // of an undefined `m_u` (math's `Σ_i m_u,i`).
                    Some(Value::Tensor(_) | Value::Global(_)) => {
                        return self.builtin_node("sum", args, Vec::new(), span);
                    }
                    _ => return Value::Unknown,
                };
                let mut acc = Value::Num(0.0);
                for i in items {
                    acc = self.binop(BinOp::Add, acc, i, span);
                }
                acc
            }
            "abs" if matches!(args.first(), Some(Value::Tensor(_))) => {
                self.builtin_node("abs", args, Vec::new(), span)
            }
            "float" | "int" | "abs" | "round" => args.into_iter().next().unwrap_or(Value::Unknown),
            "super" => self
                .classes_self
                .last()
                .cloned()
                .map(|s| Value::Method(Box::new(s), "__super__".into()))
                .unwrap_or(Value::Unknown),
            // `type(student)()`: the class of an instance of the answer's, to make another.
            "type" => match args.first() {
                Some(Value::Module(m)) => match self.a.modules[*m].class.clone() {
                    Some(c) => Value::Class(c),
                    None => Value::Unknown,
                },
                _ => Value::Unknown,
            },
            "isinstance" | "hasattr" => Value::Unknown,
            // `open`, `exec`, `eval`, `__import__`, `input`, ...: nothing reaches the
            // outside world; the analysis only notes that the value is unknown.
            _ => Value::Unknown,
        }
    }

    fn call_global(
        &mut self,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let last = last_segment(name);
        let lower = name.to_lowercase();
        // `‖a − b‖₁`, which the normalizer writes `norm(a - b)`: torch's norm, as the
        // executor reads it.
        if name == "norm" && matches!(args.first(), Some(Value::Tensor(_))) {
            return self.call_builtin("torch.norm", args, kwargs, span);
        }
        // `vector_to_parameters(parameters_to_vector(student.parameters()),
        // teacher.parameters())`: the student's weights copied into the teacher.
        if last == "parameters_to_vector" {
            return args.into_iter().next().unwrap_or(Value::Unknown);
        }
        if last == "vector_to_parameters" {
            let src = args.first().map(|a| self.modules_in(a)).unwrap_or_default();
            let dst = args.get(1).map(|a| self.modules_in(a)).unwrap_or_default();
            if let (Some(s), Some(d)) = (src.first(), dst.first()) {
                let n = self.node(Op::Param(*s), span);
                self.param_update(*d, &Value::Tensor(n), span);
            }
            return Value::None;
        }
        // `cfg = OmegaConf.load("cyclegan.yaml")`: the run's undefined settings.
        if crate::analysis::facts::loads_settings(name) {
            return Value::Global("args".into());
        }
        // `partial(torch.ones, 8, 1)`, imported from `functools`.
        if last == "partial" {
            return self.call_builtin("functools.partial", args, kwargs, span);
        }
        if OPTIMIZERS.contains(&last) {
            return self.call_builtin(&format!("torch.optim.{last}"), args, kwargs, span);
        }
        // Imported bare: `AveragedModel(student, avg_fn=ema)`, `Parameter(...)`.
        if is_weight_helper(last) {
            return self.weight_helper(last, args, kwargs, span);
        }
        // `from torch.cuda.amp import GradScaler, autocast`: imports are not run, so the
        // names arrive undefined; they are torch's all the same.
        if matches!(last, "GradScaler" | "autocast") {
            return self.call_builtin(&format!("torch.cuda.amp.{last}"), args, kwargs, span);
        }
        // `functional_call(net, params, (x,))` (`torch.func`): the network applied to the
        // inputs, with parameters that are its own.
        if last == "functional_call"
            && let [Value::Module(m), weights, inputs, ..] = args.as_slice()
        {
            // Weights copied from the network (`teacher_params`), given alone or first
            // of a pair with the buffers: the copy is the network that runs.
            let copy = match weights {
                Value::Params(ms) => ms.first().copied(),
                Value::Tuple(parts) => match parts.first() {
                    Some(Value::Params(ms)) => ms.first().copied(),
                    _ => None,
                },
                _ => None,
            };
            let m = copy
                .filter(|c| self.a.modules[*c].copied_from == Some(*m))
                .unwrap_or(*m);
            let inputs = inputs.clone();
            let inputs = match inputs {
                Value::Tuple(items) => items.to_vec(),
                Value::List(items) => items.borrow().clone(),
                one => vec![one],
            };
            return self.apply_module(m, inputs, kwargs, span);
        }
        if let Some((c, _)) = LOSS_MODULES.iter().find(|(c, _)| *c == last) {
            return self.call_builtin(&format!("torch.nn.{c}"), args, kwargs, span);
        }
        // `stopgrad(z)`, `sg(z)`, `stop_gradient(z)`: the spec's spellings of a detach.
        if matches!(
            crate::analysis::facts::fold(last).replace('_', "").as_str(),
            "stopgrad" | "stopgradient" | "sg" | "detach"
        ) && args.len() == 1
        {
            if let Some(n) = self.to_node(&args[0], span, true) {
                return Value::Tensor(self.node(Op::Detach(n), span));
            }
        }
        // `softmax(s / τ)` written without `F.`: the library function, not a network.
        // Library names imported bare (`from torch.cuda.amp import GradScaler, autocast`).
        if matches!(last, "GradScaler" | "autocast" | "DataLoader") {
            return self.call_builtin(&format!("torch.{last}"), args, kwargs, span);
        }
        // `cfg.get("lambda_cyc", 10.0)` of a config the answer never shows: its default.
        if last == "get"
            && let Some(default @ Value::Num(_)) = args.get(1)
        {
            return default.clone();
        }
        // `build_unaligned_loader(cfg)`, `get_dataloader(args)`: a helper named for a
        // loader gives one, read as the loaders the answer names are.
        if crate::analysis::facts::says_loader(last) {
            return Value::Global(last.into());
        }
        if crate::analysis::facts::wraps_a_network(name)
            && matches!(args.first(), Some(Value::Module(_)))
        {
            return args.into_iter().next().unwrap_or(Value::Unknown);
        }
        // `tf.boolean_mask(t, mask)`, `torch.masked_select(t, mask)`: the masked tokens,
        // as `t[mask]` selects them.
        if matches!(last, "boolean_mask" | "masked_select")
            && let [Value::Tensor(x), Value::Tensor(_), ..] = args.as_slice()
        {
            return Value::Tensor(self.node(
                Op::Select {
                    of: *x,
                    kind: SelectKind::Masked,
                },
                span,
            ));
        }
        // `with tf.GradientTape() as tape:`: TensorFlow's recorder, whose
        // `tape.gradient(loss, variables)` is the backward pass.
        if last == "GradientTape" {
            return Value::Builtin(GRADIENT_TAPE.into());
        }
        // `parser = argparse.ArgumentParser(...)`: a command line whose `parse_args()`
        // gives the run's settings.
        if last == "ArgumentParser" {
            return Value::Builtin(ARGUMENT_PARSER.into());
        }
        // `tqdm(loader)`, `track(train_loader)`: a wrapper of a loader the answer never
        // defines (a progress bar) yields the loader's batches.
        if let [Value::Global(source)] = args.as_slice()
            && crate::analysis::facts::names_a_loader(source)
        {
            return args.into_iter().next().unwrap_or(Value::Unknown);
        }
        // `Variable(x, requires_grad=False)`: the old autograd wrapper is the tensor itself.
        if last == "Variable" {
            return args.into_iter().next().unwrap_or(Value::Unknown);
        }
        if BARE_FUNCTIONS.contains(&last) {
            // A bare `cross_entropy(s, t)` in pseudocode is the mathematical one, over
            // probabilities; only the library's applies its own log-softmax.
            let name = if last == "cross_entropy" {
                "cross_entropy_of_probs"
            } else {
                last
            };
            return self.builtin_node(name, args, kwargs, span);
        }
        // `copy(s_net)` in pseudocode is a deep copy of the network.
        if crate::analysis::facts::COPY_FUNCTIONS.contains(&last)
            || last == "clone" && args.len() == 1 && !matches!(args[0], Value::Tensor(_))
        {
            return self.call_builtin("x.deepcopy", args, kwargs, span);
        }
        if matches!(last, "deepcopy" | "no_grad" | "chain") {
            return self.call_builtin(&format!("x.{last}"), args, kwargs, span);
        }
        // `random_block_mask()`: a masker called with no image draws a mask, as data.
        if args.is_empty()
            && crate::analysis::facts::fold(last).contains("mask")
            && !crate::analysis::facts::looks_like_class(last)
        {
            return Value::Tensor(self.data_node(last, span));
        }
        if args.is_empty()
            && kwargs.iter().all(|(_, v)| !matches!(v, Value::Tensor(_)))
            && !(lower.starts_with("update") || lower.starts_with("actualiz"))
        {
            // A call with no inputs builds something (`resnet18()`, `projection_mlp()`).
            return Value::Module(self.a.new_module(ModuleInfo {
                ctor: last.to_string(),
                span,
                ..Default::default()
            }));
        }
        // `encoder(resnet50)`.
        let args: Vec<Value> = args
            .into_iter()
            .map(|a| self.architecture_as_network(a))
            .collect();
        // An undefined name is data, unless it names a part of a network (`head`).
        let has_tensor = args.iter().chain(kwargs.iter().map(|(_, v)| v)).any(|a| {
            matches!(a, Value::Tensor(_))
                || matches!(a, Value::Global(g) if !crate::analysis::facts::names_a_network_part(g))
        });
        let module_args: Vec<ModId> = args
            .iter()
            .flat_map(|a| match a {
                Value::Global(g) if self.implicit_modules.contains_key(g.as_ref()) => {
                    vec![self.implicit_modules[g.as_ref()]]
                }
                other => self.modules_in(other),
            })
            .collect();
        let only_networks = !args.iter().any(|a| {
            matches!(a, Value::Tensor(_))
                || matches!(a, Value::Global(g) if !self.implicit_modules.contains_key(g.as_ref()))
        });
        if !module_args.is_empty() && only_networks {
            // Helpers that act on whole networks: `update_momentum(student, teacher, m)`,
            // `set_requires_grad([D_A, D_B], False)`, `update(f_s)`.
            if lower.contains("requires_grad") || lower.contains("freeze") {
                let frozen = !args
                    .iter()
                    .chain(kwargs.iter().map(|(_, v)| v))
                    .any(|a| matches!(a, Value::Bool(true)))
                    || lower.contains("deactivate")
                    || lower.starts_with("freeze");
                for m in module_args {
                    self.freeze(m, frozen, span);
                }
                return Value::None;
            }
            if lower.contains("param") {
                return Value::Params(Rc::new(module_args));
            }
            if lower.contains("momentum") || lower.contains("ema") {
                let momentum = args
                    .iter()
                    .chain(kwargs.iter().map(|(_, v)| v))
                    .find_map(|a| self.to_scalar_node(a, span));
                self.event(
                    EventKind::EmaHelper {
                        name: name.to_string(),
                        modules: module_args,
                        momentum,
                    },
                    span,
                );
                return Value::None;
            }
            if lower.contains("update")
                || lower.contains("step")
                || lower.contains("actualiz")
                || lower.contains("optimi")
            {
                self.event(
                    EventKind::UpdateCall {
                        name: name.to_string(),
                        modules: module_args,
                    },
                    span,
                );
                return Value::None;
            }
            // Anything else called on networks alone builds a network from them
            // (`iBOT(vit_small())`, `MultiCropWrapper(backbone, head)`).
            return Value::Module(self.compose(last, module_args, span));
        }
        // `Backbone(cfg)`, `iBOTHead(384, 8192)`: a call on settings alone (numbers,
        // strings, networks) builds a network.
        let settings_only = args.iter().chain(kwargs.iter().map(|(_, v)| v)).all(|a| {
            matches!(
                a,
                Value::Num(_) | Value::Str(_) | Value::Bool(_) | Value::None | Value::Module(_)
            ) || matches!(a, Value::Global(g) if crate::analysis::facts::is_setting(g))
        });
        // `define_G(opt)`, `build_model(args)` (the CycleGAN and DINO repositories): a
        // builder given options, not tensors, builds a network.
        let builder = crate::analysis::facts::is_builder_name(name);
        let given_tensor = args
            .iter()
            .chain(kwargs.iter().map(|(_, v)| v))
            .any(|a| matches!(a, Value::Tensor(_)));
        let is_ctor = (crate::analysis::facts::looks_like_class(last) && !has_tensor)
            || (builder && !given_tensor)
            || settings_only;
        if is_ctor {
            return Value::Module(self.a.new_module(ModuleInfo {
                ctor: last.to_string(),
                span,
                ..Default::default()
            }));
        }
        if (lower.starts_with("update") || lower.starts_with("actualiz")) && args.is_empty() {
            self.event(
                EventKind::UpdateCall {
                    name: name.to_string(),
                    modules: Vec::new(),
                },
                span,
            );
            return Value::None;
        }
        let m = self.implicit_module(name);
        self.apply_module(m, args, kwargs, span)
    }

    fn to_scalar_node(&mut self, v: &Value, span: Span) -> Option<NodeId> {
        match v {
            Value::Num(_) | Value::Global(_) => self.to_node(v, span, false),
            Value::Tensor(t) if self.a.graph.is_scalar(*t) => Some(*t),
            _ => None,
        }
    }

    fn call_method(
        &mut self,
        recv: Value,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let canonical = fuzzy_method(name);
        if canonical != name {
            self.a
                .fuzzy_notes
                .push((span.line, name.to_string(), canonical.to_string()));
        }
        let name = canonical;
        match recv {
            Value::Tensor(t) => self.tensor_method(t, name, args, kwargs, span),
            Value::Param(m) => self.param_method(m, name, args, kwargs, span),
            // `nn.ModuleDict({"s": student, "t": teacher}).parameters()`: every entry's.
            Value::Module(m) if self.a.is_record(m) && name == "parameters" => {
                let mut modules = Vec::new();
                for (_, v) in self.record_entries(m) {
                    let v = match v {
                        Value::Global(g) => Value::Module(self.implicit_module(&g)),
                        other => other,
                    };
                    if let Value::Module(sub) = v {
                        modules.push(sub);
                    }
                }
                Value::Params(Rc::new(modules))
            }
            // `losses.values()`, `out.items()`, `nets.get("G_AB")` of a record.
            Value::Module(m)
                if self.a.is_record(m)
                    && matches!(name, "values" | "items" | "keys" | "get" | "pop") =>
            {
                let entries = self.record_entries(m);
                let list = |items: Vec<Value>| Value::List(Rc::new(RefCell::new(items)));
                match name {
                    "values" => list(entries.into_iter().map(|(_, v)| v).collect()),
                    "keys" => list(
                        entries
                            .into_iter()
                            .map(|(k, _)| Value::Str(k.into()))
                            .collect(),
                    ),
                    "items" => list(
                        entries
                            .into_iter()
                            .map(|(k, v)| Value::Tuple(Rc::new(vec![Value::Str(k.into()), v])))
                            .collect(),
                    ),
                    _ => match args.first() {
                        Some(Value::Str(k)) => self.a.modules[m]
                            .attrs
                            .get(k.as_ref())
                            .cloned()
                            .unwrap_or(Value::Unknown),
                        _ => Value::Unknown,
                    },
                }
            }
            Value::Module(m)
                if crate::analysis::facts::AVERAGING_METHODS.contains(&name)
                    && self.a.modules[m].attrs.contains_key(AVERAGING_RULE) =>
            {
                self.averaged_update(m, args, span)
            }
            Value::Module(m) => match name {
                "parameters" | "named_parameters" | "state_dict" | "modules" | "children" => {
                    Value::Params(Rc::new(vec![m]))
                }
                // `student.get_parameter(name)`: one of its parameters, by the name that
                // `named_parameters()` gave.
                "get_parameter" => Value::Param(m),
                "train" | "eval" | "to" | "cuda" | "cpu" | "float" | "__init__" => Value::Module(m),
                "__super__" => Value::Method(Box::new(Value::Module(m)), "__super__".into()),
                "requires_grad_" => {
                    let frozen = matches!(args.first(), Some(Value::Bool(false)));
                    self.freeze(m, frozen, span);
                    Value::Module(m)
                }
                // Lightning's manual optimization: `self.manual_backward(loss)` and
                // `opt = self.optimizers()`.
                "manual_backward" => {
                    if let Some(Value::Tensor(loss)) = args.first() {
                        self.event(EventKind::Backward { loss: *loss }, span);
                    }
                    Value::None
                }
                // The optimizers are those the module's `configure_optimizers` returns,
                // configured once; a module whose base class configures them has one.
                "optimizers" | "optimizer" => {
                    if let Some(v) = self.a.modules[m].attrs.get(CONFIGURED_OPTIMIZERS) {
                        return v.clone();
                    }
                    let mut found = Vec::new();
                    if let Some(class) = self.a.modules[m].class.clone()
                        && let Some(configure) = class.method("configure_optimizers")
                    {
                        let returned = self.call_func(
                            &configure,
                            Some(Value::Module(m)),
                            vec![],
                            vec![],
                            span,
                        );
                        collect_optimizers(&returned, &mut found);
                    }
                    let v = match found.len() {
                        0 => Value::Optimizer(self.implicit_optimizer("optimizer", span)),
                        1 => found.remove(0),
                        _ => Value::List(Rc::new(RefCell::new(found))),
                    };
                    self.a.modules[m]
                        .attrs
                        .insert(CONFIGURED_OPTIMIZERS.to_string(), v.clone());
                    v
                }
                // `self.register_buffer("center", zeros)`: an attribute like any other.
                "register_buffer" | "register_parameter" => {
                    if let (Some(Value::Str(name)), Some(v)) = (args.first(), args.get(1)) {
                        self.a.modules[m].attrs.insert(name.to_string(), v.clone());
                    }
                    Value::None
                }
                "zero_grad" => {
                    self.event(
                        EventKind::ZeroGrad {
                            opt: None,
                            module: Some(m),
                        },
                        span,
                    );
                    Value::None
                }
                // `teacher.load_state_dict({k: m * t_sd[k] + (1 - m) * s_sd[k] for k in
                // t_sd})`: the parameters become what the entries compute.
                "load_state_dict" if matches!(args.first(), Some(Value::Tensor(_))) => {
                    self.param_update(m, &args[0], span);
                    Value::None
                }
                "load_state_dict" | "copy_" => {
                    let src = args.first().map(|a| self.modules_in(a)).unwrap_or_default();
                    if let Some(s) = src.first() {
                        let n = self.node(Op::Param(*s), span);
                        self.param_update(m, &Value::Tensor(n), span);
                    }
                    Value::None
                }
                "forward" => self.apply_module(m, args, kwargs, span),
                _ if crate::analysis::facts::FORWARD_METHODS.contains(&name)
                    && self.a.modules[m]
                        .class
                        .as_ref()
                        .is_none_or(|c| c.method(name).is_none()) =>
                {
                    self.apply_module(m, args, kwargs, span)
                }
                "query" | "push_and_pop" if self.a.modules[m].class.is_none() => {
                    self.trusted_pool(&args, span)
                }
                _ if self.a.modules[m].class.is_none() && is_wrapper_method(name, &args) => {
                    self.wrapper_method(name, args, span)
                }
                _ => {
                    if let Some(class) = self.a.modules[m].class.clone()
                        && let Some(f) = class.method(name)
                    {
                        let this = (!f.is_static()).then_some(Value::Module(m));
                        return self.call_func(&f, this, args, kwargs, span);
                    }
                    Value::Unknown
                }
            },
            Value::Optimizer(o) => self.optimizer_method(o, name, args, span),
            Value::Global(g) => match name {
                "step" => {
                    // `scaler.step(optimizer)` steps the optimizer it is given.
                    if let Some(Value::Optimizer(o)) = args.first() {
                        return self.optimizer_method(*o, "step", Vec::new(), span);
                    }
                    if let Some(Value::Global(og)) = args.first() {
                        let o = self.implicit_optimizer(og, span);
                        return self.optimizer_method(o, "step", Vec::new(), span);
                    }
                    let o = self.implicit_optimizer(&g, span);
                    self.optimizer_method(o, "step", args, span)
                }
                // `netD.zero_grad()` on a name already used as a network zeroes that network.
                "zero_grad" if self.implicit_modules.contains_key(g.as_ref()) => {
                    let m = self.implicit_modules[g.as_ref()];
                    self.call_method(Value::Module(m), name, args, kwargs, span)
                }
                "zero_grad" => {
                    let o = self.implicit_optimizer(&g, span);
                    self.optimizer_method(o, "zero_grad", args, span)
                }
                "update" if g.to_lowercase().contains("scaler") => Value::None,
                "scale" => args.into_iter().next().unwrap_or(Value::Unknown),
                _ if is_wrapper_method(name, &args) => self.wrapper_method(name, args, span),
                // `input_A.copy_(batch['A'])`: a buffer filled with the batch is the batch.
                "copy_" => args.into_iter().next().unwrap_or(Value::Unknown),
                "query" | "push_and_pop" => self.trusted_pool(&args, span),
                "parameters" | "named_parameters" | "state_dict" => {
                    let m = self.implicit_module(&g);
                    Value::Params(Rc::new(vec![m]))
                }
                "get_parameter" => Value::Param(self.implicit_module(&g)),
                "train" | "eval" | "to" | "cuda" => Value::Global(g),
                _ if matches!(name, "requires_grad_" | "load_state_dict" | "forward")
                    || crate::analysis::facts::FORWARD_METHODS.contains(&name) =>
                {
                    let m = self.implicit_module(&g);
                    self.call_method(Value::Module(m), name, args, kwargs, span)
                }
                _ if is_tensor_method(name) || name == "backward" => {
                    let n = self.to_node(&Value::Global(g), span, true).unwrap_or(0);
                    self.tensor_method(n, name, args, kwargs, span)
                }
                _ => {
                    let m = self.implicit_module(&format!("{g}.{name}"));
                    self.apply_module(m, args, kwargs, span)
                }
            },
            Value::List(items) => {
                match name {
                    "append" => {
                        if let Some(v) = args.into_iter().next() {
                            items.borrow_mut().push(v);
                        }
                    }
                    "extend" => {
                        if let Some(Value::List(other)) = args.into_iter().next() {
                            let o = other.borrow().clone();
                            items.borrow_mut().extend(o);
                        }
                    }
                    _ => {}
                }
                Value::None
            }
            Value::Params(ms) => match name {
                "parameters" | "values" => Value::Params(ms),
                // `teacher.state_dict().items()`: each network's parameters by name.
                "items" => Value::List(Rc::new(RefCell::new(
                    ms.iter()
                        .map(|m| Value::Tuple(Rc::new(vec![Value::Unknown, Value::Param(*m)])))
                        .collect(),
                ))),
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    /// `out.chunk(2)`: the views batched together, split again; each part is one view.
    fn chunk(&mut self, t: NodeId, count: Option<&Value>, span: Span) -> Value {
        let k = match count {
            Some(Value::Num(k)) if *k >= 1.0 && *k <= MAX_UNROLL as f64 => *k as usize,
            _ => return Value::Tensor(t),
        };
        let whole = self.node(
            Op::Builtin {
                name: "chunk".into(),
                args: vec![t],
                kwargs: Vec::new(),
            },
            span,
        );
        let parts = (0..k)
            .map(|i| {
                Value::Tensor(self.node(
                    Op::Part {
                        of: whole,
                        key: PartKey::Index(i),
                        arity: Some(k),
                    },
                    span,
                ))
            })
            .collect();
        Value::Tuple(Rc::new(parts))
    }

    /// A replay pool the answer does not define (`pool.query(fake)`): trusted to return
    /// detached images, and noted so the feedback can say so.
    /// HuggingFace Accelerate's and Lightning Fabric's wrapper, which the answer never
    /// defines: `model, opt, loader = accelerator.prepare(model, opt, loader)` gives back
    /// what it is given, `accelerator.backward(loss)` is `loss.backward()`, and
    /// `unwrap_model(m)` is `m`.
    fn wrapper_method(&mut self, name: &str, args: Vec<Value>, span: Span) -> Value {
        let mut args = args;
        match name {
            "backward" => {
                if let Some(Value::Tensor(loss)) = args.first() {
                    self.event(EventKind::Backward { loss: *loss }, span);
                }
                Value::None
            }
            _ if args.len() == 1 => args.remove(0),
            _ => Value::Tuple(Rc::new(args)),
        }
    }

    fn trusted_pool(&mut self, args: &[Value], span: Span) -> Value {
        match args.first() {
            Some(Value::Tensor(t)) => {
                let n = self.node(Op::Detach(*t), span);
                self.a.trusted_pools.push(span.line);
                Value::Tensor(n)
            }
            _ => Value::Unknown,
        }
    }

    /// A record's entries, by key, in the keys' order.
    fn record_entries(&self, m: ModId) -> Vec<(String, Value)> {
        let mut entries: Vec<(String, Value)> = self.a.modules[m]
            .attrs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }

    fn optimizer_method(&mut self, o: OptId, name: &str, args: Vec<Value>, span: Span) -> Value {
        match name {
            // `optimizer.step(closure)`: the optimizer calls the closure, which computes
            // the loss and back-propagates it, before it updates.
            "step" => {
                if let Some(closure @ (Value::Func(..) | Value::Lambda(..) | Value::Partial(..))) =
                    args.into_iter().next()
                {
                    self.call(closure, Vec::new(), Vec::new(), span);
                }
                self.event(EventKind::Step { opt: o }, span)
            }
            // Keras's and TensorFlow's step, `optimizer.apply_gradients(zip(grads,
            // variables))` or `optimizer.apply(grads, variables)`: it trains the variables
            // it is given when nothing else said what it trains.
            "apply_gradients" | "apply" => {
                let variables = match (name, args.as_slice()) {
                    ("apply", [_, variables, ..]) => Some(variables.clone()),
                    ("apply_gradients", [Value::List(pairs), ..]) => {
                        let seconds: Vec<Value> = pairs
                            .borrow()
                            .iter()
                            .filter_map(|p| match p {
                                Value::Tuple(t) => t.get(1).cloned(),
                                _ => None,
                            })
                            .collect();
                        Some(Value::List(Rc::new(RefCell::new(seconds))))
                    }
                    _ => None,
                };
                self.a.optimizers[o].given_gradients = true;
                if let Some(v) = variables
                    && self.a.optimizers[o]
                        .params
                        .as_ref()
                        .is_none_or(Vec::is_empty)
                {
                    let params = self.params_of(&v);
                    if !params.is_empty() {
                        self.a.optimizers[o].params = Some(params);
                    }
                }
                self.event(EventKind::Step { opt: o }, span)
            }
            "zero_grad" => self.event(
                EventKind::ZeroGrad {
                    opt: Some(o),
                    module: None,
                },
                span,
            ),
            _ => {}
        }
        Value::None
    }

    fn tensor_method(
        &mut self,
        t: NodeId,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        match name {
            "detach" | "detach_" => Value::Tensor(self.node(Op::Detach(t), span)),
            "chunk" | "split" => self.chunk(t, args.first(), span),
            "backward" => {
                self.event(EventKind::Backward { loss: t }, span);
                Value::None
            }
            _ if TRANSPARENT_METHODS.contains(&name) => Value::Tensor(t),
            _ => {
                let mut all = vec![Value::Tensor(t)];
                all.extend(args);
                self.builtin_node(name, all, kwargs, span)
            }
        }
    }

    /// `torch._foreach_<method>(targets, others, ...)`: `method` on each target network's
    /// parameters, with the matching item of `others` when it is a list and `others`
    /// itself when it is a number.
    fn foreach_update(
        &mut self,
        method: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let Some(first) = args.first() else {
            return Value::Unknown;
        };
        let targets = self.params_of(first);
        let others: Option<Vec<ModId>> = match args.get(1) {
            Some(v @ (Value::List(_) | Value::Tuple(_) | Value::Params(_) | Value::Param(_))) => {
                Some(self.params_of(v))
            }
            _ => None,
        };
        for (i, m) in targets.iter().enumerate() {
            let mut each = args[1..].to_vec();
            if let Some(others) = &others {
                match others.get(i).or(others.first()) {
                    Some(o) => each[0] = Value::Param(*o),
                    None => continue,
                }
            }
            self.param_method(*m, method, each, kwargs.clone(), span);
        }
        Value::None
    }

    /// `start + weight·(end − start)`, torch's `lerp`.
    fn lerp(&mut self, start: Value, end: Value, weight: Value, span: Span) -> Value {
        let diff = self.binop(BinOp::Sub, end, start.clone(), span);
        let step = self.binop(BinOp::Mul, weight, diff, span);
        self.binop(BinOp::Add, start, step, span)
    }

    /// In-place updates of a network's parameters: `mul_`, `add_`, `sub_`, `div_`,
    /// `copy_`, `lerp_`.
    fn param_method(
        &mut self,
        m: ModId,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Value {
        let cur = Value::Tensor(self.param_node(m, span));
        let arg = args.first().cloned().unwrap_or(Value::Unknown);
        let alpha = kwargs
            .iter()
            .find(|(k, _)| k == "alpha")
            .map(|(_, v)| v.clone())
            .or_else(|| args.get(1).cloned());
        // `t.assign(m * t + (1 - m) * s)`: a TensorFlow variable's update, in place.
        let name = crate::analysis::facts::torch_in_place(name).unwrap_or(name);
        let new = match name {
            "mul_" => self.binop(BinOp::Mul, cur, arg, span),
            "add_" => {
                let scaled = match alpha {
                    Some(a) => self.binop(BinOp::Mul, a, arg, span),
                    None => arg,
                };
                self.binop(BinOp::Add, cur, scaled, span)
            }
            "sub_" => self.binop(BinOp::Sub, cur, arg, span),
            "div_" => self.binop(BinOp::Div, cur, arg, span),
            "copy_" => arg,
            "lerp_" => {
                let w = args.get(1).cloned().unwrap_or(Value::Unknown);
                self.lerp(cur, arg, w, span)
            }
            "requires_grad_" => {
                let frozen = matches!(args.first(), Some(Value::Bool(false)));
                self.freeze(m, frozen, span);
                return Value::Param(m);
            }
            "detach" | "clone" => return Value::Param(m),
            _ => {
                let n = self.param_node(m, span);
                return self.tensor_method(n, name, args, kwargs, span);
            }
        };
        self.param_update_in_place(m, &new, span);
        Value::Param(m)
    }
}

fn is_schedule_name(name: &str) -> bool {
    let t = crate::analysis::facts::tokens(name);
    t.iter().any(|w| {
        matches!(
            w.as_str(),
            "schedule"
                | "momentum"
                | "lr"
                | "rate"
                | "lambda"
                | "tau"
                | "temp"
                | "temperature"
                | "coef"
                | "beta"
                | "alpha"
        )
    })
}

/// Whether a name says parameters in math or code: `θ_s`, `theta`, `params_t`, `weights`.
fn names_parameters(name: &str) -> bool {
    let folded = crate::analysis::facts::fold(name);
    ["θ", "theta", "params", "weights"]
        .iter()
        .any(|p| folded.starts_with(p))
}

/// Parameters named by role in math notation: `θ_t`, `theta_s`, `params_teacher`.
fn param_role(name: &str) -> Option<&'static str> {
    let f = crate::analysis::facts::fold(name).replace('_', "");
    let rest = ["θ", "theta", "params", "param", "weights", "w"]
        .iter()
        .find_map(|p| f.strip_prefix(p))?;
    match rest {
        "t" | "teacher" | "target" | "tgt" | "k" | "ema" | "profesor" => Some("teacher"),
        "s" | "student" | "online" | "q" | "estudiante" => Some("student"),
        _ => None,
    }
}

/// Whether a loop body calls `backward` or `step`, at any depth.
fn body_trains(body: &[Stmt]) -> bool {
    fn expr_trains(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Call { func, args, .. } => {
                matches!(&func.kind, ExprKind::Attr(_, m) if m == "backward" || m == "step")
                    || expr_trains(func)
                    || args.iter().any(expr_trains)
            }
            ExprKind::Attr(x, _) => expr_trains(x),
            _ => false,
        }
    }
    body.iter().any(|s| match s {
        Stmt::For { body, .. } | Stmt::While { body, .. } => body_trains(body),
        Stmt::Expr(e) => expr_trains(e),
        Stmt::If { body, orelse, .. } => body_trains(body) || body_trains(orelse),
        Stmt::With { body, .. } => body_trains(body),
        _ => false,
    })
}

/// Whether an expression takes a remainder (`step % 100`).
fn mentions_modulo(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Bin(BinOp::Mod, _, _) => true,
        ExprKind::Bin(_, a, b) | ExprKind::Compare(_, a, b) | ExprKind::BoolOp(_, a, b) => {
            mentions_modulo(a) || mentions_modulo(b)
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => mentions_modulo(x),
        _ => false,
    }
}

/// Where a Lightning module keeps the optimizers its `configure_optimizers` returned: a
/// name no answer's attribute can have.
const CONFIGURED_OPTIMIZERS: &str = "<configured optimizers>";
/// The attributes of a moving-average wrapper's copy (`averaged_copy`): the network it
/// follows and the rule it averages by.
const AVERAGED_SOURCE: &str = "<averaged network>";
const AVERAGING_RULE: &str = "<averaging rule>";

/// The optimizers in what `configure_optimizers` returns: one, a list of them, or a pair
/// of lists of optimizers and schedulers.
fn collect_optimizers(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Optimizer(_) => out.push(v.clone()),
        Value::List(items) => items
            .borrow()
            .iter()
            .for_each(|i| collect_optimizers(i, out)),
        Value::Tuple(items) => items.iter().for_each(|i| collect_optimizers(i, out)),
        _ => {}
    }
}

fn index_seq(items: &[Value], k: f64) -> Option<Value> {
    let len = items.len() as i64;
    let i = k as i64;
    let i = if i < 0 { len + i } else { i };
    items.get(i as usize).cloned()
}

/// `[x]` used as parentheses, and `(x,)` left by a trailing comma (`λ = 10.0,`), are
/// the value itself in arithmetic.
fn single_list_element(v: Value) -> Value {
    match &v {
        Value::List(items) if items.borrow().len() == 1 => items.borrow()[0].clone(),
        Value::Tuple(items) if items.len() == 1 => items[0].clone(),
        _ => v,
    }
}

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Num(x) => Some(*x != 0.0),
        Value::None => Some(false),
        Value::Str(s) => Some(!s.is_empty()),
        _ => None,
    }
}

fn compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    let r = match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(match op {
            CmpOp::Eq => x == y,
            CmpOp::NotEq => x != y,
            CmpOp::Lt => x < y,
            CmpOp::LtE => x <= y,
            CmpOp::Gt => x > y,
            CmpOp::GtE => x >= y,
            _ => return Value::Unknown,
        }),
        (Value::None, Value::None) => Some(matches!(op, CmpOp::Is | CmpOp::Eq)),
        (_, Value::None) if !matches!(a, Value::Unknown | Value::Global(_)) => match op {
            CmpOp::Is | CmpOp::Eq => Some(false),
            CmpOp::IsNot | CmpOp::NotEq => Some(true),
            _ => None,
        },
        _ => None,
    };
    r.map(Value::Bool).unwrap_or(Value::Unknown)
}

/// Whether a call is one of the library's helpers around weights that
/// `Evaluator::weight_helper` reads, by its last name.
fn is_weight_helper(name: &str) -> bool {
    name == "Parameter"
        || crate::analysis::facts::averages_a_network(name)
        || matches!(name, "get_ema_multi_avg_fn" | "get_ema_avg_fn")
}

/// The arguments of a function nothing calls (a `def train(G, F, loader)`, a trainer's
/// `fit(self, loader)`): what each parameter's name stands for, undefined.
fn named_by(params: &[Param]) -> Vec<Value> {
    params
        .iter()
        .map(|p| Value::Global(p.name.trim_start_matches('*').into()))
        .collect()
}

/// The arguments of the parameters without a default, each the name it stands for: the
/// others take their defaults, as a call that leaves them out gives them.
fn named_by_required(params: &[Param]) -> Vec<Value> {
    let required = params
        .iter()
        .take_while(|p| p.default.is_none() && !p.name.starts_with('*'))
        .count();
    named_by(&params[..required])
}

fn is_no_grad_decorator(e: &Expr) -> bool {
    let text = match &e.kind {
        ExprKind::Call { func, .. } => dotted(func),
        _ => dotted(e),
    };
    text.ends_with("no_grad") || text.ends_with("inference_mode")
}

fn dotted(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Attr(o, a) => format!("{}.{}", dotted(o), a),
        _ => String::new(),
    }
}

fn is_module_method(name: &str) -> bool {
    matches!(
        name,
        "parameters"
            | "register_buffer"
            | "register_parameter"
            | "manual_backward"
            | "optimizers"
            | "named_parameters"
            | "get_parameter"
            | "state_dict"
            | "train"
            | "eval"
            | "to"
            | "cuda"
            | "cpu"
            | "requires_grad_"
            | "zero_grad"
            | "load_state_dict"
            | "forward"
            | "modules"
            | "children"
            | "__init__"
            | "__super__"
    )
}

/// The methods of an Accelerate or Fabric wrapper that the analysis reads.
const WRAPPER_METHODS: &[&str] = &[
    "backward",
    "prepare",
    "setup",
    "setup_module",
    "setup_optimizers",
    "setup_dataloaders",
    "prepare_model",
    "prepare_optimizer",
    "prepare_data_loader",
    "unwrap_model",
    "gather",
    "gather_for_metrics",
];

/// A wrapper's method called as one: `backward` of a tensor, the others of something.
fn is_wrapper_method(name: &str, args: &[Value]) -> bool {
    match name {
        "backward" => matches!(args.first(), Some(Value::Tensor(_))),
        _ => WRAPPER_METHODS.contains(&name) && !args.is_empty(),
    }
}

fn is_tensor_method(name: &str) -> bool {
    matches!(
        name,
        "detach"
            | "detach_"
            | "backward"
            | "norm"
            | "sum"
            | "mean"
            | "softmax"
            | "log_softmax"
            | "argmax"
            | "max"
            | "exp"
            | "log"
            | "pow"
            | "sqrt"
            | "clone"
            | "item"
            | "view"
            | "reshape"
            | "float"
            | "abs"
            | "bool"
            | "sigmoid"
    ) || TRANSPARENT_METHODS.contains(&name)
}

/// Misspelled tensor methods from handwriting (`detack`, `detatch`, `bakward`).
fn fuzzy_method(name: &str) -> &str {
    const TARGETS: &[&str] = &["detach", "backward", "zero_grad", "parameters", "step"];
    if TARGETS.contains(&name) || name.len() < 4 {
        return name;
    }
    TARGETS
        .iter()
        .copied()
        .find(|t| {
            strsim::damerau_levenshtein(&name.to_lowercase(), t) <= if t.len() >= 8 { 2 } else { 1 }
        })
        .unwrap_or(name)
}

/// The network whose parameters a dict comprehension copies one by one: every item is
/// one of its parameters (by name or alone), and every value is that parameter,
/// detached or cloned.
fn copied_parameters(pairs: &[(Value, Value)]) -> Option<ModId> {
    let param = |v: &Value| match v {
        Value::Param(m) => Some(*m),
        Value::Tuple(pair) if pair.len() == 2 => match &pair[1] {
            Value::Param(m) => Some(*m),
            _ => None,
        },
        _ => None,
    };
    let (first, _) = pairs.first()?;
    let m = param(first)?;
    pairs
        .iter()
        .all(|(item, value)| param(item) == Some(m) && matches!(value, Value::Param(v) if *v == m))
        .then_some(m)
}

/// The keywords of a mapping written out where it is spread (`D(**{"p": p1, "z": z2})`,
/// `D(**dict(p=p1, z=z2))`), read as if they were passed one by one, whatever their
/// values (a record holds only networks and tensors).
fn written_keywords(e: &Expr) -> Option<Vec<(String, &Expr)>> {
    match &e.kind {
        ExprKind::Dict(pairs) => pairs
            .iter()
            .map(|(k, v)| match &k.kind {
                ExprKind::Str(k) => Some((k.clone(), v)),
                _ => None,
            })
            .collect(),
        ExprKind::Call { func, args, kwargs }
            if args.is_empty() && matches!(&func.kind, ExprKind::Name(n) if n == "dict") =>
        {
            Some(kwargs.iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        _ => None,
    }
}
