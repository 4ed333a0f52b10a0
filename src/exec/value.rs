//! The concrete value domain of the executor: real libtorch tensors, tagged with the
//! views they were computed from, and the Python objects a training loop handles.

use crate::ir::{ClassDef, Expr, FuncDef};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use tch::Tensor;

/// A set of views (bit i: the i-th augmentation call of the iteration) a tensor depends
/// on. Pairing properties read it: a comparison between tensors of different views is
/// what a cross-view loss term is made of.
pub type Views = u32;

/// Whether a tensor is a ViT's [CLS] token, its patch tokens, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Token {
    None,
    Cls,
    Patch,
}

pub struct Tagged {
    pub t: Tensor,
    pub views: Views,
    pub token: Token,
    /// The network call that produced the tensor (0: none or several), so that a tensor
    /// compared with a function of itself (`p / p.norm()`) is not read as a pairing.
    pub origin: u32,
}

impl Clone for Tagged {
    fn clone(&self) -> Tagged {
        Tagged {
            t: self.t.shallow_clone(),
            views: self.views,
            token: self.token,
            origin: self.origin,
        }
    }
}

/// A network: a toy module of the harness, a library layer, or an instance of a class
/// the answer defines (whose parameters are those of its attributes).
pub struct Net {
    pub id: usize,
    pub name: String,
    pub role: Option<String>,
    pub kind: NetKind,
    /// Parameters, created on first use from the input's width and a seed from the name.
    pub params: RefCell<Vec<Tensor>>,
    pub frozen: RefCell<bool>,
}

pub enum NetKind {
    /// A harness stand-in for a network the answer uses but does not define.
    Toy { out: i64, seed: u64 },
    /// A ViT-like stand-in that returns `(cls, patch_tokens)`.
    ToyVit { width: i64, seed: u64 },
    /// `nn.Linear(in, out)`.
    Linear { seed: u64 },
    /// `nn.Sequential(...)`.
    Sequential(Vec<Rc<Net>>),
    /// A parameter-free layer (`nn.ReLU`, `nn.Identity`, ...) by its name.
    Activation(String),
    /// A library loss used as a module (`nn.MSELoss()` → `mse_loss`).
    Loss(String),
    /// An instance of a class of the answer.
    Object(Rc<RefCell<Object>>),
}

pub struct Object {
    pub class: Rc<ClassDef>,
    pub attrs: BTreeMap<String, Value>,
}

pub struct Optim {
    /// What the optimizer was given: tensors, networks or `parameters()` of networks.
    /// Networks are read at each step, since toy networks make their weights on first use.
    pub sources: Vec<Value>,
    /// Its one parameter group's settings, `optimizer.param_groups[0]`, which a learning
    /// rate schedule written in the answer changes (`g["lr"] = lr_at(it)`).
    pub group: Rc<RefCell<Vec<(Value, Value)>>>,
}

impl Optim {
    pub fn new(sources: Vec<Value>, lr: f64) -> Optim {
        let group = vec![(Value::Str(Rc::from("lr")), Value::Float(lr))];
        Optim {
            sources,
            group: Rc::new(RefCell::new(group)),
        }
    }

    /// The learning rate the next step uses: the group's, as the answer last set it (a
    /// number, or one element of a schedule tensor, `lr_schedule[it]`).
    pub fn lr(&self) -> f64 {
        self.group
            .borrow()
            .iter()
            .find(|(k, _)| matches!(k, Value::Str(k) if k.as_ref() == "lr"))
            .and_then(|(_, v)| v.single_value())
            .unwrap_or(0.0)
    }
}

/// What `functools.partial` made: the callable, and the arguments given first.
pub struct Partial {
    pub func: Value,
    pub args: Vec<Value>,
    pub kwargs: Vec<(String, Value)>,
}

#[derive(Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Tensor(Tagged),
    List(Rc<RefCell<Vec<Value>>>),
    Tuple(Rc<Vec<Value>>),
    Dict(Rc<RefCell<Vec<(Value, Value)>>>),
    Func(Rc<FuncDef>, Option<Box<Value>>),
    Lambda(Rc<(Vec<String>, Expr)>),
    /// `functools.partial(H, tau_t=0.04)`: a callable with some arguments given.
    Partial(Rc<Partial>),
    Class(Rc<ClassDef>),
    Net(Rc<Net>),
    Optim(Rc<RefCell<Optim>>),
    /// A library function or object, by dotted path (`torch.nn.functional.normalize`).
    Builtin(Rc<str>),
    /// A method looked up on a value, called later.
    Method(Box<Value>, Rc<str>),
    /// A harness callable for a role the answer leaves undefined (augmentation, masker).
    Stand(Rc<str>, Rc<str>),
    /// A harness data loader.
    Loader(Rc<str>),
    /// One item of a loader: behaves as its images, unpacks into `(images, labels)` or
    /// `(A, B)`.
    Batch(Rc<Vec<Value>>),
    NoGrad,
    /// A network's parameters as a whole (`f_t.params`), for update rules written on them.
    Params(Rc<Net>),
    /// Arithmetic on parameters as a whole: one tensor per parameter.
    ParamValues(Rc<Vec<Tensor>>),
}

impl Value {
    pub fn tensor(t: Tensor) -> Value {
        Value::Tensor(Tagged {
            t,
            views: 0,
            token: Token::None,
            origin: 0,
        })
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Tensor(_) => "tensor",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Func(..) | Value::Lambda(_) | Value::Partial(_) => "function",
            Value::Class(_) => "class",
            Value::Net(_) => "network",
            Value::Optim(_) => "optimizer",
            Value::Builtin(_) | Value::Method(..) | Value::Stand(..) => "callable",
            Value::Loader(_) => "loader",
            Value::Batch(_) => "batch",
            Value::NoGrad => "context manager",
            Value::Params(_) | Value::ParamValues(_) => "parameters",
        }
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) => !d.borrow().is_empty(),
            // `while masks[b].sum() < target`: a one-element tensor is its value. Python
            // refuses the truth of a larger one; here it is true, as any other object.
            Value::Tensor(_) => self.single_value().is_none_or(|x| x != 0.0),
            _ => true,
        }
    }

    /// A number, or the value of a tensor of one element (`lr_schedule[it]`,
    /// `masks[b].sum()`), whatever its shape.
    pub fn single_value(&self) -> Option<f64> {
        match self {
            Value::Tensor(t) if t.t.numel() == 1 => {
                t.t.f_reshape([-1])
                    .and_then(|one| one.f_double_value(&[0]))
                    .ok()
            }
            other => other.as_f64(),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
}
