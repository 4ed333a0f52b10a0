//! The interpreter: runs the lowered answer (the same IR the static analysis reads) with
//! real tensors.
//!
//! It is the only thing that runs student code, and it runs nothing but the IR: imports
//! are never executed (`torch`, `nn`, `F`, `optim` and `copy` are built in), there is no
//! `open`, `exec`, `eval` or `__import__`, and any other module is a name whose every
//! use stops the run. Budgets on steps, loop iterations, call depth, tensor elements and
//! wall time stop a run with the reason instead of hanging or allocating without bound.

use super::harness::{BATCH, Harness};
use super::value::*;
use crate::analysis::facts::ARCHITECTURE;
use crate::ir::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;
use tch::{Device, Kind, Tensor};

/// Why a run stopped before its end: the line and the cause, said to the user.
#[derive(Clone, Debug)]
pub struct Halt {
    pub line: u32,
    pub cause: String,
}

pub enum Flow {
    Return(Value),
    Break,
    Continue,
    Halt(Halt),
}

pub type R<T> = Result<T, Flow>;

pub fn halt<T>(line: u32, cause: impl Into<String>) -> R<T> {
    Err(Flow::Halt(Halt {
        line,
        cause: cause.into(),
    }))
}

/// Limits of one run. A run that reaches one stops with `not_run` and the reason.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub steps: u64,
    pub loop_iterations: u64,
    pub call_depth: usize,
    /// Largest number of elements one tensor may have.
    pub tensor_elements: i64,
    pub wall_time: std::time::Duration,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            steps: 200_000,
            loop_iterations: 20_000,
            call_depth: 48,
            tensor_elements: 1 << 22,
            wall_time: std::time::Duration::from_secs(2),
        }
    }
}

/// What happened during a run, in order: the events properties are measured on.
#[derive(Default)]
pub struct Trace {
    /// A counter that orders backward passes, steps and network calls.
    pub order: u64,
    pub backwards: Vec<BackwardEvent>,
    pub steps: Vec<StepEvent>,
    pub net_calls: Vec<NetCall>,
    /// Comparisons between tensors of two different single views (a cross-view term),
    /// with the token kind of the operands.
    pub cross_view: Vec<(u32, Token)>,
    /// Comparisons between tensors of the same single view.
    pub same_view: Vec<(u32, Token)>,
    /// Parameter updates written by hand (`p_t.data = m * p_t + (1 - m) * p_s`), by net.
    pub manual_updates: Vec<(u32, usize)>,
    /// Calls of loss functions (the answer's own, undefined ones and the library's)
    /// on two tensors of single views: (student or prediction view, target view).
    pub loss_calls: Vec<LossCall>,
    /// Every network's parameters at the start of each loader item and at the end.
    pub snapshots: Vec<HashMap<usize, Vec<Vec<f32>>>>,
    /// Every network's parameters just before the first `backward()`: the "before" of
    /// networks made during the first iteration.
    pub before_first_backward: Option<HashMap<usize, Vec<Vec<f32>>>>,
    /// Every network's parameters just after the last optimizer step of the first
    /// iteration: the "before" of an EMA that follows a step which also moved the
    /// teacher.
    pub after_first_iteration_step: Option<HashMap<usize, Vec<Vec<f32>>>>,
    /// Loss calls on two networks' outputs of which neither is a predictor's: a term
    /// that forgot the predictor, or an answer without one.
    pub terms_without_predictor: u32,
    /// Lines that could not be parsed and ran as nothing.
    pub unparsed: Vec<u32>,
    /// The lines of `loss.backward()` calls on names the answer never computes (a loss
    /// whose line the transcription lost), with those names.
    pub lost_backwards: Vec<(u32, String)>,
    /// The lines of `backward()` calls on a loss that depends on no trained parameter
    /// (everything it comes from is frozen or detached): PyTorch raises there, and the
    /// run went on without that backward.
    pub untrained_backwards: Vec<u32>,
    /// Loader items started.
    pub iterations: u32,
}

pub struct LossCall {
    pub views: (u32, u32),
    pub token: Token,
    /// What the call returned, where the rubric weighs loss calls and the result
    /// carries gradient.
    pub output: Option<Tensor>,
    /// How much the call counts in the loss back-propagated after it: the gradient of
    /// that loss with respect to the call's result, summed.
    pub weight: Option<f64>,
}

pub struct BackwardEvent {
    pub order: u64,
    pub line: u32,
    pub loss: f64,
    pub iteration: u32,
    /// Sum of the absolute gradients of each net's parameters right after the call.
    pub grads: HashMap<usize, f64>,
    /// How much the call changed each net's gradients (Σ|g_after − g_before|).
    pub delta: HashMap<usize, f64>,
    /// Σ|∂loss/∂image| for the loader's first and second images, when the harness
    /// tracks them.
    pub input_grads: (f64, f64),
    /// The loss's terms, where it is a sum of two or more.
    pub terms: Vec<LossTerm>,
}

impl BackwardEvent {
    /// Whether the call changed network `net`'s gradients.
    pub fn changes(&self, net: usize) -> bool {
        self.delta.get(&net).is_some_and(|d| *d > 0.0)
    }
}

/// One term of a loss written as a sum: its value (with the sign it is added with) and
/// the gradient it alone gives each network, by id.
pub struct LossTerm {
    pub value: f64,
    pub grads: HashMap<usize, f64>,
    /// Σ|∂term/∂image| for the loader's first and second images, when tracked.
    pub input_grads: (f64, f64),
}

/// `total = left ± right` between two scalars: how a loss was summed.
struct SumRecord {
    total: Tensor,
    left: Tensor,
    right: Tensor,
    subtracted: bool,
}

/// The most sums of scalars a run remembers: enough for any loss an answer writes.
const MAX_SUMS: usize = 4096;

pub struct StepEvent {
    pub order: u64,
    pub line: u32,
    pub iteration: u32,
    /// Nets whose parameters the step changed.
    pub moved: Vec<usize>,
    /// Nets with trainable parameters (`requires_grad`) in the optimizer that stepped,
    /// where the answer built that optimizer.
    pub holds: Vec<usize>,
}

pub struct NetCall {
    pub order: u64,
    pub net: usize,
    pub iteration: u32,
    pub input: Option<Tagged>,
    pub output: Option<Tagged>,
    /// Whether a mask was passed along with the input.
    pub masked: bool,
}

pub struct Interp<'h> {
    pub harness: &'h mut Harness,
    pub trace: Trace,
    globals: HashMap<String, Value>,
    frames: Vec<HashMap<String, Value>>,
    budget: Budget,
    steps: u64,
    loop_iterations: u64,
    started: Instant,
    pub line: u32,
    /// The functions of the answer that have been called, by name.
    called: std::collections::HashSet<String>,
    /// The undefined names that the harness gave a stand-in.
    stand_ins: std::collections::HashSet<String>,
    /// What the answer reads and writes in `os.environ`: its own, and read by nothing else.
    environment: Rc<RefCell<Vec<(Value, Value)>>>,
    /// The roles of the methods being run that are named for one (`model.student(x, m)`,
    /// `self.teacher(x)`), innermost last.
    method_roles: Vec<String>,
    /// The names the answer calls, which are never case slips of a variable.
    called_names: std::collections::HashSet<String>,
    /// The state of Python's `random` in this run (`next_draw`), which starts the same in
    /// every run.
    random_state: u64,
    /// Sums of scalars, so that a backward can tell the terms of its loss apart. Each
    /// record keeps its tensors, so their storage (the key) is never reused.
    sums: Vec<SumRecord>,
    /// The network calls that were given a list of crops as one batch, by the origin of
    /// their outputs, with the number of crops: `len`, indexing and iteration read such
    /// an output crop by crop (`s_cls[v]` of `student([u, v])`).
    crop_batched: HashMap<u32, usize>,
}

const BUILTIN_MODULES: &[(&str, &str)] = &[
    ("torch", "torch"),
    ("nn", "torch.nn"),
    ("F", "torch.nn.functional"),
    ("functional", "torch.nn.functional"),
    ("optim", "torch.optim"),
    ("copy", "copy"),
    // `np.ones((n, 1))` for labels: NumPy's creation functions are torch's here.
    ("np", "torch"),
    ("numpy", "torch"),
    ("math", "math"),
    ("functools", "functools"),
    ("keras", "keras"),
    ("argparse", "argparse"),
    ("tf", "tensorflow"),
    ("tensorflow", "tensorflow"),
    ("jax", "jax"),
    ("jnp", "jax.numpy"),
    ("optax", "optax"),
];

/// Python builtins the executor provides. Anything else that Python would find
/// (`open`, `exec`, `eval`, `__import__`, `input`, ...) does not exist here.
const PY_BUILTINS: &[&str] = &[
    "range",
    "zip",
    "enumerate",
    "len",
    "list",
    "tuple",
    "sum",
    "min",
    "max",
    "abs",
    "round",
    "float",
    "int",
    "print",
    "isinstance",
    "super",
    "reversed",
    "sorted",
    "dict",
    "iter",
    "next",
    "chain",
    "cycle",
    "permutations",
    "combinations",
    "params",
    "type",
    // `mask[..., None]`: the grammar's `...`, read as this name.
    "Ellipsis",
];

/// The environment a run starts with: what `torchrun` gives the one process of a
/// single-process launch (`int(os.environ["LOCAL_RANK"])` in a DDP script), and nothing
/// of the machine's own.
fn launcher_environment() -> Vec<(Value, Value)> {
    [
        ("RANK", "0"),
        ("LOCAL_RANK", "0"),
        ("WORLD_SIZE", "1"),
        ("LOCAL_WORLD_SIZE", "1"),
        ("MASTER_ADDR", "127.0.0.1"),
        ("MASTER_PORT", "29500"),
    ]
    .into_iter()
    .map(|(k, v)| (Value::Str(Rc::from(k)), Value::Str(Rc::from(v))))
    .collect()
}

