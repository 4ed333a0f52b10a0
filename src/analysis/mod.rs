//! Analysis: lowers nothing further; evaluates the IR abstractly and keeps the results
//! (the value graph, the modules and optimizers the answer builds, and the training-step
//! events in order) in side tables that checks and lints query.

pub mod eval;
pub mod facts;
pub mod graph;

use crate::ir::{ClassDef, Span, Stmt};
use graph::{Graph, ModId, NodeId, OptId};
use std::collections::HashMap;
use std::rc::Rc;

/// A network (or an undefined callable used like one).
#[derive(Clone, Debug, Default)]
pub struct ModuleInfo {
    /// The name it was first bound to, its attribute name, or the undefined name.
    pub name: String,
    /// Every name it was bound to.
    pub aliases: Vec<String>,
    /// The constructor it was made with (`Backbone`, `nn.Linear`, a class of the answer).
    pub ctor: String,
    pub class: Option<Rc<ClassDef>>,
    /// A library loss used as a module (`nn.MSELoss()` → `mse_loss`).
    pub builtin: Option<String>,
    /// An undefined name, not constructed by the answer.
    pub implicit: bool,
    pub frozen: bool,
    pub copied_from: Option<ModId>,
    pub parent: Option<ModId>,
    pub attrs: HashMap<String, eval::Value>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct OptInfo {
    pub name: String,
    /// The modules whose parameters it updates; `None` when the optimizer is undefined.
    pub params: Option<Vec<ModId>>,
    pub span: Span,
    /// Stepped with the gradients handed to it (Keras's `apply_gradients`), which a
    /// tape computes afresh each time: nothing accumulates, so nothing needs zeroing.
    pub given_gradients: bool,
}

#[derive(Clone, Debug)]
pub enum EventKind {
    Backward {
        loss: NodeId,
    },
    Step {
        opt: OptId,
    },
    ZeroGrad {
        opt: Option<OptId>,
        module: Option<ModId>,
    },
    /// A network's parameters assigned or updated in place.
    ParamUpdate {
        target: ModId,
        value: NodeId,
    },
    /// Parameters named by role (`θ_t ← ...`) assigned.
    RoleParamUpdate {
        role: String,
        value: NodeId,
    },
    /// `update_momentum(student, teacher, m)` and other EMA helpers the answer does not define.
    EmaHelper {
        name: String,
        modules: Vec<ModId>,
        momentum: Option<NodeId>,
    },
    /// `update(f_s)`: an update step written as a call the answer does not define.
    UpdateCall {
        name: String,
        modules: Vec<ModId>,
    },
    Freeze {
        module: ModId,
        frozen: bool,
    },
    Prose {
        text: String,
    },
}

#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventKind,
    pub span: Span,
    /// How many loops enclose it (through calls, too).
    pub loop_depth: u32,
    pub no_grad: bool,
}

/// The constructor of a dict of networks or tensors the answer wrote
/// (`{"student": f_s, "teacher": f_t}`, `nn.ModuleDict(...)`, a record of outputs).
pub const RECORD: &str = "<dict>";

#[derive(Default, Debug)]
pub struct Analysis {
    pub graph: Graph,
    pub modules: Vec<ModuleInfo>,
    pub optimizers: Vec<OptInfo>,
    pub events: Vec<Event>,
    /// Undefined names, first use each.
    pub undefined: Vec<(String, Span)>,
    /// The names modules are imported under (`import pytorch_lightning as pl`): defined,
    /// though the analysis knows nothing of what they hold.
    pub imported: std::collections::HashSet<String>,
    /// Misspelled methods read as known ones: (line, written, read as).
    pub fuzzy_notes: Vec<(u32, String, String)>,
    /// Lines where an undefined image pool was trusted to detach.
    pub trusted_pools: Vec<u32>,
    pub budget_exceeded: bool,
    pub recursion_limited: bool,
}

impl Analysis {
    pub fn new_module(&mut self, info: ModuleInfo) -> ModId {
        self.modules.push(info);
        self.modules.len() - 1
    }

    pub fn note_undefined(&mut self, name: &str, span: Span) {
        if !self.imported.contains(name) && !self.undefined.iter().any(|(n, _)| n == name) {
            self.undefined.push((name.to_string(), span));
        }
    }

    /// Events inside the training loop; when the answer has no loop around its
    /// `backward`, every event (the whole answer is read as one iteration).
    pub fn loop_events(&self) -> Vec<&Event> {
        let looped = self.events.iter().any(|e| {
            e.loop_depth > 0
                && matches!(e.kind, EventKind::Backward { .. } | EventKind::Step { .. })
        });
        self.events
            .iter()
            .filter(|e| !looped || e.loop_depth > 0)
            .collect()
    }

    /// Whether a module is a dict of networks or tensors the answer wrote (`RECORD`).
    pub fn is_record(&self, m: ModId) -> bool {
        self.modules[m].ctor == RECORD
    }

    /// Whether module `m` only holds networks, each a whole of its own: a record, or an
    /// instance of a plain class of the answer that is no network itself (`class
    /// Trainer:` with no base and no `forward` keeps the student and the teacher).
    pub fn holds_networks(&self, m: ModId) -> bool {
        self.is_record(m)
            || self.modules[m].class.as_ref().is_some_and(|c| {
                c.bases.is_empty()
                    && c.method("forward").is_none()
                    && c.method("__call__").is_none()
            })
    }

    /// Whether module `m` is `ancestor` or one of its submodules.
    pub fn is_within(&self, m: ModId, ancestor: ModId) -> bool {
        let mut cur = Some(m);
        let mut guard = 0;
        while let Some(x) = cur {
            if x == ancestor {
                return true;
            }
            guard += 1;
            if guard > 64 {
                break;
            }
            cur = self.modules[x].parent;
        }
        false
    }

    /// The optimizers whose parameters include module `m`.
    pub fn optimizers_of(&self, m: ModId) -> Vec<OptId> {
        (0..self.optimizers.len())
            .filter(|o| {
                self.optimizers[*o]
                    .params
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| self.is_within(m, *p)))
            })
            .collect()
    }

    /// The module's display name.
    pub fn module_name(&self, m: ModId) -> String {
        let info = &self.modules[m];
        if !info.name.is_empty() {
            info.name.clone()
        } else if !info.ctor.is_empty() {
            format!("{}()", info.ctor)
        } else {
            format!("module#{m}")
        }
    }

    /// Every name a module is known by: its own, its aliases, its constructor, and (for a
    /// submodule or a copy) those of its parent or source.
    pub fn module_names(&self, m: ModId) -> Vec<String> {
        let info = &self.modules[m];
        let mut names: Vec<String> = vec![info.name.clone(), info.ctor.clone()];
        names.extend(info.aliases.iter().cloned());
        if let Some(last) = info.name.rsplit('.').next() {
            names.push(last.to_string());
        }
        names.retain(|n| !n.is_empty());
        names
    }
}

/// Evaluates the lowered answer.
pub fn analyse(body: &[Stmt]) -> Analysis {
    let mut analysis = Analysis::default();
    {
        let mut ev = eval::Evaluator::new(&mut analysis);
        ev.run(body);
    }
    analysis
}