impl<'h> Interp<'h> {
    pub fn new(harness: &'h mut Harness, budget: Budget) -> Interp<'h> {
        let mut globals = HashMap::new();
        for (name, path) in BUILTIN_MODULES {
            globals.insert(name.to_string(), Value::Builtin(Rc::from(*path)));
        }
        for b in PY_BUILTINS {
            globals.insert(
                b.to_string(),
                Value::Builtin(Rc::from(format!("builtins.{b}"))),
            );
        }
        // `parámetros(f, h)`: the pseudocode helper `params` in Spanish.
        for spanish in ["parámetros", "parametros"] {
            globals.insert(
                spanish.to_string(),
                Value::Builtin(Rc::from("builtins.params")),
            );
        }
        // The answer runs as the script it would be (`if __name__ == "__main__": main()`).
        globals.insert("__name__".to_string(), Value::Str(Rc::from("__main__")));
        Interp {
            harness,
            trace: Trace::default(),
            globals,
            frames: Vec::new(),
            budget,
            steps: 0,
            loop_iterations: 0,
            started: Instant::now(),
            line: 0,
            called: Default::default(),
            stand_ins: Default::default(),
            called_names: Default::default(),
            environment: Rc::new(RefCell::new(launcher_environment())),
            sums: Vec::new(),
            random_state: 0,
            method_roles: Vec::new(),
            crop_batched: HashMap::new(),
        }
    }

    /// The next of the run's pseudo-random integers, from the harness's generator on a
    /// state of the run's own: the same sequence on every run, whatever the harness drew.
    pub fn next_draw(&mut self) -> u64 {
        super::harness::splitmix(&mut self.random_state)
    }

    /// Runs the answer's top level.
    pub fn run(&mut self, body: &[Stmt]) -> Result<(), Halt> {
        self.called_names = crate::ir::directly_called_names(body);
        self.harness.given_a_mask = crate::ir::names_given_a_mask(body);
        // Pseudocode often defines its helpers after the loop that uses them (`def D`
        // under the loop): top-level functions and classes are bound before anything runs.
        for s in body {
            match s {
                Stmt::Def(f) => self.set(&f.name, Value::Func(f.clone(), None)),
                Stmt::Class(c) => self.set(&c.name, Value::Class(c.clone())),
                _ => {}
            }
        }
        let r = match self
            .block(body)
            .and_then(|()| self.run_uncalled_loops(body))
        {
            Ok(()) | Err(Flow::Return(_)) | Err(Flow::Break) | Err(Flow::Continue) => Ok(()),
            Err(Flow::Halt(h)) => Err(h),
        };
        let last = self.harness.snapshot();
        self.trace.snapshots.push(last);
        r
    }

    /// Arguments for parameters nothing passes: each default, or else what the
    /// parameter's name stands for; up to a `*args`.
    fn args_named_by(&mut self, params: &[crate::ir::Param]) -> R<Vec<Value>> {
        let mut args = Vec::new();
        for p in params {
            if p.name.starts_with('*') {
                break;
            }
            args.push(match &p.default {
                Some(e) => self.expr(e)?,
                None => self.lookup(&p.name)?,
            });
        }
        Ok(args)
    }

    /// The parameters an unknown config (`**cfg`) must have given a function or class of
    /// the answer: each one not given otherwise, and with no default, stands for what
    /// its name says, as for a class that nothing makes.
    fn settings_from_opaque_config(
        &mut self,
        callee: &Value,
        given: usize,
        kwargs: &mut Vec<(String, Value)>,
    ) -> R<()> {
        let params: Vec<crate::ir::Param> = match callee {
            Value::Class(c) => match c.method("__init__") {
                Some(init) => init.params.get(1..).unwrap_or_default().to_vec(),
                None => return Ok(()),
            },
            Value::Func(def, this) => {
                let skip = usize::from(this.is_some());
                def.params.get(skip..).unwrap_or_default().to_vec()
            }
            _ => return Ok(()),
        };
        for p in params.iter().skip(given) {
            if p.name.starts_with('*') {
                break;
            }
            if p.default.is_none() && !kwargs.iter().any(|(k, _)| *k == p.name) {
                let v = self.lookup(&p.name)?;
                kwargs.push((p.name.clone(), v));
            }
        }
        Ok(())
    }

    /// A loader's item spread as keywords (`model.loss(**data)`) is MMEngine's data
    /// dict: the images as `inputs`, indexed by view, and one data sample per image
    /// whose `mask` holds the masker's mask of each view, stacked `[views, patches]`.
    fn mmengine_data(&mut self, items: &Rc<Vec<Value>>) -> R<Vec<(String, Value)>> {
        let mut samples = Vec::new();
        if self.harness.has_masker() {
            let line = self.line;
            let mut masks = Vec::new();
            for _ in 0..2 {
                let mask = self.harness.call_stand("mask", "mask", Vec::new(), line)?;
                masks.push(self.as_tensor(&mask)?.t);
            }
            let stacked = Tensor::f_stack(&masks, 1).or_else(|e| halt(line, short(&e)))?;
            for b in 0..stacked.size()[0] {
                let mask = (Value::Str(Rc::from("mask")), Value::tensor(stacked.get(b)));
                samples.push(Value::Dict(Rc::new(RefCell::new(vec![mask]))));
            }
        }
        Ok(vec![
            ("inputs".to_string(), Value::Batch(items.clone())),
            (
                "data_samples".to_string(),
                Value::List(Rc::new(RefCell::new(samples))),
            ),
        ])
    }

    /// An instance of a class of the answer that nothing makes: `__init__(self, G_AB,
    /// G_BA, ...)` is given what its parameters' names stand for.
    fn instance_named_by(&mut self, class: Rc<ClassDef>) -> R<Value> {
        let args = match class.method("__init__") {
            Some(init) => self.args_named_by(init.params.get(1..).unwrap_or_default())?,
            None => Vec::new(),
        };
        self.instantiate(class, args, Vec::new())
    }

    /// A training loop written as a function the answer never calls (`def train(G, F,
    /// loader, epochs): for ...`) runs as if called with what its parameters' names stand
    /// for: the answer means that loop, and a grader reads it so.
    ///
    /// A function that some code of the answer calls (`cosine_lr(optimizer, epoch)` in
    /// `main`) is tried after those nothing calls, which are the entry points.
    fn run_uncalled_loops(&mut self, body: &[Stmt]) -> R<()> {
        let mut defs: Vec<&Rc<crate::ir::FuncDef>> = body
            .iter()
            .filter_map(|s| match s {
                Stmt::Def(f) => Some(f),
                _ => None,
            })
            .collect();
        defs.sort_by_key(|f| self.called_names.contains(&f.name));
        for f in defs {
            if self.trace.iterations > 0 {
                break;
            }
            if self.called.contains(&f.name) || !crate::ir::contains_loop(&f.body) {
                continue;
            }
            self.line = f.span.line;
            let args = self.args_named_by(&f.params)?;
            self.call_def(f, args, Vec::new())?;
        }
        // A `LightningModule` the answer defines but never hands to a trainer: its
        // `training_step` is the loop the answer means, run as `trainer.fit` runs it.
        for s in body {
            if self.trace.iterations > 0 {
                break;
            }
            let Stmt::Class(c) = s else { continue };
            if c.method("training_step").is_none() {
                continue;
            }
            self.line = c.span.line;
            let module = self.instance_named_by(c.clone())?;
            super::lightning::fit(self, vec![module], Vec::new())?;
        }
        // A trainer class nothing makes (`class Trainer: def fit(self, loader): for ...`):
        // its method that holds the loop is the loop the answer means.
        for s in body {
            if self.trace.iterations > 0 {
                break;
            }
            let Stmt::Class(c) = s else { continue };
            let Some(fit) = c.loop_method() else { continue };
            // A class the answer's code makes (`iBOTLoss(...)` in the trainer's
            // `__init__`) is a part of some loop, not the loop, as for the static grader.
            if self.called.contains(&c.name) || self.called_names.contains(&c.name) {
                continue;
            }
            self.line = c.span.line;
            let instance = self.instance_named_by(c.clone())?;
            let args = self.args_named_by(fit.params.get(1..).unwrap_or_default())?;
            self.call(Value::Func(fit, Some(Box::new(instance))), args, Vec::new())?;
        }
        Ok(())
    }

    /// Remembers `total = left ± right` where all three are scalars that a loss could be
    /// made of.
    pub fn note_sum(&mut self, total: &Tensor, left: &Tensor, right: &Tensor, subtracted: bool) {
        if self.harness.splits_losses
            && self.sums.len() < MAX_SUMS
            && total.numel() == 1
            && left.numel() == 1
            && right.numel() == 1
            && total.requires_grad()
        {
            self.sums.push(SumRecord {
                total: total.shallow_clone(),
                left: left.shallow_clone(),
                right: right.shallow_clone(),
                subtracted,
            });
        }
    }

    /// The terms a scalar loss was summed from, each with its sign; the loss itself where
    /// it is no recorded sum.
    pub fn sum_terms(&self, loss: &Tensor) -> Vec<(Tensor, f64)> {
        let mut out = Vec::new();
        let mut todo = vec![(loss.shallow_clone(), 1.0)];
        while let Some((t, sign)) = todo.pop() {
            let record = (out.len() + todo.len() < 16)
                .then(|| {
                    self.sums
                        .iter()
                        .rev()
                        .find(|r| r.total.data_ptr() == t.data_ptr())
                })
                .flatten();
            match record {
                Some(r) => {
                    let right_sign = if r.subtracted { -sign } else { sign };
                    // Right first, so the left term comes out first.
                    todo.push((r.right.shallow_clone(), right_sign));
                    todo.push((r.left.shallow_clone(), sign));
                }
                None => out.push((t, sign)),
            }
        }
        out
    }

    pub fn next_order(&mut self) -> u64 {
        self.trace.order += 1;
        self.trace.order
    }

    /// Runs an update (an optimizer's step, an update helper, a prose update line) and
    /// records which nets it moved.
    pub fn record_step(&mut self, update: impl FnOnce(&mut Interp) -> R<()>) -> R<()> {
        let before = self.harness.snapshot();
        update(self)?;
        let after = self.harness.snapshot();
        let moved = after
            .iter()
            .filter(|(id, p)| before.get(id).is_some_and(|b| b != *p))
            .map(|(id, _)| *id)
            .collect();
        if self.trace.iterations <= 1 {
            self.trace.after_first_iteration_step = Some(after.clone());
        }
        let order = self.next_order();
        self.trace.steps.push(StepEvent {
            order,
            line: self.line,
            iteration: self.trace.iterations,
            moved,
            holds: Vec::new(),
        });
        Ok(())
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    fn tick(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > self.budget.steps {
            return halt(
                self.line,
                format!("the step budget ({} steps) ran out", self.budget.steps),
            );
        }
        if self.steps.is_multiple_of(256) && self.started.elapsed() > self.budget.wall_time {
            return halt(
                self.line,
                format!(
                    "the wall-time budget ({:.1} s) ran out",
                    self.budget.wall_time.as_secs_f64()
                ),
            );
        }
        Ok(())
    }

    /// Counts one item of a loop against the budget and, where the item is a loader's
    /// batch, starts an iteration of training: the properties compare the networks
    /// between iterations.
    pub fn begin_loader_item(&mut self, item: &Value) -> R<()> {
        self.loop_tick()?;
        if let Value::Batch(_) = item {
            let snapshot = self.harness.snapshot();
            self.trace.snapshots.push(snapshot);
            self.trace.iterations += 1;
            self.harness.new_iteration();
        }
        Ok(())
    }

    fn loop_tick(&mut self) -> R<()> {
        self.loop_iterations += 1;
        if self.loop_iterations > self.budget.loop_iterations {
            return halt(
                self.line,
                format!(
                    "the loop budget ({} iterations) ran out",
                    self.budget.loop_iterations
                ),
            );
        }
        self.tick()
    }

    pub fn lookup(&mut self, name: &str) -> R<Value> {
        if let Some(f) = self.frames.last()
            && let Some(v) = f.get(name)
        {
            return Ok(v.clone());
        }
        // `θt` once `g_θt` exists is its parameters, even where a line before the network
        // was first used bound the name (`θt ← θs` above the loop).
        if let Some(v) = self.parameters_by_subscript(name) {
            return Ok(v);
        }
        if let Some(v) = self.globals.get(name) {
            return Ok(v.clone());
        }
        // A closure's variable (`moment` of the function that defines the helper reading
        // it), from the frames that called it, innermost first, as the static grader
        // reads it.
        if let Some(v) = self
            .frames
            .iter()
            .rev()
            .skip(1)
            .find_map(|frame| frame.get(name))
        {
            return Ok(v.clone());
        }
        // `θ_t` in math notation: the parameters of the network the answer calls `g_t`
        // (or `f_t`), when it has one.
        if let Some(v) = self.parameters_by_subscript(name) {
            return Ok(v);
        }
        // `Fake_B` where the answer defined `fake_B`: the static analysis reads the same.
        if let Some(slip) = self.case_slip(name) {
            return self.lookup(&slip);
        }
        // `ibot_loss(...)` in a loop handed its loss, where the answer defines the class
        // `iBOTLoss` but never makes it: an instance of that class.
        if let Some(class) = self.class_named_like(name) {
            let instance = self.instance_named_by(class)?;
            self.globals.insert(name.to_string(), instance.clone());
            return Ok(instance);
        }
        // `u_hat` where the answer has `u` but never makes `u_hat` (`û = mask(u)` said in
        // words): the masked view of `u`, as the static grader reads the name. It is made
        // anew in each iteration, where `u` is.
        if let Some(base) = name.strip_suffix("_hat")
            && self.harness.has_masker()
            && let Some(Value::Tensor(view)) = self.bound(base)
        {
            let line = self.line;
            let masked = self
                .harness
                .call_stand("mask", name, vec![Value::Tensor(view)], line)?;
            return match masked {
                Value::Batch(items) => Ok(items.first().cloned().unwrap_or(Value::None)),
                other => Ok(other),
            };
        }
        // An undefined list of crops that nothing calls (`globals_` of a trainer's method
        // nothing calls) is the two views of a batch; one of masks (`masks`), a mask for
        // each view.
        let v = if crate::analysis::facts::names_views(name) && !self.called_names.contains(name) {
            self.views_list(name)?
        } else {
            // A name the answer never defines: the harness says what it stands for, once,
            // so that every use sees the same object.
            self.harness.stand_in(name, self.line)?
        };
        self.globals.insert(name.to_string(), v.clone());
        self.stand_ins.insert(name.to_string());
        Ok(v)
    }

    /// The list an undefined name of crops or masks stands for: two views of a batch of
    /// the loader's, or a mask of the harness's for each.
    fn views_list(&mut self, name: &str) -> R<Value> {
        let items = if crate::analysis::facts::says_mask(name) {
            let line = self.line;
            (0..2)
                .map(|_| self.harness.call_stand("mask", name, Vec::new(), line))
                .collect::<R<Vec<Value>>>()?
        } else {
            // Global and local crops are of the same images: those of the loader's first
            // batch.
            let views = match self.harness.batches("loader").into_iter().next() {
                Some(Value::Batch(items)) => items.iter().take(2).cloned().collect(),
                Some(one) => vec![one],
                None => Vec::new(),
            };
            let local = crate::analysis::facts::tokens(name)
                .iter()
                .any(|t| t == "locals" || t == "local");
            match views.first() {
                Some(Value::Tensor(images)) if local => {
                    let images = images.t.shallow_clone();
                    self.harness.local_crops(&images)
                }
                _ => views,
            }
        };
        Ok(Value::List(Rc::new(RefCell::new(items))))
    }

    /// The instance an undefined name stands for when the answer defines exactly one
    /// class with the method read of it, made once, as `trainer.fit` makes a module.
    fn instance_with_method(&mut self, name: &str, method: &str) -> R<Option<Value>> {
        // `BaseModel.__init__(self, opt)` calls an undefined base class, not an instance.
        if !self.stand_ins.contains(name)
            || method.starts_with("__")
            || super::ops::NET_METHODS.contains(&method)
        {
            return Ok(None);
        }
        let mut classes: Vec<Rc<crate::ir::ClassDef>> = self
            .globals
            .values()
            .filter_map(|v| match v {
                Value::Class(c) if c.method(method).is_some() => Some(c.clone()),
                _ => None,
            })
            .collect();
        classes.dedup_by(|a, b| Rc::ptr_eq(a, b));
        let [class] = classes.as_slice() else {
            return Ok(None);
        };
        let instance = self.instance_named_by(class.clone())?;
        self.stand_ins.remove(name);
        self.globals.insert(name.to_string(), instance.clone());
        Ok(Some(instance))
    }

    /// The one class of the answer that an undefined name spells but for case and
    /// underscores (`ibot_loss` for `iBOTLoss`).
    fn class_named_like(&self, name: &str) -> Option<Rc<crate::ir::ClassDef>> {
        let plain = |s: &str| s.replace('_', "").to_lowercase();
        let wanted = plain(name);
        let mut found = self.globals.values().filter_map(|v| match v {
            Value::Class(c) if plain(&c.name) == wanted && c.name != name => Some(c.clone()),
            _ => None,
        });
        let first = found.next()?;
        found.all(|c| Rc::ptr_eq(&c, &first)).then_some(first)
    }

    /// Whether `name` is one the answer never defines, given a stand-in by the harness.
    pub fn is_stand_in(&self, name: &str) -> bool {
        self.stand_ins.contains(name)
    }

    /// The variable of the answer that an undefined name spells but for case. Builtins
    /// and the harness's stand-ins are no variables of the answer (`f` is no slip of `F`).
    fn case_slip(&self, name: &str) -> Option<String> {
        let bound: std::collections::BTreeSet<&String> = self
            .frames
            .last()
            .into_iter()
            .flat_map(|f| f.keys())
            .chain(
                self.globals
                    .iter()
                    .filter(|(k, v)| {
                        !matches!(v, Value::Builtin(_)) && !self.stand_ins.contains(*k)
                    })
                    .map(|(k, _)| k),
            )
            .collect();
        crate::analysis::facts::case_slip(name, bound, &self.called_names).cloned()
    }

    /// `θ_t`, `θt`: the parameters of the network written with that subscript (`g_t`,
    /// `f_t`, `g_θt`), once the answer has used one.
    fn parameters_by_subscript(&self, name: &str) -> Option<Value> {
        let subscript = ["θ_", "theta_", "Θ_", "θ", "Θ"]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .filter(|s| !s.is_empty() && !s.starts_with('_'))?;
        let mut matches: Vec<(&String, &Rc<Net>)> = self
            .globals
            .iter()
            .filter_map(|(var, v)| match v {
                Value::Net(n)
                    if var.split_once('_').is_some_and(|(_, s)| {
                        // `θ_t` names the parameters of `f_t`, and of `f_θt`.
                        s == subscript || s.replace('_', "") == name.replace('_', "")
                    }) =>
                {
                    Some((var, n))
                }
                _ => None,
            })
            .collect();
        // The first by name, so that every run picks the same one.
        matches.sort_by(|a, b| a.0.cmp(b.0));
        matches.first().map(|(_, n)| Value::Params((*n).clone()))
    }

    pub fn set(&mut self, name: &str, v: Value) {
        if let Value::Net(n) = &v {
            self.harness.note_alias(n, name);
        }
        match self.frames.last_mut() {
            Some(f) => {
                f.insert(name.to_string(), v);
            }
            None => {
                self.globals.insert(name.to_string(), v);
            }
        }
    }

    pub fn block(&mut self, body: &[Stmt]) -> R<()> {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> R<()> {
        self.tick()?;
        match s {
            Stmt::Assign {
                targets,
                value,
                span,
            } => {
                self.line = span.line;
                let v = match self.views_comprehension(targets, value)? {
                    Some(v) => v,
                    None => self.expr(value)?,
                };
                for t in targets {
                    self.assign(t, v.clone())?;
                }
            }
            Stmt::AugAssign {
                target,
                op,
                value,
                span,
            } => {
                self.line = span.line;
                let cur = self.expr(target)?;
                let rhs = self.expr(value)?;
                // `pt *= m; pt += (1 - m) * ps` over a network's parameters: a tensor's
                // augmented assignment is in place, as `mul_` and `add_` are.
                if let (Value::Tensor(t), Some(method)) = (&cur, op.in_place_method())
                    && self.harness.net_of_param(&t.t).is_some()
                {
                    super::ops::call_method(self, cur, method, vec![rhs], Vec::new())?;
                    return Ok(());
                }
                let v = self.binop(*op, cur, rhs)?;
                self.assign(target, v)?;
            }
            Stmt::Expr(e) => {
                self.line = e.span.line;
                self.expr(e)?;
            }
            Stmt::For {
                target,
                iter,
                body,
                span,
            } => {
                self.line = span.line;
                let it = self.expr(iter)?;
                let items = self.iterate(it)?;
                // `for epoch in range(800)`: an epoch loop, seen by the loader loop it
                // runs, stops after its first epoch, as one of an undefined number does;
                // `for step in range(total_steps): batch = next(it)` stops once it has
                // trained on as many batches as a loader holds. The properties read the
                // first iterations, and the rest only spends the budget.
                let counting = items.iter().all(|i| matches!(i, Value::Int(_)));
                let started = self.trace.iterations;
                for item in items {
                    self.begin_loader_item(&item)?;
                    self.assign(target, item)?;
                    match self.block(body) {
                        Ok(()) | Err(Flow::Continue) => {}
                        Err(Flow::Break) => break,
                        Err(e) => return Err(e),
                    }
                    if counting && self.trace.iterations - started >= self.harness.loader_len() {
                        break;
                    }
                }
            }
            Stmt::While { cond, body, span } => {
                // `while step < total_steps: batch = next(it)`: a loop of training steps
                // stops once it has trained on as many batches as a loader holds, as an
                // epoch loop stops after its first epoch.
                let started = self.trace.iterations;
                loop {
                    self.line = span.line;
                    self.loop_tick()?;
                    if !self.expr(cond)?.truthy() {
                        break;
                    }
                    match self.block(body) {
                        Ok(()) | Err(Flow::Continue) => {}
                        Err(Flow::Break) => break,
                        Err(e) => return Err(e),
                    }
                    if self.trace.iterations - started >= self.harness.loader_len() {
                        break;
                    }
                }
            }
            Stmt::If {
                cond,
                body,
                orelse,
                span,
            } => {
                self.line = span.line;
                if self.expr(cond)?.truthy() {
                    self.block(body)?;
                } else {
                    self.block(orelse)?;
                }
            }
            Stmt::With { items, body, span } => {
                self.line = span.line;
                let mut guards = 0;
                for (e, alias) in items {
                    let v = if e.names_no_grad() {
                        Value::NoGrad
                    } else {
                        self.expr(e)?
                    };
                    if matches!(v, Value::NoGrad) {
                        guards += 1;
                    }
                    if let Some(a) = alias {
                        self.assign(a, v)?;
                    }
                }
                // libtorch itself must stop recording: the answer's `no_grad` is what
                // detaches the tensors computed inside it.
                let guard = (guards > 0).then(tch::no_grad_guard);
                let r = self.block(body);
                drop(guard);
                r?;
            }
            Stmt::Def(f) => {
                self.set(&f.name, Value::Func(f.clone(), None));
            }
            Stmt::Class(c) => {
                self.set(&c.name, Value::Class(c.clone()));
            }
            Stmt::Return(e, span) => {
                self.line = span.line;
                let v = match e {
                    Some(e) => self.expr(e)?,
                    None => Value::None,
                };
                return Err(Flow::Return(v));
            }
            Stmt::Prose { text, span } => {
                self.line = span.line;
                self.prose(text)?;
            }
            // A line that could not be parsed runs as nothing, as in the static analysis;
            // the properties say their measurement is incomplete.
            Stmt::Unparsed { span, text } => {
                // `    = 1e-3` (a name lost in transcription) names nothing the run could
                // have used; any other unparsed line might have mattered.
                let names_something = crate::analysis::facts::words(text)
                    .any(|t| t.starts_with(|c: char| c.is_alphabetic() || c == '_'));
                if names_something {
                    self.trace.unparsed.push(span.line);
                }
            }
            Stmt::Continue => return Err(Flow::Continue),
            Stmt::Break => return Err(Flow::Break),
            Stmt::Import(aliases) => {
                for alias in aliases {
                    self.import(alias);
                }
            }
            Stmt::Other => {}
        }
        Ok(())
    }

    /// `import torch.distributed as dist`, `import random`: the name is that part of the
    /// torch surface (NumPy's being torch's here), or Python's `random` (`next_draw`).
    /// Nothing is imported, and any other module (a misspelt `torch.nn.funtional` too)
    /// leaves the name to what it stands for without the import. A function or class of
    /// the answer with the same name keeps it, as the answer's helpers are bound before
    /// anything runs.
    fn import(&mut self, alias: &crate::ir::ModuleAlias) {
        let path = match alias.path.as_str() {
            "numpy" => "torch",
            p @ ("torch"
            | "torch.nn"
            | "torch.nn.functional"
            | "torch.optim"
            | "torch.distributed"
            | "torch.linalg"
            | "math"
            | "copy"
            | "random") => p,
            _ => return,
        };
        if matches!(
            self.bound(&alias.name),
            Some(Value::Func(..) | Value::Class(_))
        ) {
            return;
        }
        self.set(&alias.name, Value::Builtin(Rc::from(path)));
    }

    pub fn assign(&mut self, target: &Expr, v: Value) -> R<()> {
        match &target.kind {
            ExprKind::Name(n) => {
                // `m_u = random_mask(u)`: a masker's output bound to a mask's name is the
                // mask (a masked view, `masked_u = mask(u)`, stays the masker's output).
                let v = match &v {
                    Value::Batch(items) if self.names_the_mask(n) => match items.get(1) {
                        Some(m @ Value::Tensor(t)) if t.t.kind() == Kind::Bool => m.clone(),
                        _ => v,
                    },
                    _ => v,
                };
                // `θt ← λ θt + (1 − λ) θs`: an assignment to a network's parameters by
                // their subscript updates them.
                let local = self.frames.last().is_some_and(|f| f.contains_key(n));
                if !local && let Some(Value::Params(net)) = self.parameters_by_subscript(n) {
                    return self.assign_params(&net, v);
                }
                // `teacher = 0.99 * teacher + 0.01 * student`: new weights for the network
                // the name holds, which stays that network.
                if let (Value::ParamValues(_), Some(Value::Net(net))) = (&v, self.bound(n)) {
                    return self.assign_params(&net, v);
                }
                self.set(n, v);
                Ok(())
            }
            // `student, teacher = utils.build_ibot(args)`: networks a builder makes
            // together, each the network its name stands for.
            ExprKind::Tuple(items) | ExprKind::List(items)
                if matches!(&v, Value::Net(n) if matches!(n.kind, NetKind::Toy { .. }))
                    && items.len() > 1
                    && items.iter().all(|t| matches!(t.kind, ExprKind::Name(_))) =>
            {
                for t in items {
                    if let ExprKind::Name(n) = &t.kind {
                        let net = self.harness.unknown_net(n);
                        self.set(n, Value::Net(net));
                    }
                }
                Ok(())
            }
            // `loader_A, loader_B = build_loaders()`: loaders a helper makes together, each
            // the loader its name stands for (and its domain with it).
            ExprKind::Tuple(items) | ExprKind::List(items)
                if matches!(v, Value::Loader(_))
                    && items.len() > 1
                    && items.iter().all(|t| {
                        matches!(&t.kind, ExprKind::Name(n) if crate::analysis::facts::says_loader(n))
                    }) =>
            {
                for t in items {
                    if let ExprKind::Name(n) = &t.kind {
                        self.set(n, Value::Loader(Rc::from(n.as_str())));
                    }
                }
                Ok(())
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let vals = match &v {
                    Value::Batch(batch) => match self.loader_pattern(batch, items)? {
                        Some(vals) => vals,
                        None => self.unpack(v, items.len())?,
                    },
                    _ => {
                        let prediction_first = matches!(&v, Value::Tensor(t) if self.is_toy_output(t))
                            && prediction_named_first(items);
                        let mut vals = self.unpack(v, items.len())?;
                        // `p1, z1 = model(x1)` where the toy network gives `(z, p)`: the
                        // names say which is which.
                        if prediction_first && vals.len() == 2 {
                            vals.swap(0, 1);
                        }
                        vals
                    }
                };
                for (t, x) in items.iter().zip(vals) {
                    self.assign(t, x)?;
                }
                Ok(())
            }
            ExprKind::Attr(obj, attr) => {
                let o = self.expr(obj)?;
                self.set_attr(o, attr, v)
            }
            ExprKind::Subscript(obj, idx) => {
                if let Some(name) = self.subscripted_name(obj, idx) {
                    self.set(&name, v);
                    return Ok(());
                }
                let o = self.expr(obj)?;
                if let Value::Tensor(t) = &o
                    && let Some(region) = self.bounded_region(t, idx)?
                {
                    let value = self.as_tensor(&v)?;
                    let mut region = region;
                    let line = self.line;
                    return region.f_copy_(&value.t).or_else(|e| halt(line, short(&e)));
                }
                let i = self.expr(idx)?;
                self.set_item(o, i, v)
            }
            ExprKind::Star(inner) => self.assign(inner, v),
            _ => halt(target.span.line, "cannot assign to this expression"),
        }
    }

    /// `masks[b, top:top + h, left:left + w]`: the part of a tensor an index with bounded
    /// slices names, as a view that an assignment writes through. `None` for any other
    /// index, which `set_item` puts.
    fn bounded_region(&mut self, t: &Tagged, idx: &Expr) -> R<Option<Tensor>> {
        let parts: Vec<&Expr> = match &idx.kind {
            ExprKind::Tuple(parts) => parts.iter().collect(),
            _ => vec![idx],
        };
        let bounded =
            |e: &Expr| matches!(&e.kind, ExprKind::Slice(a, b) if a.is_some() || b.is_some());
        if !parts.iter().any(|p| bounded(p)) {
            return Ok(None);
        }
        let line = self.line;
        let mut region = t.t.shallow_clone();
        let mut dim = 0i64;
        for p in parts {
            if dim >= region.dim() as i64 {
                return halt(line, "too many indices for the tensor");
            }
            let len = region.size()[dim as usize];
            match &p.kind {
                ExprKind::Slice(start, stop) => {
                    let mut bound = |e: &Option<Box<Expr>>, default: i64| -> R<i64> {
                        let k = match e {
                            Some(e) => self.expr(e)?.as_f64().map(|x| x as i64),
                            None => None,
                        };
                        Ok(super::ops::slice_bound(k, len, default))
                    };
                    let (a, b) = (bound(start, 0)?, bound(stop, len)?);
                    region = region
                        .f_slice(dim, a, b.max(a), 1)
                        .or_else(|e| halt(line, short(&e)))?;
                    dim += 1;
                }
                _ => {
                    let Some(k) = self.expr(p)?.as_f64() else {
                        return Ok(None);
                    };
                    region = region
                        .f_select(dim, k as i64)
                        .or_else(|e| halt(line, short(&e)))?;
                }
            }
        }
        Ok(Some(region))
    }

    /// `m_u`, `mask_v`, but not `masked_u`: a name for a mask itself.
    fn names_the_mask(&self, name: &str) -> bool {
        let folded = crate::analysis::facts::fold(name);
        self.harness.is_mask_name(name)
            && !folded.contains("masked")
            && !folded.contains("enmascarad")
    }

    /// `û_s[cls] ← f_s(û)[0]`: in pseudocode a name subscripted by a bare word is one
    /// variable, where neither part is anything the answer defined.
    fn subscripted_name(&self, obj: &Expr, idx: &Expr) -> Option<String> {
        let (ExprKind::Name(base), ExprKind::Name(key)) = (&obj.kind, &idx.kind) else {
            return None;
        };
        let name = format!("{base}[{key}]");
        let fresh = |n: &str| self.bound(n).is_none();
        (self.bound(&name).is_some() || (fresh(base) && fresh(key))).then_some(name)
    }

    /// The value a name is bound to in the current frame or the globals, without asking
    /// the harness.
    fn bound(&self, name: &str) -> Option<Value> {
        self.frames
            .last()
            .and_then(|f| f.get(name))
            .or_else(|| self.globals.get(name))
            .cloned()
    }

    fn set_attr(&mut self, o: Value, attr: &str, v: Value) -> R<()> {
        // `θ_t.requires_grad ← False`, `f_t.requires_grad = False`: the network (whose
        // parameters those are) is frozen or unfrozen, as `requires_grad_` does.
        if let (Value::Params(n) | Value::Net(n), "requires_grad") = (&o, attr) {
            let method = Value::Method(Box::new(Value::Net(n.clone())), Rc::from("requires_grad_"));
            self.call(method, vec![v], Vec::new())?;
            return Ok(());
        }
        match o {
            Value::Net(n) => {
                if let Value::Net(sub) = &v {
                    self.harness.note_alias(sub, attr);
                }
                if matches!(attr, "params" | "parameters" | "weights" | "θ" | "theta") {
                    return self.assign_params(&n, v);
                }
                if let NetKind::Object(obj) = &n.kind {
                    obj.borrow_mut().attrs.insert(attr.to_string(), v);
                    return Ok(());
                }
                if matches!(n.kind, NetKind::Toy { .. } | NetKind::ToyVit { .. }) {
                    // `backbone.fc = nn.Identity()`: a layer put on a network the answer
                    // never defines. Other settings (`model.num_features = 512`) change
                    // nothing the toy computes.
                    if let Value::Net(part) = v {
                        self.harness.set_part(&n, attr, part);
                    }
                    return Ok(());
                }
                halt(
                    self.line,
                    format!("cannot set `{attr}` on network `{}`", n.name),
                )
            }
            Value::Tensor(t) if attr == "data" => {
                // `p.data = ...`: a parameter update written by hand.
                let new = self.as_tensor(&v)?;
                self.note_manual_update(&t.t);
                let mut dst = t.t.shallow_clone();
                tch::no_grad(|| dst.f_copy_(&new.t))
                    .or_else(|e| halt(self.line, format!("cannot assign `.data`: {}", short(&e))))
            }
            Value::Tensor(t) if attr == "requires_grad" => {
                let _ = t.t.set_requires_grad(v.truthy());
                Ok(())
            }
            // `loss. DB = ...` in a transcription, where `loss` is nothing the answer
            // defines: a setting on a stand-in changes nothing measured, as it changes
            // nothing the static grader reads.
            Value::Stand(..) => Ok(()),
            other => halt(
                self.line,
                format!("cannot set `{attr}` on a {}", other.type_name()),
            ),
        }
    }

    /// `nets = {"student": ViT()}`, `nets["teacher"] = copy.deepcopy(...)`: a network kept
    /// in a dict under a key is known by that key, as a `ModuleDict`'s are.
    fn note_dict_entry(&mut self, key: &Value, v: &Value) {
        if let (Value::Str(key), Value::Net(net)) = (key, v) {
            self.harness.note_alias(net, key);
        }
    }

    fn set_item(&mut self, o: Value, i: Value, v: Value) -> R<()> {
        match o {
            Value::List(l) => {
                let idx = self.index_of(&i, l.borrow().len())?;
                l.borrow_mut()[idx] = v;
                Ok(())
            }
            Value::Dict(d) => {
                self.note_dict_entry(&i, &v);
                let mut d = d.borrow_mut();
                match d.iter_mut().find(|(k, _)| keys_equal(k, &i)) {
                    Some(slot) => slot.1 = v,
                    None => d.push((i, v)),
                }
                Ok(())
            }
            Value::Tensor(t) => {
                let value = self.as_tensor(&v)?;
                // `images[0] = images[0].cuda()`: a crop of the loader's list put back as
                // it was.
                if self.harness.second_view_of(&t.t).is_some()
                    && value.t.size() == t.t.size()
                    && matches!(i.as_f64(), Some(k) if k == 0.0 || k == 1.0)
                {
                    return Ok(());
                }
                super::ops::index_put(self, &t, &i, &value)
            }
            other => halt(
                self.line,
                format!("cannot assign an item of a {}", other.type_name()),
            ),
        }
    }

    /// `f_t.params = λ f_t.params + (1 - λ) f_s.params`: parameters assigned as a whole.
    fn assign_params(&mut self, n: &Rc<Net>, v: Value) -> R<()> {
        let targets = self.harness.all_params(n);
        let values = match v {
            Value::ParamValues(p) => p.iter().map(Tensor::shallow_clone).collect(),
            Value::Params(src) => self.harness.all_params(&src),
            other => {
                return halt(
                    self.line,
                    format!("parameters cannot be set to a {}", other.type_name()),
                );
            }
        };
        if values.len() != targets.len() {
            return halt(self.line, "the parameter lists have different lengths");
        }
        for (t, v) in targets.iter().zip(&values) {
            self.note_manual_update(t);
            let mut dst = t.shallow_clone();
            let r = tch::no_grad(|| dst.f_copy_(v));
            if let Err(e) = r {
                return halt(self.line, short(&e));
            }
        }
        Ok(())
    }

    /// A prose line that says to update the weights (`Update Encoder and Projection`)
    /// is a step of the optimizer over the trained networks; other prose runs as nothing.
    fn prose(&mut self, text: &str) -> R<()> {
        // `congelar f_t (requires_grad = False)`: the networks named are frozen.
        if crate::analysis::facts::prose_freezes(text) {
            for word in crate::analysis::facts::words(text) {
                if let Some(net @ Value::Net(_)) = self.bound(word) {
                    let freeze = Value::Builtin(Rc::from("helpers.freeze"));
                    self.call(freeze, vec![net], Vec::new())?;
                }
            }
            return Ok(());
        }
        let t = crate::analysis::facts::fold(text);
        let says_update = crate::analysis::facts::says_update(text);
        // `update c` (the center of the teacher's outputs) and teacher updates are not
        // a step of the optimizer. An aside in parentheses gives settings
        // (`actualizar f y h con SGD (lr = 0.05, momentum = 0.9)`): an optimizer's
        // momentum is no teacher's.
        let mut depth = 0u32;
        let outside: String = t
            .chars()
            .filter(|c| {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    _ => return depth == 0,
                }
                false
            })
            .collect();
        let about_teacher = ["teacher", "profesor", "ema", "momentum", "center", "centro"]
            .iter()
            .any(|w| outside.contains(w))
            || outside
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "c");
        if says_update && !about_teacher {
            // `actualizar G_AB y G_BA con Adam`: the networks the line names, where it
            // names some the answer uses; otherwise every trained one. A word the answer
            // never defines (`actualizar el encoder y el predictor`, where the networks
            // are `f` and `h`) names a role: the networks playing it.
            let mut named: Vec<Rc<Net>> = Vec::new();
            for w in crate::analysis::facts::words(text) {
                match self.bound(w) {
                    // A stand-in only called to build another network (`h = predictor()`)
                    // has no weights of its own; one the answer runs (`G_AB(A)`) does.
                    Some(Value::Net(n))
                        if !self.stand_ins.contains(w) || !n.params.borrow().is_empty() =>
                    {
                        named.push(n)
                    }
                    _ => {
                        if let Some(net) = self.network_of_parameters(w) {
                            named.push(net);
                        } else if let Some(role) = self.harness.role_of_name(w) {
                            named.extend(self.harness.nets_playing(&role));
                        }
                    }
                }
            }
            let nets = if named.is_empty() {
                self.harness.trained_nets()
            } else {
                named
            };
            self.step_nets(&nets)?;
        }
        Ok(())
    }

    /// `θ_G`, `θ_DA` in a step written as math: the parameters of the network `G`, `D_A`
    /// (or `DA`) of the answer.
    fn network_of_parameters(&self, word: &str) -> Option<Rc<Net>> {
        let subscript = ["θ_", "theta_", "θ"]
            .iter()
            .find_map(|p| word.strip_prefix(p))
            .filter(|s| !s.is_empty())?;
        let mut names = vec![subscript.to_string()];
        if let Some(first) = subscript.chars().next() {
            names.push(format!("{first}_{}", &subscript[first.len_utf8()..]));
        }
        names.into_iter().find_map(|n| match self.bound(&n) {
            Some(Value::Net(net)) => Some(net),
            _ => None,
        })
    }

    /// Whether a backward pass of this iteration gave network `net` gradient: an update
    /// by hand of its weights is then a step (`note_step_by_hand`).
    pub fn trained_this_iteration(&self, net: usize) -> bool {
        let iteration = self.trace.iterations;
        self.trace
            .backwards
            .iter()
            .rev()
            .take_while(|b| b.iteration == iteration)
            .any(|b| b.grads.get(&net).is_some_and(|g| *g > 0.0))
    }

    /// `w -= lr * g` on a parameter of network `net`, which a backward pass of this
    /// iteration gave gradient: a step written by hand (after `torch.autograd.grad`, or
    /// reading `p.grad`), which the properties read as an optimizer's step. The updates
    /// one line makes in a row are one step. An EMA writes to a network no gradient
    /// reaches, so it stays an update by hand only.
    pub fn note_step_by_hand(&mut self, net: usize, moved: bool) {
        let iteration = self.trace.iterations;
        let last_backward = self.trace.backwards.last().map_or(0, |b| b.order);
        let line = self.line;
        if let Some(step) = self.trace.steps.last_mut()
            && step.line == line
            && step.iteration == iteration
            && step.order > last_backward
        {
            if moved && !step.moved.contains(&net) {
                step.moved.push(net);
            }
            return;
        }
        let order = self.next_order();
        self.trace.steps.push(StepEvent {
            order,
            line,
            iteration,
            moved: if moved { vec![net] } else { Vec::new() },
            holds: Vec::new(),
        });
    }

    pub fn note_manual_update(&mut self, t: &Tensor) {
        if let Some(net) = self.harness.net_of_param(t) {
            self.trace.manual_updates.push((self.line, net));
        }
    }

    pub fn index_of(&self, i: &Value, len: usize) -> R<usize> {
        let Some(k) = i.as_f64() else {
            return halt(
                self.line,
                format!("a {} cannot index a list", i.type_name()),
            );
        };
        let k = k as i64;
        let idx = if k < 0 { len as i64 + k } else { k };
        if idx < 0 || idx as usize >= len {
            return halt(self.line, format!("index {k} is out of range"));
        }
        Ok(idx as usize)
    }

    /// `for (x1, x2), _ in loader`, `for (u, v), (m_u, m_v) in loader`, `for u, v, m_u,
    /// m_v in loader` and `for images, masks in loader`: a loader's batch of two views read as the views and what comes
    /// with them, masks where the names are the rubric's maskers' and labels otherwise.
    /// `None` when the pattern is none of these.
    fn loader_pattern(
        &mut self,
        batch: &Rc<Vec<Value>>,
        targets: &[Expr],
    ) -> R<Option<Vec<Value>>> {
        let pair = |e: &Expr| match &e.kind {
            ExprKind::Tuple(xs) | ExprKind::List(xs) if xs.len() == 2 => Some(xs.clone()),
            _ => None,
        };
        let is_loader_batch = batch.len() == 3
            && batch[..2]
                .iter()
                .all(|x| matches!(x, Value::Tensor(t) if t.views != 0));
        if !is_loader_batch {
            return Ok(None);
        }
        let is_mask_name = |ip: &Self, e: &Expr| match &e.kind {
            ExprKind::Name(name) => ip.harness.is_mask_name(name),
            _ => false,
        };
        // `for u, v, m_u, m_v in loader`: the views, then their masks.
        if let [_, _, m1, m2] = targets
            && is_mask_name(self, m1)
            && is_mask_name(self, m2)
        {
            let mut out = batch[..2].to_vec();
            out.extend(self.loader_masks(&batch[..2])?);
            return Ok(Some(out));
        }
        // `_, (X1, X2), _ = batch` (solo-learn's loaders yield indexes, the views and
        // the targets): the pair is the views, what surrounds it labels.
        if let [before, middle, after] = targets
            && pair(before).is_none()
            && pair(middle).is_some()
            && !is_mask_name(self, after)
        {
            let labels = || Value::tensor(Tensor::zeros([BATCH], (Kind::Int64, Device::Cpu)));
            let views = Value::Tuple(Rc::new(batch[..2].to_vec()));
            // `_, (X1, X2), (M1, M2) = batch`: in a rubric with maskers, the views' masks.
            let last = match pair(after) {
                Some(_) if self.harness.has_masker() => {
                    Value::Tuple(Rc::new(self.loader_masks(&batch[..2])?))
                }
                Some(_) => return Ok(None),
                None => labels(),
            };
            return Ok(Some(vec![labels(), views, last]));
        }
        // `images, labels, masks` (the iBOT repository's loader): the crops, their
        // labels and their masks.
        let (first, rest, labelled) = match targets {
            [first, rest] => (first, rest, false),
            [first, _, rest] if pair(first).is_none() && is_mask_name(self, rest) => {
                (first, rest, true)
            }
            _ => return Ok(None),
        };
        let labels = || Value::tensor(Tensor::zeros([BATCH], (Kind::Int64, Device::Cpu)));
        let two_views = batch[..2].to_vec();
        let (views, with_masks) = match (pair(first), pair(rest)) {
            // `(u, v), (m_u, m_v)` and `(x1, x2), _`. A rubric with maskers reads any pair beside the views as their masks
            // (`(x1, x2), (m1, m2)`): what else a masked-modelling loader yields with
            // two views is the masks of both.
            (Some(_), Some(names))
                if self.harness.has_masker() || names.iter().all(|n| is_mask_name(self, n)) =>
            {
                (Value::Tuple(Rc::new(two_views)), true)
            }
            (Some(_), _) => (Value::Tuple(Rc::new(two_views)), false),
            // `images, masks` (the iBOT repository): the list of crops and their masks.
            (None, None) if is_mask_name(self, rest) => {
                (Value::List(Rc::new(RefCell::new(two_views))), true)
            }
            _ => return Ok(None),
        };
        let second = if with_masks {
            let masks = self.loader_masks(&batch[..2])?;
            match views {
                // The repository's masks are grids of patches, flattened where used.
                Value::List(_) => {
                    let patches = self.harness.patches;
                    let side = (patches as f64).sqrt() as i64;
                    let grids = masks
                        .into_iter()
                        .map(|m| match m {
                            Value::Tensor(t) if side * side == patches => {
                                match t.t.f_reshape([BATCH, side, side]) {
                                    Ok(g) => Value::Tensor(Tagged { t: g, ..t }),
                                    Err(_) => Value::Tensor(t),
                                }
                            }
                            other => other,
                        })
                        .collect();
                    Value::List(Rc::new(RefCell::new(grids)))
                }
                _ => Value::Tuple(Rc::new(masks)),
            }
        } else {
            labels()
        };
        Ok(Some(if labelled {
            vec![views, labels(), second]
        } else {
            vec![views, second]
        }))
    }

    /// The masks a loader yields with its views: the harness's masker applied to each.
    fn loader_masks(&mut self, views: &[Value]) -> R<Vec<Value>> {
        let mut masks = Vec::new();
        for view in views {
            let made = self
                .harness
                .call_stand("mask", "loader", vec![view.clone()], self.line)?;
            masks.push(match made {
                Value::Batch(parts) => parts.get(1).cloned().unwrap_or(Value::None),
                other => other,
            });
        }
        Ok(masks)
    }

    /// `[elt for target in items if cond]`.
    fn comprehension(
        &mut self,
        elt: &Expr,
        target: &Expr,
        cond: Option<&Expr>,
        items: Vec<Value>,
    ) -> R<Value> {
        let mut out = Vec::new();
        for item in items {
            self.loop_tick()?;
            self.assign(target, item)?;
            if let Some(c) = cond
                && !self.expr(c)?.truthy()
            {
                continue;
            }
            match &elt.kind {
                ExprKind::Star(inner) => match self.expr(inner)? {
                    Value::List(l) => out.extend(l.borrow().iter().cloned()),
                    other => out.push(other),
                },
                _ => out.push(self.expr(elt)?),
            }
        }
        Ok(Value::List(Rc::new(RefCell::new(out))))
    }

    /// `u, v = [view.to(device) for view in batch[0]]` (lightly's loaders, whose first
    /// item is the list of views): a comprehension over a batch's first view, unpacked
    /// into two, goes over both views, as `x0, x1 = batch[0]` does (`unpack`).
    fn views_comprehension(&mut self, targets: &[Expr], value: &Expr) -> R<Option<Value>> {
        let (
            [
                Expr {
                    kind: ExprKind::Tuple(names) | ExprKind::List(names),
                    ..
                },
            ],
            ExprKind::Comprehension {
                elt,
                target,
                iter,
                cond,
            },
        ) = (targets, &value.kind)
        else {
            return Ok(None);
        };
        if names.len() != 2 {
            return Ok(None);
        }
        // The iterable is evaluated once here: a comprehension over anything else goes
        // over its items as any comprehension does.
        let items = match self.expr(iter)? {
            Value::Tensor(first)
                if first.views == 1
                    && let Some(second) = self.harness.second_view_of(&first.t) =>
            {
                let second = Value::Tensor(Tagged {
                    t: second,
                    views: 2,
                    ..first.clone()
                });
                vec![Value::Tensor(first), second]
            }
            other => self.iterate(other)?,
        };
        self.comprehension(elt, target, cond.as_deref(), items)
            .map(Some)
    }

    /// Whether `t` is what a toy network gave (not a pair of rows), which `unpack` reads
    /// as `(z, p)` when unpacked into two.
    fn is_toy_output(&self, t: &Tagged) -> bool {
        t.t.size().first() != Some(&2)
            && self
                .harness
                .origins
                .get(&t.origin)
                .is_some_and(|net| matches!(net.kind, NetKind::Toy { .. }))
    }

    pub fn unpack(&mut self, v: Value, n: usize) -> R<Vec<Value>> {
        // `x0, x1 = batch[0]` (lightly's loaders, whose first item is the list of views):
        // a batch's first view unpacked into two is both views.
        if let Value::Tensor(first) = &v
            && n == 2
            && first.views == 1
            && let Some(second) = self.harness.second_view_of(&first.t)
        {
            let second = Value::Tensor(Tagged {
                t: second,
                views: 2,
                ..first.clone()
            });
            return Ok(vec![v, second]);
        }
        let items = match v {
            // `view, masked, mask = make_masked_views(x)`: a masker's output unpacked
            // into three is the image, the masked image and the mask.
            Value::Batch(items) if n == 3 && items.len() == 4 => {
                return Ok(vec![items[3].clone(), items[0].clone(), items[1].clone()]);
            }
            Value::Batch(items) if n <= items.len() => return Ok(items[..n].to_vec()),
            Value::Batch(items) => {
                return halt(
                    self.line,
                    format!("a batch holds {} values, not {n}", items.len()),
                );
            }
            // `z, p = model(x)` with a model the answer never defines: the toy network's
            // output is `z`, and its predictor part gives `p` (`p, z = model(x)` is read
            // by its names, `prediction_named_first`).
            Value::Tensor(t) if n == 2 && self.is_toy_output(&t) => {
                let net = self.harness.origins[&t.origin].clone();
                let predictor = self.harness.part(&net, "predictor");
                let p = self.call_net(predictor, vec![Value::Tensor(t.clone())], Vec::new())?;
                return Ok(vec![Value::Tensor(t), p]);
            }
            other => self.iterate(other)?,
        };
        if items.len() != n {
            return halt(
                self.line,
                format!("cannot unpack {} values into {n} names", items.len()),
            );
        }
        Ok(items)
    }

    /// The items a `for` loop (or unpacking) goes through.
    pub fn iterate(&mut self, v: Value) -> R<Vec<Value>> {
        match v {
            Value::List(l) => Ok(self.spread_parameters(&l.borrow())),
            Value::Tuple(t) => Ok(self.spread_parameters(&t)),
            Value::Dict(d) => Ok(d.borrow().iter().map(|(k, _)| k.clone()).collect()),
            Value::Loader(name) => Ok(self.harness.batches(&name)),
            // An undefined name a loop goes through is a loader (`for x in dutalouder`).
            Value::Stand(role, name) if role.as_ref() == "unknown" => {
                Ok(self.harness.batches(&name))
            }
            Value::Params(n) => Ok(self
                .harness
                .all_params(&n)
                .into_iter()
                .map(Value::tensor)
                .collect()),
            Value::ParamValues(p) => {
                Ok(p.iter().map(|t| Value::tensor(t.shallow_clone())).collect())
            }
            Value::Tensor(t) if let Some(crops) = self.per_crop(&t)? => Ok(crops),
            Value::Tensor(t) => {
                let n = t.t.size().first().copied().unwrap_or(0);
                if n > 4096 {
                    return halt(
                        self.line,
                        "iterating over a tensor this long is outside the budget",
                    );
                }
                (0..n)
                    .map(|i| {
                        t.t.f_get(i)
                            .map(|x| Value::Tensor(Tagged { t: x, ..t.clone() }))
                            .or_else(|e| halt(self.line, short(&e)))
                    })
                    .collect()
            }
            Value::Net(n) => match &n.kind {
                NetKind::Sequential(items) => Ok(items.iter().cloned().map(Value::Net).collect()),
                _ => halt(self.line, format!("network `{}` is not iterable", n.name)),
            },
            Value::Batch(items) => Ok(items.to_vec()),
            other => halt(
                self.line,
                format!("a {} cannot be iterated", other.type_name()),
            ),
        }
    }

    pub fn expr(&mut self, e: &Expr) -> R<Value> {
        self.tick()?;
        match &e.kind {
            ExprKind::Name(n) => self.lookup(n),
            ExprKind::Num(x) => Ok(if x.fract() == 0.0 && x.abs() < 9e15 {
                Value::Int(*x as i64)
            } else {
                Value::Float(*x)
            }),
            ExprKind::Str(s) => Ok(Value::Str(Rc::from(s.as_str()))),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::NoneLit => Ok(Value::None),
            ExprKind::Tuple(xs) => Ok(Value::Tuple(Rc::new(self.exprs(xs)?))),
            ExprKind::List(xs) => Ok(Value::List(Rc::new(RefCell::new(self.exprs(xs)?)))),
            ExprKind::Dict(kv) => {
                let mut out = Vec::new();
                let mut spread_net = None;
                for (k, v) in kv {
                    // `{**a, **b}`: the entries of each dict spread, in order. Weights
                    // copied by name (a network, above) spread with buffers are those
                    // weights: toy networks have no buffers.
                    if matches!(k.kind, ExprKind::KeywordSplat(_)) {
                        match self.expr(v)? {
                            Value::Dict(d) => out.extend(d.borrow().iter().cloned()),
                            Value::List(l) if l.borrow().is_empty() => {}
                            Value::Net(n) => spread_net = Some(n),
                            other => {
                                return halt(
                                    e.span.line,
                                    format!("a {} is spread into a dict", other.type_name()),
                                );
                            }
                        }
                        continue;
                    }
                    let (k, v) = (self.expr(k)?, self.expr(v)?);
                    self.note_dict_entry(&k, &v);
                    out.push((k, v));
                }
                if let Some(n) = spread_net
                    && out.is_empty()
                {
                    return Ok(Value::Net(n));
                }
                Ok(Value::Dict(Rc::new(RefCell::new(out))))
            }
            // `os.environ["KERAS_BACKEND"] = "torch"`: the answer's own environment, a dict
            // that starts as a launcher's (`launcher_environment`) and that nothing outside
            // the interpreter reads. Every other use of `os` is refused.
            ExprKind::Attr(obj, attr)
                if attr == "environ"
                    && matches!(&obj.kind, ExprKind::Name(n) if n == "os" && self.bound(n).is_none()) =>
            {
                Ok(Value::Dict(self.environment.clone()))
            }
            ExprKind::Attr(obj, attr) => {
                let o = self.expr(obj)?;
                self.get_attr(o, attr)
            }
            // `os.makedirs("samples", exist_ok=True)`: a folder for the run's outputs. It is
            // not made (nothing reaches the file system), and nothing measured needs it;
            // every other use of `os` stops the run.
            ExprKind::Call { func, .. } if makes_an_output_folder(func) => Ok(Value::None),
            ExprKind::Call { func, args, kwargs } => {
                let f = self.expr(func)?;
                let mut a = Vec::new();
                let mut kw = Vec::new();
                let mut opaque_config = false;
                for x in args {
                    if let ExprKind::KeywordSplat(inner) = &x.kind {
                        match self.expr(inner)? {
                            // `Head(**cfg)` with a dict the answer builds: its entries
                            // are keywords.
                            Value::Dict(d) => {
                                kw.extend(d.borrow().iter().filter_map(|(k, v)| match k {
                                    Value::Str(k) => Some((k.to_string(), v.clone())),
                                    _ => None,
                                }))
                            }
                            // `model.loss(**data)` with a loader's item: MMEngine's data
                            // dict of the images and their data samples.
                            Value::Batch(items) => kw.extend(self.mmengine_data(&items)?),
                            // `LatentPredictHead(**head)` with a config the answer never
                            // shows (an OpenMMLab `cfg`): its settings are unknown. So
                            // for `**head`, though its name alone would make `head` a
                            // network.
                            Value::Stand(..) | Value::Class(_) | Value::None => {
                                opaque_config = true;
                            }
                            Value::Net(_) if matches!(&inner.kind, ExprKind::Name(n) if self.stand_ins.contains(n)) =>
                            {
                                opaque_config = true;
                            }
                            v => {
                                return halt(
                                    e.span.line,
                                    format!("`**` spreads a mapping, not a {}", v.type_name()),
                                );
                            }
                        }
                    } else if let ExprKind::Star(inner) = &x.kind {
                        match self.expr(inner)? {
                            Value::Stand(..) | Value::Class(_) | Value::None => {
                                opaque_config = true;
                            }
                            v => a.extend(self.iterate(v)?),
                        }
                    } else {
                        a.push(self.expr(x)?);
                    }
                }
                for (k, x) in kwargs {
                    kw.push((k.clone(), self.expr(x)?));
                }
                if opaque_config {
                    self.settings_from_opaque_config(&f, a.len(), &mut kw)?;
                }
                self.line = e.span.line;
                // `patchify(m_u)`: a helper the answer never defines, applied to what the
                // rubric names a mask, gives that mask in another shape, as the static
                // grader reads it. A network given a masked view (`enc(û)`) is still run.
                if let (Value::Stand(role, _), [arg]) = (&f, args.as_slice())
                    && role.as_ref() == "unknown"
                    && kw.is_empty()
                    && let ExprKind::Name(arg_name) = &arg.kind
                    && self.harness.is_mask_name(arg_name)
                {
                    return Ok(a.remove(0));
                }
                self.call(f, a, kw)
            }
            ExprKind::Bin(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                self.binop(*op, x, y)
            }
            ExprKind::Neg(x) => {
                let v = self.expr(x)?;
                self.binop(BinOp::Mul, Value::Int(-1), v)
            }
            ExprKind::Not(x) => Ok(Value::Bool(!self.expr(x)?.truthy())),
            ExprKind::Compare(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                // `len(images) > args.global_crops_number`: an undefined setting compared
                // with a number is a number, as in arithmetic.
                let number = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
                let stand_in = |v: &Value| matches!(v, Value::Stand(..));
                let (x, y) = match (number(&x), number(&y)) {
                    (true, false) => (x, self.harness.as_number(y)),
                    (false, true) => (self.harness.as_number(x), y),
                    // `step < total_steps`, both undefined: numbers as the names say.
                    _ if stand_in(&x) && stand_in(&y) => {
                        (self.harness.as_number(x), self.harness.as_number(y))
                    }
                    _ => (x, y),
                };
                super::ops::compare(self, *op, x, y)
            }
            ExprKind::BoolOp(and, a, b) => {
                let x = self.expr(a)?;
                if x.truthy() != *and {
                    return Ok(x);
                }
                self.expr(b)
            }
            // `models.__dict__[args.arch]` (the SimSiam, MoCo and DINO repositories): an
            // architecture of a library picked by name, a network as `resnet50` is.
            ExprKind::Subscript(obj, _) if matches!(&obj.kind, ExprKind::Attr(_, a) if a == "__dict__") => {
                Ok(Value::Net(self.harness.unknown_net(ARCHITECTURE)))
            }
            ExprKind::Subscript(obj, idx) => {
                if let Some(name) = self.subscripted_name(obj, idx)
                    && let Some(v) = self.bound(&name)
                {
                    return Ok(v);
                }
                let o = self.expr(obj)?;
                // `self.encoder(img)[0]`: frameworks' networks (OpenMMLab, Hugging Face)
                // return a tuple of outputs whose first is the features; a toy network
                // returns the features themselves, and a training loop never means the
                // first sample of a batch there.
                if let ExprKind::Call { .. } = &obj.kind
                    && matches!(idx.kind, ExprKind::Num(x) if x == 0.0)
                    && let Value::Tensor(t) = &o
                    && t.origin != 0
                    && t.t.dim() >= 2
                {
                    return Ok(o);
                }
                // `tokens[:, 0]` and `tokens[:, 1:]` of a ViT's output, where timm and
                // lightly return one sequence with the [CLS] token first: the [CLS] token
                // and the patch tokens of the stand-in's pair.
                if let Value::Tuple(items) = &o
                    && let ExprKind::Tuple(parts) = &idx.kind
                    && let [all, which] = parts.as_slice()
                    && matches!(all.kind, ExprKind::Slice(None, None))
                {
                    let token = match &which.kind {
                        ExprKind::Num(x) if *x == 0.0 => Some("cls"),
                        ExprKind::Slice(Some(start), None) if matches!(start.kind, ExprKind::Num(x) if x == 1.0) => {
                            Some("patch")
                        }
                        _ => None,
                    };
                    if let Some(part) = token.and_then(|t| super::ops::token_part(items, t)) {
                        return Ok(part);
                    }
                }
                let i = match &idx.kind {
                    // `mask[..., None]`: the `None` adds a dimension (a slice, also read as
                    // `None`, does not).
                    ExprKind::Tuple(parts)
                        if parts.iter().any(|p| matches!(p.kind, ExprKind::NoneLit)) =>
                    {
                        let mut items = Vec::new();
                        for p in parts {
                            items.push(match p.kind {
                                ExprKind::NoneLit => Value::Builtin(Rc::from(super::ops::NEW_AXIS)),
                                _ => self.expr(p)?,
                            });
                        }
                        Value::Tuple(Rc::new(items))
                    }
                    ExprKind::Slice(start, stop) => {
                        if start.is_some() || stop.is_some() {
                            let bound = |ip: &mut Self, e: &Option<Box<Expr>>| -> R<Option<i64>> {
                                match e {
                                    Some(e) => Ok(ip.expr(e)?.as_f64().map(|x| x as i64)),
                                    None => Ok(None),
                                }
                            };
                            let (a, b) = (bound(self, start)?, bound(self, stop)?);
                            if let Some(v) = super::ops::slice(self, &o, a, b)? {
                                return Ok(v);
                            }
                        }
                        Value::None
                    }
                    _ => self.expr(idx)?,
                };
                super::ops::get_item(self, o, i)
            }
            ExprKind::Slice(..) => Ok(Value::None),
            ExprKind::Comprehension {
                elt,
                target,
                iter,
                cond,
            } => {
                let it = self.expr(iter)?;
                // `[p for p in G.parameters()]` before G's first forward pass, when a toy
                // network has made no weights yet: the parameters kept for later, as
                // `list(G.parameters())` keeps them, so the optimizer still steps them.
                if let Value::Params(n) = &it
                    && cond.is_none()
                    && matches!((&elt.kind, &target.kind), (ExprKind::Name(e), ExprKind::Name(t)) if e == t)
                    && self.harness.all_params(n).is_empty()
                {
                    return Ok(Value::List(Rc::new(RefCell::new(vec![it.clone()]))));
                }
                let items = self.iterate(it)?;
                self.comprehension(elt, target, cond.as_deref(), items)
            }
            ExprKind::IfExp { body, test, orelse } => {
                if self.expr(test)?.truthy() {
                    self.expr(body)
                } else {
                    self.expr(orelse)
                }
            }
            ExprKind::Lambda { params, body } => {
                Ok(Value::Lambda(Rc::new((params.clone(), (**body).clone()))))
            }
            ExprKind::Star(x) | ExprKind::KeywordSplat(x) => self.expr(x),
            // `{k: o.detach() for k, o in out.items()}`: the IR keeps the value; each key
            // is the first of the item's pair, as `.items()` gives them.
            ExprKind::DictComprehension(inner) => {
                let ExprKind::Comprehension {
                    elt, target, iter, ..
                } = &inner.kind
                else {
                    return halt(e.span.line, "this expression is outside what --exec runs");
                };
                // `{k: v.detach().clone() for k, v in student.named_parameters()}`: the
                // weights copied by name, a copy of the network as `copy.deepcopy` makes
                // (toy networks make their weights on first use, so the copy is what
                // keeps them in step with the original). Made trainable again
                // (`.requires_grad_(True)`), they are the weights the answer trains
                // through `functional_call` in place of the network's own: the network.
                if let Some((net, trainable)) = copied_parameters_of(target, iter, elt)
                    && let Value::Net(n) = self.expr(net)?
                {
                    return if trainable {
                        Ok(Value::Net(n))
                    } else {
                        self.harness.deep_copy(&n)
                    };
                }
                let it = self.expr(iter)?;
                let mut out = Vec::new();
                for item in self.iterate(it)? {
                    self.loop_tick()?;
                    let key = match &item {
                        Value::Tuple(pair) if pair.len() == 2 => pair[0].clone(),
                        other => other.clone(),
                    };
                    self.assign(target, item)?;
                    out.push((key, self.expr(elt)?));
                }
                Ok(Value::Dict(Rc::new(RefCell::new(out))))
            }
            ExprKind::Unknown => halt(e.span.line, "this expression is outside what --exec runs"),
        }
    }

    /// The items of a list or tuple, with the parameters that `[*f.parameters(), ...]`
    /// keeps for later (see `exprs`) read now, one tensor each, once the network has
    /// made its weights: a loop that goes through the list after a forward pass (`for
    /// w, g in zip(params, grads)`) meets the tensors. Before it, they stay kept for
    /// later, so that `itertools.chain(*(g.parameters() for g in nets))` still gives an
    /// optimizer what it steps.
    fn spread_parameters(&self, items: &[Value]) -> Vec<Value> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::Params(n) => {
                    let params = self.harness.all_params(n);
                    if params.is_empty() {
                        out.push(item.clone());
                    } else {
                        out.extend(params.into_iter().map(Value::tensor));
                    }
                }
                other => out.push(other.clone()),
            }
        }
        out
    }

    fn exprs(&mut self, xs: &[Expr]) -> R<Vec<Value>> {
        let mut out = Vec::new();
        for x in xs {
            if let ExprKind::Star(inner) = &x.kind {
                let v = self.expr(inner)?;
                // `[*G_AB.parameters(), *G_BA.parameters()]` for an optimizer: toy
                // networks make their weights on first use, so the list keeps the
                // parameters to be read when the optimizer steps.
                if let Value::Params(_) = v {
                    out.push(v);
                    continue;
                }
                out.extend(self.iterate(v)?);
            } else {
                out.push(self.expr(x)?);
            }
        }
        Ok(out)
    }

    pub fn get_attr(&mut self, o: Value, attr: &str) -> R<Value> {
        // `t_u.cls`, `out.patch_tokens`: a ViT's output read as a named tuple.
        if let Value::Tuple(items) = &o
            && let Some(part) = super::ops::token_part(items, attr)
        {
            return Ok(part);
        }
        // `ds.mask` of a data sample, `cfg.lr` of an `EasyDict`: a record whose fields
        // are its keys, where no method of a dict has that name.
        if let Value::Dict(d) = &o
            && !matches!(
                attr,
                "items" | "keys" | "values" | "get" | "pop" | "update" | "setdefault" | "copy"
            )
            && let Some((_, v)) = d
                .borrow()
                .iter()
                .find(|(k, _)| matches!(k, Value::Str(k) if k.as_ref() == attr))
        {
            return Ok(v.clone());
        }
        match &o {
            // `for g in optimizer.param_groups: g['lr'] = lr`: one group, whose learning
            // rate the next step uses.
            Value::Optim(opt) if attr == "param_groups" => {
                let group = Value::Dict(opt.borrow().group.clone());
                Ok(Value::List(Rc::new(RefCell::new(vec![group]))))
            }
            Value::Builtin(path) => {
                // `F.parameters()`: in CycleGAN's notation `F` is a generator, not
                // torch.nn.functional.
                if path.as_ref() == "torch.nn.functional"
                    && super::ops::NET_METHODS.contains(&attr)
                    && self.harness.role_of_name("F").is_some()
                {
                    let net = self.harness.unknown_net("F");
                    return self.get_attr(Value::Net(net), attr);
                }
                if path.as_ref() == super::accelerate::WRAPPER {
                    return Ok(super::accelerate::attr(attr));
                }
                if let Some(v) = super::lightning::trainer_attr(self, path, attr) {
                    return Ok(v);
                }
                // `tf.keras.layers.Dense`: Keras, as imported on its own.
                if path.as_ref() == "tensorflow" && attr == "keras" {
                    return Ok(Value::Builtin(Rc::from("keras")));
                }
                if path.as_ref() == "builtins.super_object"
                    || path.as_ref() == "amp.scaler"
                    || path.as_ref() == super::keras::METRIC
                    || path.as_ref() == super::keras::TAPE
                {
                    return Ok(Value::Method(Box::new(o.clone()), Rc::from(attr)));
                }
                // `itertools.chain` is read as the builtin `chain`.
                if path.as_ref() == "builtins" {
                    return Ok(Value::Builtin(Rc::from(format!("builtins.{attr}"))));
                }
                // `math.pi * epoch / epochs` in a learning-rate schedule; `np.pi`, NumPy
                // being torch here, and `torch.pi`.
                if path.as_ref() == "math" || path.as_ref() == "torch" {
                    let constant = match attr {
                        "pi" => Some(std::f64::consts::PI),
                        "e" => Some(std::f64::consts::E),
                        "tau" => Some(std::f64::consts::TAU),
                        "inf" => Some(f64::INFINITY),
                        _ => None,
                    };
                    if let Some(c) = constant {
                        return Ok(Value::Float(c));
                    }
                }
                if path.as_ref() == "copy"
                    || path.as_ref() == "functools"
                    || path.starts_with("keras")
                    || path.starts_with("argparse")
                    || path.starts_with("tensorflow")
                    || path.starts_with("jax")
                    || path.starts_with("optax")
                    || path.starts_with("torch")
                    || path.starts_with("lightning")
                    || path.starts_with("settings.")
                    || path.as_ref() == "random"
                    || path.as_ref() == "math"
                {
                    return Ok(Value::Builtin(Rc::from(format!("{path}.{attr}"))));
                }
                halt(
                    self.line,
                    format!("`{path}.{attr}` is outside what --exec runs"),
                )
            }
            Value::Net(n) if let Some(instance) = self.instance_with_method(&n.name, attr)? => {
                self.get_attr(instance, attr)
            }
            Value::Net(n) => {
                // `self.trainable_weights` of a Keras model.
                if matches!(
                    attr,
                    "params"
                        | "weights"
                        | "θ"
                        | "theta"
                        | "trainable_weights"
                        | "trainable_variables"
                        | "parametros"
                        | "parámetros"
                ) {
                    return Ok(Value::Params(n.clone()));
                }
                // `student.module`: DistributedDataParallel's wrapped network is the network.
                if attr == "module"
                    && !matches!(&n.kind, NetKind::Object(obj) if obj.borrow().attrs.contains_key("module"))
                {
                    return Ok(o.clone());
                }
                // `*D_A.output_shape`: a toy discriminator scores each image with one number.
                if attr == "output_shape" {
                    return Ok(Value::Tuple(Rc::new(vec![Value::Int(1)])));
                }
                // `student.num_patches`, `model.patch_embed.num_patches`: the toy ViT's
                // tokens per image.
                if matches!(attr, "num_patches" | "num_tokens" | "n_patches")
                    && !matches!(&n.kind, NetKind::Object(obj) if obj.borrow().attrs.contains_key(attr))
                {
                    return Ok(Value::Int(self.harness.patches));
                }
                // `torch.zeros(1, head.out_dim)`, `nn.Linear(backbone.embed_dim, d)`: a
                // width of a network the answer never defines is 1, which broadcasts
                // with the toy's outputs (layers are remade for the width they receive).
                let width_like = attr == "dim"
                    || attr.ends_with("_dim")
                    || matches!(
                        attr,
                        "num_features" | "in_features" | "out_features" | "hidden_size"
                    );
                if let NetKind::Object(obj) = &n.kind {
                    if let Some(v) = obj.borrow().attrs.get(attr) {
                        return Ok(v.clone());
                    }
                    let method = obj.borrow().class.method(attr);
                    if let Some(f) = method {
                        // `self.momentum_pairs` of a `@property`: its value.
                        if f.is_property() {
                            let this = Some(Box::new(o.clone()));
                            return self.call(Value::Func(f, this), Vec::new(), Vec::new());
                        }
                        // A `@staticmethod` (`self.D(p, z)`) is given no instance.
                        let this = (!f.is_static()).then(|| Box::new(o.clone()));
                        return Ok(Value::Func(f, this));
                    }
                }
                // An instance's width its undefined base class sets (`self.features_dim`
                // of solo-learn's `BaseMethod`) is unknown too.
                if width_like {
                    return Ok(Value::Int(1));
                }
                if let Some(head) = self.harness.head_named(n, attr) {
                    return Ok(Value::Net(head));
                }
                if matches!(n.kind, NetKind::Toy { .. } | NetKind::ToyVit { .. })
                    && matches!(attr, "weight" | "bias")
                {
                    return Ok(Value::tensor(self.harness.toy_weight(n, attr)));
                }
                if matches!(n.kind, NetKind::Toy { .. } | NetKind::ToyVit { .. })
                    && (attr == "fc" || attr == "classifier")
                {
                    return Ok(Value::Net(self.harness.part(n, attr)));
                }
                // `self.backbone` that an instance reads but never sets (its undefined base
                // class, solo-learn's `BaseMethod`, makes it) is a part too, as is
                // `model.encoder` of a network the answer never defines.
                if matches!(
                    n.kind,
                    NetKind::Toy { .. } | NetKind::ToyVit { .. } | NetKind::Object(_)
                ) && !super::ops::NET_METHODS.contains(&attr)
                    && (self.harness.role_of_name(attr).is_some() || PART_NAMES.contains(&attr))
                {
                    // `model.encoder` of a network the answer never defines: a part of
                    // it, playing the role its name says.
                    return Ok(Value::Net(self.harness.part(n, attr)));
                }
                // `self.global_step`, `self.current_epoch`, `self.trainer` of a module whose
                // undefined base class (Lightning's) keeps them: the first step of the run,
                // and the trainer running it.
                if matches!(n.kind, NetKind::Object(_)) {
                    match attr {
                        "global_step" | "current_epoch" => return Ok(Value::Int(0)),
                        "trainer" => {
                            return Ok(Value::Builtin(Rc::from(super::lightning::TRAINER)));
                        }
                        _ => {}
                    }
                }
                Ok(Value::Method(Box::new(o.clone()), Rc::from(attr)))
            }
            Value::Tensor(t) => super::ops::tensor_attr(self, t, attr),
            // `model.forward_train(img)` where the answer defines the class that has that
            // method but never makes `model`: `model` is an instance of it.
            Value::Stand(_, name)
                if let Some(instance) = self.instance_with_method(name, attr)? =>
            {
                self.get_attr(instance, attr)
            }
            // `torchvision.models.resnet18`: an attribute of an unknown name is unknown
            // too, and stands for what its own name says.
            Value::Stand(role, name) if role.as_ref() == "unknown" => {
                // `red_t.parameters()`: an unknown name used like a network is one; so is
                // an image pool the answer never makes (`pool_A.query(fake_a)`).
                if super::ops::NET_METHODS.contains(&attr)
                    || matches!(attr, "query" | "push_and_pop")
                {
                    let net = self.harness.unknown_net(name);
                    return self.get_attr(Value::Net(net), attr);
                }
                // `cfg.get("lambda_cyc", 10.0)`: a setting read with its default.
                // `sampler.set_epoch(epoch)`: a data sampler's bookkeeping.
                if matches!(attr, "get" | "set_epoch") {
                    return Ok(Value::Builtin(Rc::from(format!("settings.{attr}"))));
                }
                let v = self.harness.stand_in(attr, self.line)?;
                // `args.momentum_teacher`: a setting of the run is a number, whatever
                // network or loader its name mentions.
                let root = name.split('.').next().unwrap_or(name);
                if crate::analysis::facts::is_settings_root(root)
                    && matches!(v, Value::Net(_) | Value::Loader(_) | Value::Stand(..))
                {
                    let named = Value::Stand(Rc::from("unknown"), Rc::from(attr));
                    return Ok(self.harness.as_number(named));
                }
                Ok(v)
            }
            // `self.opt.lambda_A` where the undefined base class set `self.opt`: an
            // attribute of something the instance never had stands for its own name.
            Value::Method(recv, _) if matches!(recv.as_ref(), Value::Net(n) if matches!(n.kind, NetKind::Object(_))) => {
                self.harness.stand_in(attr, self.line)
            }
            // `ibot_loss.cls(s, t)`, `criterion.patch(s, t, m)`: any method of a loss
            // object the answer never defines computes the rubric's loss.
            Value::Stand(role, _) if role.as_ref() == "loss" => Ok(o.clone()),
            // `opt.n_epochs`, `opt.lambda_cyc`: PyTorch-GAN's `opt` is the command line's
            // options, not an optimizer; what is no optimizer's method stands for its name.
            Value::Stand(role, _)
                if role.as_ref() == "optimizer"
                    && !matches!(
                        attr,
                        "zero_grad"
                            | "step"
                            | "param_groups"
                            | "state_dict"
                            | "load_state_dict"
                            | "add_param_group"
                            | "state"
                    ) =>
            {
                self.harness.stand_in(attr, self.line)
            }
            Value::Stand(..) => Ok(Value::Method(Box::new(o.clone()), Rc::from(attr))),
            // `Losses.adversarial(pred)`, `Losses.mse`: a class's static methods and its
            // fields, read on the class itself.
            Value::Class(c) if let Some(f) = c.method(attr) => Ok(Value::Func(f, None)),
            Value::Class(c) if let Some((_, value)) = c.fields().find(|(f, _)| *f == attr) => {
                let value = value.clone();
                self.expr(&value)
            }
            // `torchvision.datasets.CIFAR10(...)`, `loader.dataset`: a dataset or loader
            // of the harness is its loader, whatever the answer reads of it.
            Value::Loader(_) if attr == "batch_size" => Ok(Value::Int(BATCH)),
            Value::Loader(_) => Ok(o.clone()),
            // `cfg.momentum.base_tau`, where `momentum` was taken for the rubric's λ: a
            // number has no settings, so the attribute stands for its own name.
            Value::Int(_) | Value::Float(_) if !matches!(attr, "real" | "imag" | "item") => {
                self.harness.stand_in(attr, self.line)
            }
            _ => Ok(Value::Method(Box::new(o.clone()), Rc::from(attr))),
        }
    }

    pub fn binop(&mut self, op: BinOp, a: Value, b: Value) -> R<Value> {
        super::ops::binop(self, op, a, b)
    }

    pub fn as_tensor(&mut self, v: &Value) -> R<Tagged> {
        match v {
            Value::Tensor(t) => Ok(t.clone()),
            Value::Batch(items) => match batch_images(items) {
                Some(Value::Tensor(t)) => Ok(t.clone()),
                _ => halt(self.line, "this batch holds no tensor"),
            },
            // An undefined name used as a tensor is the number the harness chooses for
            // it; a stand-in that is no number (a loss, a masker) is refused, never
            // retried.
            // `u ⊙ (1 − M_u)` with `M_u` never made: a mask's name used as a tensor is
            // a mask of the harness's.
            Value::Stand(role, name)
                if role.as_ref() == "mask" && self.harness.is_mask_name(name) =>
            {
                let made = self
                    .harness
                    .call_stand("mask", name, Vec::new(), self.line)?;
                match made {
                    Value::Tensor(m) => Ok(Tagged {
                        views: m.views | super::properties::MASKED,
                        ..m
                    }),
                    other => self.as_tensor(&other),
                }
            }
            Value::Stand(role, name) => match self.harness.as_number(v.clone()) {
                Value::Stand(..) => halt(
                    self.line,
                    format!("`{name}` (a {role}) is used where a tensor is needed"),
                ),
                number => self.as_tensor(&number),
            },
            other => match other.as_f64() {
                Some(x) => Ok(Tagged {
                    t: Tensor::from(x as f32),
                    views: 0,
                    token: Token::None,
                    origin: 0,
                }),
                None => halt(
                    self.line,
                    format!("a {} is used where a tensor is needed", other.type_name()),
                ),
            },
        }
    }

    /// Calls any callable value.
    pub fn call(&mut self, f: Value, args: Vec<Value>, kwargs: Vec<(String, Value)>) -> R<Value> {
        // `λ (loss_cycle_A + loss_cycle_B)`: a number applied to one value is a product,
        // as math notation writes it.
        if matches!(f, Value::Int(_) | Value::Float(_)) && args.len() == 1 && kwargs.is_empty() {
            let x = args.into_iter().next().unwrap_or(Value::None);
            return self.binop(crate::ir::BinOp::Mul, f, x);
        }
        match f {
            Value::Func(def, this) => {
                let mut args = args;
                // A function of the answer given two tensors may be its loss (`D(p, z)`,
                // `self.H(s, t)`); the methods that run a whole step or forward pass
                // (`self.forward(u, v, m_u, m_v)`) are not.
                let runs_a_pass = this.is_some()
                    && (matches!(def.name.as_str(), "forward" | "__call__")
                        || def.name.contains("step"));
                let mark = self.trace.loss_calls.len();
                if !runs_a_pass {
                    self.note_loss_call(&mut args);
                }
                // `def student(self, x, mask)` of a model that holds both networks: what
                // it calls plays the student.
                let role = this
                    .as_ref()
                    .and_then(|_| self.harness.role_of_name(&def.name))
                    .filter(|r| matches!(r.as_str(), "student" | "teacher"));
                let mut all = Vec::new();
                if let Some(t) = this {
                    all.push(*t);
                }
                all.extend(args);
                if let Some(r) = &role {
                    self.method_roles.push(r.clone());
                }
                let out = self.call_def(&def, all, kwargs);
                if role.is_some() {
                    self.method_roles.pop();
                }
                let out = out?;
                self.note_loss_output(mark, &out);
                Ok(out)
            }
            Value::Lambda(l) => {
                let mut frame = HashMap::new();
                for (p, a) in l.0.iter().zip(args) {
                    frame.insert(p.clone(), a);
                }
                self.enter(frame)?;
                let r = self.expr(&l.1);
                self.frames.pop();
                r
            }
            Value::Class(c) => self.instantiate(c, args, kwargs),
            Value::Partial(p) => {
                let mut all = p.args.clone();
                all.extend(args);
                // A keyword of the call overrides the same keyword given to `partial`.
                let mut kw: Vec<(String, Value)> = p
                    .kwargs
                    .iter()
                    .filter(|(k, _)| !kwargs.iter().any(|(given, _)| given == k))
                    .cloned()
                    .collect();
                kw.extend(kwargs);
                self.call(p.func.clone(), all, kw)
            }
            Value::Net(n) => self.call_net(n, args, kwargs),
            // `F(y)` with `F` a generator (CycleGAN's notation).
            Value::Builtin(path)
                if path.as_ref() == "torch.nn.functional"
                    && self.harness.role_of_name("F").is_some() =>
            {
                let net = self.harness.unknown_net("F");
                self.call_net(net, args, kwargs)
            }
            Value::Builtin(path) => super::ops::call_builtin(self, &path, args, kwargs),
            Value::Method(recv, name) => super::ops::call_method(self, *recv, &name, args, kwargs),
            Value::Stand(role, name) => self.call_stand(&role, &name, args, kwargs),
            // `DataLoader(dataset, batch_size=512)` with `DataLoader` imported by name:
            // the harness's loader, whatever it is given.
            Value::Loader(name) => Ok(Value::Loader(name)),
            other => halt(
                self.line,
                format!("a {} is called like a function", other.type_name()),
            ),
        }
    }

    /// Calls what an undefined name stands for.
    fn call_stand(
        &mut self,
        role: &str,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> R<Value> {
        // `center = zeros(K)`: torch's creation function called without its module. Not
        // called, a bare `ones` or `zeros` is a label (`mse(D(fake), ones)`).
        if role == "unknown" && matches!(name, "zeros" | "ones") && !args.is_empty() {
            return super::ops::call_builtin(self, &format!("torch.{name}"), args, kwargs);
        }
        match role {
            // `BlockMasker(ratio=(0.1, 0.5))`: a class of maskers given only settings builds
            // one, which later calls apply. (A class named like an augmentation, such as
            // `VisionTransformer`, is a network: the harness makes it.)
            "mask"
                if crate::analysis::facts::looks_like_class(name)
                    && !args
                        .iter()
                        .chain(kwargs.iter().map(|(_, v)| v))
                        .any(|a| matches!(a, Value::Tensor(_) | Value::Batch(_))) =>
            {
                Ok(Value::Stand(Rc::from(role), Rc::from(name)))
            }
            "augmentation" | "mask" => {
                let line = self.line;
                self.harness.call_stand(role, name, args, line)
            }
            "loss" => {
                let spec_loss = self.harness.spec.loss.clone();
                // `NegativeCosineSimilarity()`, `GANLoss('lsgan')`: a loss class the answer
                // does not define, constructed; calling it computes the rubric's loss.
                let settings_only = args.iter().chain(kwargs.iter().map(|(_, v)| v)).all(|a| {
                    matches!(
                        a,
                        Value::Str(_)
                            | Value::Int(_)
                            | Value::Float(_)
                            | Value::Bool(_)
                            | Value::None
                    )
                });
                // `networks.GANLoss(opt.gan_mode)`: one option the answer never defines,
                // and no tensor, builds the loss too; computing one needs two operands.
                let one_option = args.len() < 2
                    && !args
                        .iter()
                        .chain(kwargs.iter().map(|(_, v)| v))
                        .any(|a| matches!(a, Value::Tensor(_) | Value::Batch(_)));
                if settings_only || one_option {
                    return Ok(Value::Stand(Rc::from("loss"), Rc::from(name)));
                }
                let mut args = args;
                let mark = self.trace.loss_calls.len();
                self.note_loss_call(&mut args);
                let out = super::ops::stand_loss(self, &spec_loss, &args, &kwargs)?;
                self.note_loss_output(mark, &out);
                Ok(out)
            }
            "update" => {
                // `update(f_s)`: a step over the networks named, or every trained one.
                let mut nets: Vec<Rc<Net>> = args
                    .iter()
                    .filter_map(|a| match a {
                        Value::Net(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect();
                let folded = crate::analysis::facts::fold(name);
                if nets.len() >= 2 && (folded.contains("momentum") || folded.contains("ema")) {
                    let momentum = args
                        .iter()
                        .chain(kwargs.iter().map(|(_, v)| v))
                        .find_map(Value::as_f64);
                    return self.ema_helper(name, &nets, momentum);
                }
                // `update_center(teacher_output)`: DINO's and iBOT's centre is a running
                // mean of the teacher's outputs, not a step of any network.
                if ["center", "centre", "centro"]
                    .iter()
                    .any(|w| folded.contains(w))
                {
                    return Ok(Value::None);
                }
                if nets.is_empty() {
                    nets = self.harness.trained_nets();
                }
                self.step_nets(&nets)?;
                Ok(Value::None)
            }
            "optimizer" => halt(
                self.line,
                format!("`{name}` is an optimizer, not a function"),
            ),
            // `momentum_schedule = cosine_scheduler(0.996, 1.0, epochs, len(loader))`:
            // every step of the schedule is its first value, so `schedule[it]` is a number.
            "schedule" => {
                let start = args.iter().find_map(Value::as_f64).unwrap_or(1.0);
                let steps = vec![Value::Float(start); 64];
                Ok(Value::List(Rc::new(RefCell::new(steps))))
            }
            _ => {
                // `MaskedVisionTransformerTIMM(vit=vit)`: a wrapper given its network by
                // keyword, and nothing to run on, is that network.
                if args.is_empty()
                    && let Some(Value::Net(inner)) = kwargs
                        .iter()
                        .map(|(_, v)| v)
                        .find(|v| matches!(v, Value::Net(_)))
                {
                    return Ok(Value::Net(inner.clone()));
                }
                // `DDP(model, device_ids=[rank])`: the network it wraps.
                if crate::analysis::facts::wraps_a_network(name)
                    && let Some(net @ Value::Net(_)) = args.first()
                {
                    return Ok(net.clone());
                }
                // `utils.get_params_groups(student)` (DINO, iBOT), `get_parameters(net)`: a
                // helper named for parameters, given a network, gives its parameters.
                if crate::analysis::facts::fold(name).contains("param")
                    && let [Value::Net(net)] = args.as_slice()
                {
                    return Ok(Value::Params(net.clone()));
                }
                // `tqdm(loader)`, `track(loader, description=...)`: an undefined wrapper of
                // a loader (a progress bar) yields the loader's batches.
                if let Some(loader @ Value::Loader(_)) = args.first() {
                    return Ok(loader.clone());
                }
                // `tqdm(zip(loader_A, loader_B), total=n)`: a progress bar over any
                // iterable yields its items.
                let progress_bar = matches!(
                    crate::analysis::facts::fold(name).as_str(),
                    "tqdm" | "tqdm.tqdm" | "track" | "progress_bar" | "progressbar"
                );
                if progress_bar
                    && let Some(items @ (Value::List(_) | Value::Tuple(_))) = args.first()
                {
                    return Ok(items.clone());
                }
                // `build_multicrop_loader(args)`: a helper named for a loader gives one.
                if crate::analysis::facts::says_loader(name) {
                    return Ok(Value::Loader(Rc::from(name)));
                }
                // `û = apply(u, m_u)`: a helper given an image and one of the masker's
                // masks puts the mask on the image.
                if let [Value::Tensor(image), Value::Tensor(mask)] = args.as_slice()
                    && self.harness.is_patch_mask(&mask.t)
                    && !self.harness.is_patch_mask(&image.t)
                {
                    let line = self.line;
                    return Ok(Value::Tensor(
                        self.harness.masked_image(image, &mask.t, line)?,
                    ));
                }
                let net = self.harness.unknown_net(name);
                self.call_net(net, args, kwargs)
            }
        }
    }

    /// `ema_update(teacher, student, m)`, a helper the answer does not define: as the
    /// static analysis trusts it, the network that plays the teacher (else the second)
    /// moves to `m·itself + (1 − m)·the other`, with `m` from the call or the rubric's λ.
    /// lightly's `update_momentum(model, model_ema, m)` always moves its second.
    fn ema_helper(&mut self, name: &str, nets: &[Rc<Net>], momentum: Option<f64>) -> R<Value> {
        // lightly's helper has a documented order, whatever the roles.
        let teacher_at = if crate::analysis::facts::moves_second_argument(name) {
            1
        } else {
            nets.iter()
                .position(|n| self.harness.role_of(n).as_deref() == Some("teacher"))
                .unwrap_or(1)
        };
        let target = nets[teacher_at].clone();
        let online = nets[if teacher_at == 0 { 1 } else { 0 }].clone();
        let m = momentum
            .or_else(|| {
                ["λ", "m", "momentum"]
                    .iter()
                    .find_map(|k| self.harness.spec.numbers.get(*k).copied())
            })
            .unwrap_or(0.9);
        self.move_average(&target, &online, |ip, t, s| {
            (t * m)
                .f_add(&(s * (1.0 - m)))
                .or_else(|e| halt(ip.line, short(&e)))
        })?;
        Ok(Value::None)
    }

    /// A moving average's update written for the answer (a helper it does not define, a
    /// library wrapper): each parameter of `target` becomes `new(t, s)` of itself and the
    /// same parameter of `source`, without gradient, recorded as an update by hand.
    pub fn move_average(
        &mut self,
        target: &Rc<Net>,
        source: &Rc<Net>,
        mut new: impl FnMut(&mut Self, &Tensor, &Tensor) -> R<Tensor>,
    ) -> R<()> {
        let targets = self.harness.all_params(target);
        let sources = self.harness.all_params(source);
        if targets.len() != sources.len() {
            return halt(
                self.line,
                "the two networks of the moving average have different parameters",
            );
        }
        for (t, s) in targets.iter().zip(&sources) {
            self.note_manual_update(t);
            let value = tch::no_grad(|| new(self, &t.detach(), &s.detach()))?;
            let mut dst = t.shallow_clone();
            if let Err(e) = tch::no_grad(|| dst.f_copy_(&value)) {
                return halt(self.line, short(&e));
            }
        }
        Ok(())
    }

    /// One SGD step over the nets' parameters, recorded as an update.
    pub fn step_nets(&mut self, nets: &[Rc<Net>]) -> R<()> {
        let mut params = Vec::new();
        for n in nets {
            params.extend(self.harness.all_params(n));
        }
        let lr = self.harness.spec.lr;
        self.record_step(|ip| super::ops::sgd_step(ip, &params, lr))
    }

    /// Keeps the result of the loss call recorded at `mark`, if that call was recorded,
    /// so that the next `backward()` can tell how much it weighs.
    pub fn note_loss_output(&mut self, mark: usize, out: &Value) {
        if !self.harness.weighs_loss_calls {
            return;
        }
        if let (Some(call), Value::Tensor(t)) = (self.trace.loss_calls.get_mut(mark), out)
            && call.output.is_none()
            && t.t.requires_grad()
        {
            call.output = Some(t.t.shallow_clone());
        }
    }

    /// Records a loss function's call on two tensors of single views; under the
    /// `cut_loss_inputs` probe, detaches the first of two tensors, and under
    /// `loss_input_scale` scales it.
    pub fn note_loss_call(&mut self, args: &mut [Value]) {
        // Under the predictor probe, a term that compares two networks' outputs with no
        // predictor output among them (`D(z2, z1)`, the predictor forgotten in one term)
        // still has an online side: the first, by D(p, z)'s convention.
        let term_without_predictor = {
            let from_net = |v: &Value| match v {
                Value::Tensor(t) => self
                    .harness
                    .origins
                    .get(&t.origin)
                    .map(|n| !self.harness.within_role(n, "predictor")),
                _ => None,
            };
            matches!(
                (args.first().map(from_net), args.get(1).map(from_net)),
                (Some(Some(true)), Some(Some(true)))
            )
        };
        if term_without_predictor {
            self.trace.terms_without_predictor += 1;
        }
        // The probes change the first of two tensors: cut (detached), scaled, or both.
        let compares_two = args
            .iter()
            .filter(|a| matches!(a, Value::Tensor(_)))
            .count()
            >= 2;
        let knobs = &self.harness.knobs;
        let cut = knobs.cut_loss_inputs || (knobs.cut_predictor && term_without_predictor);
        let scale = knobs.loss_input_scale;
        if compares_two
            && (cut || scale.is_some())
            && let Some(Value::Tensor(t)) = args.first()
        {
            let mut first = if cut {
                t.t.detach()
            } else {
                t.t.shallow_clone()
            };
            if let Some(scale) = scale
                && let Ok(scaled) = first.f_mul_scalar(scale)
            {
                first = scaled;
            }
            args[0] = Value::Tensor(Tagged {
                t: first,
                ..t.clone()
            });
        }
        let tensors: Vec<&Tagged> = args
            .iter()
            .filter_map(|a| match a {
                Value::Tensor(t) => Some(t),
                _ => None,
            })
            .collect();
        let single = |v: u32| {
            let v = v & !super::properties::MARKS;
            (v != 0 && v & (v - 1) == 0).then_some(v)
        };
        if let [a, b, ..] = tensors.as_slice()
            && let (Some(x), Some(y)) = (single(a.views), single(b.views))
        {
            // (student, teacher) whatever order the answer writes them in: the papers
            // write H(teacher, student), most code loss(student, target).
            let role = |t: &Tagged| {
                self.harness
                    .origins
                    .get(&t.origin)
                    .and_then(|n| self.harness.role_of(n))
            };
            let teacher_first =
                role(a).as_deref() == Some("teacher") && role(b).as_deref() == Some("student");
            self.trace.loss_calls.push(LossCall {
                views: if teacher_first { (y, x) } else { (x, y) },
                token: a.token.max(b.token),
                output: None,
                weight: None,
            });
        } else if let [a, b, ..] = tensors.as_slice()
            && let (Some(la), Some(lb)) =
                (self.harness.layout_of(&a.t), self.harness.layout_of(&b.t))
            && la.len() == lb.len()
        {
            // Two joins of the views compared row by row (`H(s_patch, t_patch)` of
            // `cat([u, v])`): each block of rows is one comparison.
            for (x, y) in la.into_iter().zip(lb) {
                self.trace.loss_calls.push(LossCall {
                    views: (x, y),
                    token: a.token.max(b.token),
                    output: None,
                    weight: None,
                });
            }
        }
    }

    fn enter(&mut self, frame: HashMap<String, Value>) -> R<()> {
        if self.frames.len() >= self.budget.call_depth {
            return halt(
                self.line,
                format!(
                    "calls nest deeper than the budget ({} levels): runaway recursion?",
                    self.budget.call_depth
                ),
            );
        }
        self.frames.push(frame);
        Ok(())
    }

    pub fn call_def(
        &mut self,
        def: &Rc<FuncDef>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> R<Value> {
        let call_line = self.line;
        self.called.insert(def.name.clone());
        let mut frame = HashMap::new();
        let mut args = args.into_iter();
        for p in &def.params {
            if let Some(rest) = p.name.strip_prefix('*') {
                let rest_vals: Vec<Value> = args.by_ref().collect();
                if !rest.is_empty() && !rest.starts_with('*') {
                    frame.insert(rest.to_string(), Value::Tuple(Rc::new(rest_vals)));
                }
                continue;
            }
            let v = match args.next() {
                Some(v) => v,
                None => match kwargs.iter().find(|(k, _)| *k == p.name) {
                    Some((_, v)) => v.clone(),
                    None => match &p.default {
                        Some(d) => self.expr(d)?,
                        // `H(t_u, s_v)` in a line of math, for `def H(t, s, c)`: an argument
                        // left out that the caller has under the parameter's name (the
                        // centre `c`) is that value, as a reader takes it.
                        None if let Some(v) = self.bound(&p.name) => v,
                        None => {
                            return halt(
                                call_line,
                                format!(
                                    "`{}` is called without its argument `{}`",
                                    def.name, p.name
                                ),
                            );
                        }
                    },
                },
            };
            frame.insert(p.name.clone(), v);
        }
        for (k, v) in kwargs {
            frame.entry(k).or_insert(v);
        }
        let decorated_no_grad = def.decorators.iter().any(|d| {
            matches!(&d.kind, ExprKind::Call { func, .. } if ends_with_name(func, "no_grad"))
                || ends_with_name(d, "no_grad")
        });
        self.enter(frame)?;
        let guard = decorated_no_grad.then(tch::no_grad_guard);
        let r = self.block(&def.body);
        drop(guard);
        self.frames.pop();
        self.line = call_line;
        match r {
            Ok(()) => Ok(Value::None),
            Err(Flow::Return(v)) => Ok(v),
            Err(Flow::Break) | Err(Flow::Continue) => Ok(Value::None),
            Err(h) => Err(h),
        }
    }

    fn instantiate(
        &mut self,
        class: Rc<ClassDef>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> R<Value> {
        let obj = Rc::new(RefCell::new(Object {
            class: class.clone(),
            attrs: Default::default(),
        }));
        // `lr: float = 0.05` in the class body (a `@dataclass` config, a class constant):
        // each instance reads it; without an `__init__`, the call's arguments set the
        // fields in order and by name, as a dataclass's generated one does.
        let mut fields = Vec::new();
        for (field, value) in class.fields() {
            let v = self.expr(value)?;
            obj.borrow_mut().attrs.insert(field.to_string(), v);
            fields.push(field.to_string());
        }
        let net = self
            .harness
            .new_net(&class.name, NetKind::Object(obj.clone()));
        if let Some(init) = class.method("__init__") {
            let mut all = vec![Value::Net(net.clone())];
            all.extend(args);
            self.call_def(&init, all, kwargs)?;
        } else {
            let given = fields.iter().cloned().zip(args).chain(kwargs);
            obj.borrow_mut().attrs.extend(given);
        }
        Ok(Value::Net(net))
    }

    /// Calls a network: the `forward` of a class of the answer, or the harness' module.
    pub fn call_net(
        &mut self,
        n: Rc<Net>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> R<Value> {
        let mut args = args;
        let mut kwargs = kwargs;
        // `backbone.encode(images=x)`: the images by keyword, to a network the answer
        // never defines (its own classes take their arguments as written).
        if !matches!(n.kind, NetKind::Object(_) | NetKind::Loss(_)) {
            crate::analysis::facts::input_first(&mut args, &mut kwargs);
        }
        // `self.predictor([x])[0]`: OpenMMLab's necks and heads take a list of feature
        // maps and give one back, so a toy given one tensor in a list gives its output
        // in a list.
        if matches!(n.kind, NetKind::Toy { .. } | NetKind::ToyVit { .. })
            && let [Value::List(items)] = args.as_slice()
            && let [item @ Value::Tensor(_)] = items.borrow().as_slice()
        {
            let out = self.call_net(n.clone(), vec![item.clone()], kwargs)?;
            return Ok(Value::List(Rc::new(RefCell::new(vec![out]))));
        }
        // `student(images[:2], mask=masks[:2])`: a list of crops (and of their masks) is
        // one batch of them all, as a multi-crop wrapper makes it. The answer's own
        // classes and losses take their arguments as written.
        if !matches!(n.kind, NetKind::Object(_) | NetKind::Loss(_)) {
            let crops = match args.first() {
                Some(Value::List(l)) => l.borrow().len(),
                Some(Value::Tuple(t)) => t.len(),
                _ => 0,
            };
            if let Some(first) = args.first_mut() {
                *first = self.crops_as_batch(first.clone())?;
            }
            if let Some(mask) = args.get_mut(1) {
                *mask = self.crops_as_batch(mask.clone())?;
            }
            for (_, v) in kwargs.iter_mut() {
                *v = self.crops_as_batch(v.clone())?;
            }
            if crops >= 2 && matches!(args.first(), Some(Value::Tensor(_))) {
                let first_origin = self.harness.next_origin;
                let out = self.call_net(n, args, kwargs)?;
                for origin in first_origin..self.harness.next_origin {
                    self.crop_batched.insert(origin, crops);
                }
                return Ok(out);
            }
        }
        // The stop-gradient probe cuts the predictor's input whatever the predictor is
        // made of (a toy, an `nn.Sequential`, a class of the answer's).
        if self.harness.knobs.cut_predictor
            && self.harness.role_of(&n).as_deref() == Some("predictor")
            && let Some(Value::Tensor(t)) = args.first()
        {
            let cut = Tagged {
                t: t.t.detach(),
                ..t.clone()
            };
            args[0] = Value::Tensor(cut);
        }
        // `head(backbone(x))` with a ViT backbone: the head projects each of its token
        // outputs, the [CLS] token and the patch tokens, as iBOT's head does.
        if !matches!(n.kind, NetKind::Object(_) | NetKind::Loss(_))
            && let Some(Value::Tuple(tokens)) = args.first()
            && tokens.len() == 2
            && tokens
                .iter()
                .all(|t| matches!(t, Value::Tensor(t) if t.token != Token::None))
        {
            let tokens = tokens.clone();
            let mut outs = Vec::new();
            for t in tokens.iter() {
                let mut one = args.clone();
                one[0] = t.clone();
                outs.push(self.call_net(n.clone(), one, kwargs.clone())?);
            }
            return Ok(Value::Tuple(Rc::new(outs)));
        }
        // `student(images[2:])` where the toy loader made no local crops: a network
        // given no crops gives no outputs (empty tensors, which `torch.cat` skips).
        let no_crops = match args.first() {
            Some(Value::List(crops)) => crops.borrow().is_empty(),
            Some(Value::Tuple(crops)) => crops.is_empty(),
            _ => false,
        };
        if no_crops && !matches!(n.kind, NetKind::Object(_) | NetKind::Loss(_)) {
            let empty = || Value::tensor(Tensor::zeros([0], (Kind::Float, Device::Cpu)));
            return Ok(Value::Tuple(Rc::new(vec![empty(), empty()])));
        }
        let input = match args.first() {
            Some(v @ (Value::Tensor(_) | Value::Batch(_))) => Some(self.as_tensor(v)?),
            _ => None,
        };
        if input.is_none()
            && matches!(n.kind, NetKind::Toy { .. } | NetKind::ToyVit { .. })
            && !args
                .iter()
                .any(|a| matches!(a, Value::Tensor(_) | Value::Batch(_)))
        {
            return Ok(Value::Net(self.harness.construct(&n)));
        }
        // The network that takes the images plays the method's role (the backbone, not
        // the head that projects its tokens), from its first call on, so that its toy
        // forward pass is the role's on every call.
        if let Some(role) = self.method_roles.last()
            && input
                .as_ref()
                .is_some_and(|i| i.token == Token::None && i.views != 0)
            && self.harness.role_of(&n).is_none()
            && !self.trace.net_calls.iter().any(|c| c.net == n.id)
        {
            self.harness
                .aliases
                .entry(n.id)
                .or_default()
                .push(role.clone());
        }
        let masked = args
            .iter()
            .skip(1)
            .chain(kwargs.iter().map(|(_, v)| v))
            .any(|v| match v {
                Value::Tensor(t) => t.t.kind() == tch::Kind::Bool,
                // A masker's output passed as the mask.
                Value::Batch(items) => {
                    matches!(items.get(1), Some(Value::Tensor(t)) if t.t.kind() == tch::Kind::Bool)
                }
                _ => false,
            });
        let out = match &n.kind {
            // `library_loss` records the call and its result itself.
            NetKind::Loss(name) => {
                let name = name.clone();
                super::ops::library_loss(self, &name, &args, &kwargs)?
            }
            NetKind::Object(_) if self.harness.substitutes(&n) => {
                let line = self.line;
                self.harness.forward(&n, args, kwargs, line)?
            }
            NetKind::Object(obj) => {
                let class = obj.borrow().class.clone();
                let Some(fwd) = class.method("forward").or_else(|| class.method("__call__")) else {
                    return halt(
                        self.line,
                        format!("class `{}` has no `forward`", class.name),
                    );
                };
                let mut all = vec![Value::Net(n.clone())];
                all.extend(args);
                self.call_def(&fwd, all, kwargs)?
            }
            // `nn.Sequential(resnet, Projector(d))` with a class of the answer's among its
            // layers: each layer runs here, the answer's through its `forward`.
            NetKind::Sequential(items)
                if !self.harness.substitutes(&n)
                    && items.iter().any(|i| matches!(i.kind, NetKind::Object(_))) =>
            {
                let items = items.clone();
                let mut v = args.into_iter().next().unwrap_or(Value::None);
                for item in items {
                    v = self.call_net(item, vec![v], Vec::new())?;
                }
                v
            }
            _ => {
                let line = self.line;
                self.harness.forward(&n, args, kwargs, line)?
            }
        };
        // A network given joined views (`teacher(torch.cat([u, v]))`) gives outputs whose
        // rows hold the same views in the same order.
        if let Some(layout) = input.as_ref().and_then(|i| self.harness.layout_of(&i.t)) {
            let outputs: Vec<Tensor> = match &out {
                Value::Tensor(t) => vec![t.t.shallow_clone()],
                Value::Tuple(items) => items
                    .iter()
                    .filter_map(|v| match v {
                        Value::Tensor(t) => Some(t.t.shallow_clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let rows = input.as_ref().and_then(|i| i.t.size().first().copied());
            for t in outputs {
                if t.size().first().copied() == rows {
                    self.harness.note_layout(&t, layout.clone());
                }
            }
        }
        let output = match &out {
            Value::Tensor(t) => Some(t.clone()),
            Value::Tuple(items) => match items.first() {
                Some(Value::Tensor(t)) => Some(t.clone()),
                _ => None,
            },
            _ => None,
        };
        let order = self.next_order();
        self.trace.net_calls.push(NetCall {
            order,
            masked,
            net: n.id,
            iteration: self.trace.iterations,
            input,
            output,
        });
        Ok(out)
    }

    /// An output of a network given a list of crops as one batch, cut back into one
    /// part per crop (`None` for any other tensor). A multi-crop wrapper that takes a
    /// list gives one output per crop; an answer that indexes or iterates the output by
    /// view means those, not the rows of the batch.
    pub fn per_crop(&mut self, t: &Tagged) -> R<Option<Vec<Value>>> {
        let Some(&crops) = self.crop_batched.get(&t.origin) else {
            return Ok(None);
        };
        let rows = t.t.size().first().copied().unwrap_or(0);
        if rows % crops as i64 != 0 {
            return Ok(None);
        }
        let parts = super::ops::tensor_method(
            self,
            Value::Tensor(t.clone()),
            "chunk",
            vec![Value::Int(crops as i64)],
            Vec::new(),
        )?;
        Ok(Some(self.iterate(parts)?))
    }

    /// A list or tuple of two or more tensors joined along the batch; anything else as
    /// it is.
    fn crops_as_batch(&mut self, v: Value) -> R<Value> {
        let items: Vec<Value> = match &v {
            Value::List(l) => l.borrow().clone(),
            Value::Tuple(t) => t.to_vec(),
            _ => return Ok(v),
        };
        let shape = |x: &Value| match x {
            Value::Tensor(t) => Some(t.t.size()),
            _ => None,
        };
        let first = items.first().and_then(shape);
        if items.len() < 2 || first.is_none() || !items.iter().all(|x| shape(x) == first) {
            return Ok(v);
        }
        super::ops::call_builtin(self, "torch.cat", vec![v], Vec::new())
    }
}

/// Attribute names that are parts of a network (`model.encoder`, `net.head`), beyond
/// those a rubric's role patterns name.
const PART_NAMES: &[&str] = &[
    "backbone",
    "encoder",
    "projector",
    "projection",
    "predictor",
    "prediction",
    "head",
    "mlp",
    "proj",
    "pred",
    "net",
    "model",
    "student",
    "teacher",
];

/// `p1, z1 = ...`, `p, z = ...`: two names, the prediction's first and the projection's
/// second.
fn prediction_named_first(items: &[Expr]) -> bool {
    let names: Vec<&str> = items
        .iter()
        .filter_map(|t| match &t.kind {
            ExprKind::Name(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    matches!(names.as_slice(), [p, z] if p.starts_with('p') && z.starts_with('z'))
}

/// A loader item used whole: its images (the third item, after two views), a
/// masker's masked image (the third of four), or the first domain's images of a pair.
pub fn batch_images(items: &[Value]) -> Option<&Value> {
    if items.len() >= 3 {
        items.get(2)
    } else {
        items.first()
    }
}

fn ends_with_name(e: &Expr, name: &str) -> bool {
    match &e.kind {
        ExprKind::Name(n) => n == name,
        ExprKind::Attr(_, a) => a == name,
        _ => false,
    }
}

pub fn keys_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// The first line of a libtorch error: the rest is a C++ backtrace.
pub fn short(e: &tch::TchError) -> String {
    let s = e.to_string();
    let first = s.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("Torch(\"").unwrap_or(first);
    first.chars().take(200).collect()
}

/// `os.makedirs(...)`, `os.mkdir(...)`: a call that only makes a folder for outputs.
fn makes_an_output_folder(func: &Expr) -> bool {
    matches!(&func.kind, ExprKind::Attr(base, method)
        if matches!(method.as_str(), "makedirs" | "mkdir")
            && matches!(&base.kind, ExprKind::Name(m) if m == "os"))
}

/// The network whose `named_parameters()` a dict comprehension goes over to copy each
/// weight as it is (`{k: v.detach().clone() for k, v in net.named_parameters()}`), with
/// nothing but a detach, a clone or a fresh `requires_grad_` applied to `v`; and
/// whether that `requires_grad_` makes the copies trainable.
fn copied_parameters_of<'e>(target: &Expr, iter: &'e Expr, elt: &Expr) -> Option<(&'e Expr, bool)> {
    let ExprKind::Tuple(names) = &target.kind else {
        return None;
    };
    let [
        _,
        Expr {
            kind: ExprKind::Name(value),
            ..
        },
    ] = names.as_slice()
    else {
        return None;
    };
    let ExprKind::Call { func, args, .. } = &iter.kind else {
        return None;
    };
    let ExprKind::Attr(net, method) = &func.kind else {
        return None;
    };
    if method != "named_parameters" || !args.is_empty() {
        return None;
    }
    let mut cur = elt;
    let mut trainable = false;
    loop {
        match &cur.kind {
            ExprKind::Name(n) if n == value => return Some((net, trainable)),
            ExprKind::Attr(obj, attr) if attr == "data" => cur = obj,
            ExprKind::Call { func, args, .. } => match &func.kind {
                ExprKind::Attr(obj, m)
                    if matches!(
                        m.as_str(),
                        "detach" | "clone" | "requires_grad_" | "float" | "to"
                    ) =>
                {
                    if m == "requires_grad_" {
                        trainable =
                            !matches!(args.first().map(|a| &a.kind), Some(ExprKind::Bool(false)));
                    }
                    cur = obj
                }
                _ => return None,
            },
            _ => return None,
        }
    }
}
