//! The harness: what the names an answer uses but never defines stand for, as small
//! seeded modules and data, so the same answer gives the same numbers on every run.
//!
//! The rubric's `[exec]` table says the shapes (what a loader item holds, each role's
//! output width, what an undefined loss function computes); the rubric's role patterns
//! say which name plays which role. Knobs set by the properties (swap the views, cut or
//! replace the predictor) change one run and nothing else.

use super::interp::{R, halt};
use super::value::*;
use crate::rubric::{ExecSpec, Rubric};
use std::collections::HashMap;
use std::rc::Rc;
use tch::{Kind, Tensor};

/// Images of the toy batches: `BATCH × 3 × 4 × 4`, 48 features each, four patches of 12.
pub const BATCH: i64 = 4;
pub const FEATURES: i64 = 48;
pub const PATCHES: i64 = 4;
/// The features of one patch, whatever the number of patches.
const PATCH_FEATURES: i64 = FEATURES / PATCHES;
/// The largest grid of patches (32 × 32) the toy ViT takes the size of from an answer's
/// own masks; a larger one is refused with its reason.
const MAX_PATCHES: i64 = 1024;

/// Names that reach outside the interpreter. They are refused by name, with the reason,
/// before anything can read them as a stand-in.
const FORBIDDEN: &[&str] = &[
    "os",
    "sys",
    "subprocess",
    "shutil",
    "socket",
    "open",
    "exec",
    "eval",
    "compile",
    "__import__",
    "input",
    "globals",
    "locals",
    "getattr",
    "setattr",
    "pathlib",
    "Path",
    "requests",
    "urllib",
    "pickle",
    "builtins",
    "importlib",
    "ctypes",
    "signal",
    "threading",
    "multiprocessing",
];

/// Functions of `torch` and `F` that answers call by their bare name.
const TORCH_FUNCTIONS: &[&str] = &[
    "softmax",
    "log_softmax",
    "cross_entropy",
    "normalize",
    "cosine_similarity",
    "mse_loss",
    "l1_loss",
    "sigmoid",
    "relu",
    "exp",
    "log",
    "sqrt",
    "mean",
    "sum",
    "cat",
    "stack",
    "kl_div",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "tanh",
    "softplus",
    // `center = zeros_like(t)`: creation functions (`zeros(K)` is `Interp::call_stand`'s,
    // a bare `ones` being a label).
    "zeros_like",
    "ones_like",
    "full_like",
    "randn",
    "arange",
];

/// Optimizer classes that answers import by their bare name.
const OPTIMIZERS: &[&str] = &["SGD", "Adam", "AdamW", "LARS", "RMSprop", "Adagrad", "LAMB"];

/// What one run changes, for a property to measure.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Knobs {
    /// The first two views of each iteration exchange their data.
    pub swap_views: bool,
    /// Both views are the same image.
    pub same_views: bool,
    /// The predictor's input is detached: gradient through it is cut.
    pub cut_predictor: bool,
    /// The first argument of every loss call is detached: in an answer without a
    /// predictor, what still reaches the encoder comes through the target.
    pub cut_loss_inputs: bool,
    /// The predictor is the identity, scaled by this factor.
    pub predictor_identity: Option<f64>,
    /// The first argument of every loss call is scaled by this factor: in an answer
    /// without a predictor, the prediction's side of `D(z1, z2.detach())`.
    pub loss_input_scale: Option<f64>,
    /// Generators are the identity.
    pub identity_generators: bool,
    /// Generators are the identity bent a little (`x + 0.1·x²`), the same for both.
    pub bent_generators: bool,
    /// Generators add this to every image (0: off), so a reconstruction is the image
    /// moved twice.
    pub shifted_generators: f64,
    /// With `shifted_generators`, images of domain B move back instead: each generator
    /// undoes the other, so every reconstruction is exact and nothing else is.
    pub inverse_shift: bool,
    /// Discriminators score every image the same.
    pub constant_discriminators: bool,
    /// Added to the discriminators' logits for generated images.
    pub fake_score_shift: f64,
    /// The score shifts apply to this discriminator only (by net id), when set.
    pub shift_only: Option<usize>,
    /// Added to the discriminators' logits for real images.
    pub real_score_shift: f64,
    /// The loader's images track gradients, to see what the loss depends on.
    pub input_grad: bool,
    /// The loader yields many batches instead of two, so that an update made every k
    /// iterations (gradient accumulation) happens.
    pub long_loader: bool,
}

/// A moving-average copy of a network, as a library class keeps it.
pub struct Averaging {
    /// The network it follows.
    pub source: Rc<Net>,
    /// The answer's `avg_fn(averaged, current, n)`, a decay (a number), or `None` for
    /// `AveragedModel`'s plain running mean.
    pub rule: Value,
    /// Whether its first update copies the network (torch's `AveragedModel` and the
    /// classes built on it) rather than averaging it in.
    pub copies_first: bool,
    /// Updates made so far.
    pub count: u32,
}

/// What a string key of a loader's batch stands for.
pub enum BatchKey {
    /// One item of the batch, by position.
    Item(usize),
    /// The two views together (`batch["global_crops"]`).
    Views,
    /// Masks for the views, this many.
    Masks(usize),
    Unknown,
}

/// Joined tensors whose views are remembered, at most.
const MAX_LAYOUTS: usize = 256;

/// Batches of the loader in an ordinary run, and under `long_loader`.
const LOADER_BATCHES: u64 = 2;
const LONG_LOADER_BATCHES: u64 = 16;

impl Knobs {
    /// Whether the run cuts or replaces networks, so that a loss may be left depending
    /// on nothing trained without the answer being at fault.
    pub fn alters_networks(&self) -> bool {
        self.cut_predictor
            || self.cut_loss_inputs
            || self.predictor_identity.is_some()
            || self.loss_input_scale.is_some()
            || self.identity_generators
            || self.bent_generators
            || self.shifted_generators != 0.0
            || self.constant_discriminators
    }
}

pub struct Harness {
    pub spec: ExecSpec,
    /// Whether a property of the rubric reads a summed loss term by term: only then do
    /// runs remember sums and differentiate each term (`LossTerm`).
    pub splits_losses: bool,
    /// Whether the rubric's properties read how much each loss call weighs.
    pub weighs_loss_calls: bool,
    roles: crate::analysis::facts::Roles,
    pub knobs: Knobs,
    /// The toy ViT's patch tokens per image: `PATCHES`, or the size of the answer's own
    /// grid of patches (`MaskGenerator(grid=14)`), which a first run learns.
    pub patches: i64,
    /// The grid size a mask of the answer's own asked for when the toy ViT had another.
    pub wanted_patches: Option<i64>,
    /// Networks the answer gives a mask by keyword (`ir::names_given_a_mask`): ViTs
    /// where the rubric's networks are, whatever their name (`self.backbone(x, mask=m)`).
    pub given_a_mask: std::collections::HashSet<String>,
    pub nets: Vec<Rc<Net>>,
    /// Aliases by net id: every name a net was bound to.
    pub aliases: HashMap<usize, Vec<String>>,
    stand_nets: HashMap<String, Rc<Net>>,
    /// The keys of each `nn.ModuleDict`, in order, by net id.
    pub module_dict_keys: HashMap<usize, Vec<String>>,
    /// How many networks each `timm.create_model(...)` or `torch.hub.load(...)` of the
    /// same name has built.
    pub built_by_name: HashMap<String, usize>,
    /// The loader's views, with the clean images each was made from.
    loader_views: Vec<LoaderView>,
    /// Tensors that hold several views joined along the batch (`torch.cat([u, v])`),
    /// with the view of each block of rows in order; kept alive so that no other
    /// tensor takes their storage.
    layouts: Vec<(Tensor, Vec<u32>)>,
    /// The last layer an answer put on a network it never defines
    /// (`backbone.fc = nn.Identity()`, the SimSiam repository's `encoder.fc = MLP`), by
    /// the network's id, with the attribute's name: the network's output goes through it.
    heads: HashMap<usize, (String, Rc<Net>)>,
    /// The parts of toy networks (`model.encoder`), by the parent's id: their weights
    /// are the parent's too.
    pub parts: HashMap<usize, Vec<Rc<Net>>>,
    /// The toy width each layer size declared in the answer (`nn.Linear(2048, 512)`)
    /// was given.
    toy_sizes: HashMap<i64, i64>,
    /// The net whose call produced each origin.
    pub origins: HashMap<u32, Rc<Net>>,
    /// The loader's images (first, second), when `input_grad` is on.
    inputs: Vec<(Tensor, Tensor)>,
    view_calls: u32,
    mask_calls: u32,
    /// The answer's batch keys count views from zero (`"view0"`, `"view1"`).
    zero_based_batch_keys: bool,
    /// The sizes an `nn.Linear` too large to make was declared with (out, in), by net
    /// id: it is made at the toy width it first receives.
    declared_linear: HashMap<usize, (i64, i64)>,
    /// Each deep copy's original, by id.
    originals: HashMap<usize, usize>,
    /// Moving-average wrappers (`AveragedModel(student, avg_fn=ema)`), by the id of the
    /// copy they keep.
    pub averaged: HashMap<usize, Averaging>,
    iteration: u64,
    /// The origin the next network call's outputs get; every call's is new.
    pub next_origin: u32,
    rng: u64,
}

/// A view the loader made. The record holds the view itself, so that its storage is
/// never freed and reused by another tensor while the run lasts: a tensor at the same
/// address with the same shape is this view.
struct LoaderView {
    view: Tensor,
    base: Tensor,
    /// For a batch's first view, its second.
    second: Option<Tensor>,
}

impl LoaderView {
    fn is(&self, t: &Tensor) -> bool {
        t.data_ptr() == self.view.data_ptr() && t.size() == self.view.size()
    }
}

/// `iBOTHead`, `student_head`, `proj_mlp`, an OpenMMLab `neck`, but not `ViTWithHeads`:
/// a model that has heads is more than one.
fn is_head_name(name: &str) -> bool {
    let folded = crate::analysis::facts::fold(name);
    ["head", "proj", "mlp", "neck"]
        .iter()
        .any(|w| folded.contains(w))
        && !["vit", "with", "backbone", "encoder", "transformer", "model"]
            .iter()
            .any(|w| folded.contains(w))
}

/// Attributes that name a network's last layer.
const HEAD_NAMES: &[&str] = &["fc", "head", "heads", "classifier", "last_layer"];

fn seed_of(name: &str) -> u64 {
    // FNV-1a: a stable seed from a name, the same on every platform and run.
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `n` values from a seed: uniform in [-1, 1) (or [0, 1) when `unit`).
fn values(seed: u64, n: usize, unit: bool) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            let u = (splitmix(&mut s) >> 11) as f64 / (1u64 << 53) as f64;
            if unit {
                u as f32
            } else {
                (2.0 * u - 1.0) as f32
            }
        })
        .collect()
}

fn seeded(seed: u64, shape: &[i64], scale: f64) -> Tensor {
    let n = shape.iter().product::<i64>().max(0) as usize;
    let v: Vec<f32> = values(seed, n, false)
        .into_iter()
        .map(|x| x * scale as f32)
        .collect();
    Tensor::from_slice(&v).reshape(shape)
}

impl Harness {
    pub fn new(rubric: &Rubric, knobs: Knobs) -> Harness {
        Harness {
            spec: rubric.exec.clone(),
            splits_losses: rubric
                .exec
                .properties
                .values()
                .flatten()
                .any(|p| super::properties::READS_LOSS_TERMS.contains(&p.as_str())),
            weighs_loss_calls: rubric
                .exec
                .properties
                .values()
                .flatten()
                .any(|p| super::properties::WEIGHS_LOSS_CALLS.contains(&p.as_str())),
            roles: crate::analysis::facts::Roles::new(rubric.roles.patterns.clone()),
            knobs,
            patches: PATCHES,
            wanted_patches: None,
            given_a_mask: std::collections::HashSet::new(),
            nets: Vec::new(),
            aliases: HashMap::new(),
            stand_nets: HashMap::new(),
            module_dict_keys: HashMap::new(),
            built_by_name: HashMap::new(),
            inputs: Vec::new(),
            origins: HashMap::new(),
            parts: HashMap::new(),
            toy_sizes: HashMap::new(),
            loader_views: Vec::new(),
            layouts: Vec::new(),
            heads: HashMap::new(),
            view_calls: 0,
            mask_calls: 0,
            zero_based_batch_keys: false,
            declared_linear: HashMap::new(),
            originals: HashMap::new(),
            averaged: HashMap::new(),
            iteration: 0,
            next_origin: 1,
            rng: 0x5eed,
        }
    }

    pub fn role_of_name(&self, name: &str) -> Option<String> {
        const NET_ROLES: &[&str] = &[
            "teacher",
            "student",
            "predictor",
            "encoder",
            "generator",
            "discriminator",
        ];
        // `f_θ`, `h_φ`: a network written with its parameters as a subscript plays the
        // role of its name without them; `f_θs` the role of `f_s`, the parameters' own
        // subscript kept.
        let (without_parameters, own_subscript) = match name
            .rsplit_once('_')
            .filter(|(_, sub)| sub.chars().next().is_some_and(is_greek))
        {
            Some((base, sub)) => {
                let rest = sub.trim_start_matches(is_greek).trim_start_matches('_');
                (
                    Some(base),
                    (!rest.is_empty()).then(|| format!("{base}_{rest}")),
                )
            }
            None => (None, None),
        };
        NET_ROLES
            .iter()
            .find(|r| {
                self.roles.matches(r, name)
                    || own_subscript
                        .as_deref()
                        .is_some_and(|n| self.roles.matches(r, n))
                    || without_parameters.is_some_and(|base| self.roles.matches(r, base))
            })
            .map(|r| r.to_string())
    }

    /// The role of a net, from any name it was bound to.
    pub fn role_of(&self, net: &Net) -> Option<String> {
        // A model made of an encoder and a predictor plays neither role itself: its
        // parts do.
        let mut roles: Vec<String> = self
            .parts
            .get(&net.id)
            .into_iter()
            .flatten()
            .filter_map(|p| self.role_of(p))
            .collect();
        if let NetKind::Object(obj) = &net.kind {
            roles.extend(obj.borrow().attrs.values().filter_map(|v| match v {
                Value::Net(sub) => self.role_of(sub),
                _ => None,
            }));
        }
        roles.sort();
        roles.dedup();
        if roles.len() >= 2 {
            return None;
        }
        if let Some(r) = &net.role {
            return Some(r.clone());
        }
        self.aliases
            .get(&net.id)
            .into_iter()
            .flatten()
            .find_map(|a| self.role_of_name(a))
    }

    pub fn note_alias(&mut self, net: &Net, name: &str) {
        let names = self.aliases.entry(net.id).or_default();
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        // A ViT stand-in's weights have known shapes: made as soon as a name gives the
        // network its role, so that `requires_grad_(False)`, optimizers and the
        // snapshots before the first iteration all see them.
        if let NetKind::Toy { seed, .. } = &net.kind
            && net.params.borrow().is_empty()
            && !self.is_head(net)
            && let Some(role) = self.role_of(net)
            && self.spec.vit_roles.contains(&role)
        {
            let width = self
                .spec
                .widths
                .get(&role)
                .copied()
                .unwrap_or(self.spec.default_width);
            *net.params.borrow_mut() = self.initial_params(&NetKind::ToyVit { width, seed: *seed });
        }
    }

    pub fn new_iteration(&mut self) {
        self.view_calls = 0;
        self.mask_calls = 0;
        self.iteration += 1;
    }

    /// What an undefined name stands for.
    pub fn stand_in(&mut self, name: &str, line: u32) -> R<Value> {
        if FORBIDDEN.contains(&name) {
            return halt(
                line,
                format!(
                    "`{name}` reaches outside the program (files, processes or the interpreter); --exec never runs it"
                ),
            );
        }
        // `rnask(u)`: `m` read as `rn` in a transcription, where only the reading names
        // something of the rubric (the static grader's names match it by similarity).
        let reading = name.replace("rn", "m");
        let known = |n: &str| self.roles.patterns.keys().any(|r| self.roles.matches(r, n));
        if reading != name && known(&reading) && !known(name) {
            return self.stand_in(&reading, line);
        }
        let folded = crate::analysis::facts::fold(name);
        // `AveragedModel(student, avg_fn=ema)`, `ModelEmaV2(model, decay=0.999)`: before
        // the names that give roles, since `ema` names a teacher.
        if crate::analysis::facts::averages_a_network(name)
            || matches!(name, "get_ema_multi_avg_fn" | "get_ema_avg_fn")
        {
            return Ok(Value::Builtin(Rc::from(format!("averaging.{name}"))));
        }
        // `forch.no_grad()`, `toch.cat(...)`: a transcription's slip of `torch`.
        if crate::analysis::facts::is_torch_slip(name) {
            return Ok(Value::Builtin(Rc::from("torch")));
        }
        // `copiar(f_s)`, `clone(s_net)`: the pseudocode's deep copy, as the static grader
        // reads it (a tensor's copy is the tensor).
        if crate::analysis::facts::COPY_FUNCTIONS.contains(&name) || name == "clone" {
            return Ok(Value::Builtin(Rc::from("copy.deepcopy")));
        }
        // `Variable(x)`, imported from `torch.autograd`: the legacy wrapper is the tensor.
        if name == "Variable" {
            return Ok(Value::Builtin(Rc::from("torch.autograd.Variable")));
        }
        // `deactivate_requires_grad(teacher)` (lightly), `freeze(teacher)`: helpers that
        // freeze a network, and their inverses.
        let plain = folded.replace('_', "");
        if plain.starts_with("deactivaterequiresgrad")
            || plain == "freeze"
            || plain == "freezeparams"
        {
            return Ok(Value::Builtin(Rc::from("helpers.freeze")));
        }
        if plain.starts_with("activaterequiresgrad") || plain == "unfreeze" {
            return Ok(Value::Builtin(Rc::from("helpers.unfreeze")));
        }
        // `Accelerator()`, `L.Fabric()`, or an `accelerator` the answer never makes.
        if matches!(folded.as_str(), "accelerator" | "fabric") {
            return Ok(Value::Builtin(Rc::from(super::accelerate::WRAPPER)));
        }
        // `pl.Trainer(max_epochs=100)`: Lightning's trainer, which runs the module's loop.
        if folded == "trainer" {
            return Ok(Value::Builtin(Rc::from(super::lightning::TRAINER_CLASS)));
        }
        // `sg(z)`, `stopgrad(z)`: the stop-gradient of the papers' pseudocode.
        if matches!(
            folded.replace('_', "").as_str(),
            "sg" | "stopgrad" | "stopgradient"
        ) {
            return Ok(Value::Builtin(Rc::from("torch.detach")));
        }
        // `‖p‖₂`, which the normalizer writes `norm(p)`: each vector's length.
        if name == "norm" {
            return Ok(Value::Builtin(Rc::from("math_notation.norm")));
        }
        // `softmax(s / τ)`, `normalize(p)`: torch's functions called without their module.
        if TORCH_FUNCTIONS.contains(&name) {
            return Ok(Value::Builtin(Rc::from(format!("torch.{name}"))));
        }
        // `suma(t * log(s))`, `moyenne(t_u, t_v)`: a sum or a mean said in Spanish or
        // French.
        if matches!(folded.as_str(), "suma" | "somme") {
            return Ok(Value::Builtin(Rc::from("words.sum")));
        }
        if matches!(folded.as_str(), "media" | "promedio" | "moyenne") {
            return Ok(Value::Builtin(Rc::from("words.mean")));
        }
        // `GradScaler()` and `autocast()` imported from `torch.cuda.amp`.
        if matches!(name, "GradScaler" | "autocast") {
            return Ok(Value::Builtin(Rc::from(format!("torch.cuda.amp.{name}"))));
        }
        // `timm.create_model("vit_small_patch16_224")`, or `create_model` imported.
        if name == "create_model" {
            return Ok(Value::Builtin(Rc::from("timm.create_model")));
        }
        // `from torch.utils.data import DistributedSampler`.
        if name == "DistributedSampler" {
            return Ok(Value::Builtin(Rc::from(
                "torch.utils.data.DistributedSampler",
            )));
        }
        // `ops.normalize(p, axis=1)`, with `from keras import ops`.
        if name == "ops" {
            return Ok(Value::Builtin(Rc::from("keras.ops")));
        }
        // `partial(H, tau_t=0.04)` imported from `functools`.
        if name == "partial" {
            return Ok(Value::Builtin(Rc::from("functools.partial")));
        }
        // `functional_call(module, params, (x,))` imported from `torch.func`.
        if name == "functional_call" {
            return Ok(Value::Builtin(Rc::from("torch.func.functional_call")));
        }
        // `MSELoss()` imported from `torch.nn`.
        if crate::analysis::eval::LOSS_MODULES
            .iter()
            .any(|(c, _)| *c == name)
        {
            return Ok(Value::Builtin(Rc::from(format!("torch.nn.{name}"))));
        }
        // `AdamW(...)` imported from `torch.optim`.
        if OPTIMIZERS.contains(&name) {
            return Ok(Value::Builtin(Rc::from(format!("torch.optim.{name}"))));
        }
        // Optimizers first: `optim_gen` is an optimizer, not a generator.
        if folded.starts_with("opt") {
            return Ok(Value::Stand(Rc::from("optimizer"), Rc::from(name)));
        }
        // `masked_loader`: a loader, though `mask*` names the masker; a name that says
        // `loader` outright says what it is before any pattern of a role or a masker does.
        if crate::analysis::facts::says_loader(name) {
            return Ok(Value::Loader(Rc::from(name)));
        }
        // `create_masked_views`, `enmascarar_parches`: in a rubric that has maskers, any
        // name about masking is one, before augmentations: `random_mask` masks, it
        // does not crop.
        // `H_masked(t, s, m)` is a loss over masked tokens, not a masker.
        if self.roles.matches("loss", name) {
            return Ok(Value::Stand(Rc::from("loss"), Rc::from(name)));
        }
        let about_masking = self.roles.patterns.contains_key("mask")
            && ["mask", "enmascar", "mascara", "masqu", "block", "bloque"]
                .iter()
                .any(|w| folded.contains(w));
        if (about_masking || self.roles.matches("mask", name))
            && !crate::analysis::facts::names_a_network(name)
        {
            return Ok(Value::Stand(Rc::from("mask"), Rc::from(name)));
        }
        // `args.global_crops_number`, `n_views`: a count of crops is the loader's two
        // views, not an augmentation.
        let counts = folded.ends_with("number")
            || folded.ends_with("count")
            || folded.starts_with("num")
            || folded.starts_with("n_");
        if counts && (folded.contains("crop") || folded.contains("view")) {
            return Ok(Value::Int(2));
        }
        if self.roles.matches("augmentation", name) {
            return Ok(Value::Stand(Rc::from("augmentation"), Rc::from(name)));
        }
        if self.roles.matches("loss", name) {
            return Ok(Value::Stand(Rc::from("loss"), Rc::from(name)));
        }
        // `cosine_scheduler(0.996, 1, epochs, n)`, `lr_scheduler`: a schedule of numbers.
        if folded.contains("schedul") {
            return Ok(Value::Stand(Rc::from("schedule"), Rc::from(name)));
        }
        // The rubric's numbers first: `momentum` is λ, not a network the pattern
        // `momentum_*` names.
        if let Some(v) = self.spec.numbers.get(name) {
            return Ok(Value::Float(*v));
        }
        // `update_momentum(student, teacher)` and `update_teacher(...)` are actions, not
        // the networks their names mention.
        if folded.starts_with("update") || folded.starts_with("actualiza") {
            return Ok(Value::Stand(Rc::from("update"), Rc::from(name)));
        }
        if let Some(role) = self.role_of_name(name) {
            return Ok(Value::Net(self.stand_net(name, Some(role))));
        }
        // `vit`, `resnet50` passed uncalled (`IBOT(vit)`, `encoder(resnet50)`): an
        // architecture is a network, as the static grader reads it.
        // `backbone`, `head` (`nn.ModuleDict({"backbone": backbone, "head": head})`): a
        // name of a part of a network is a network too.
        if crate::analysis::facts::is_architecture_name(name)
            || crate::analysis::facts::names_a_network_part(name)
        {
            return Ok(Value::Net(self.stand_net(name, None)));
        }
        if crate::analysis::facts::names_a_loader(name) {
            return Ok(Value::Loader(Rc::from(name)));
        }
        // `OmegaConf.load(...)`, `yaml.safe_load(...)`: modules whose loaders give the
        // run's settings (`crate::analysis::facts::loads_settings`).
        if crate::analysis::facts::SETTINGS_MODULES.contains(&folded.as_str())
            || crate::analysis::facts::loads_settings(name)
        {
            return Ok(Value::Builtin(Rc::from(format!("settings.{name}"))));
        }
        if folded == "parameters_to_vector" || folded == "vector_to_parameters" {
            return Ok(Value::Builtin(Rc::from(format!("torch.nn.utils.{name}"))));
        }
        if folded == "random" {
            return Ok(Value::Builtin(Rc::from("random")));
        }
        if folded == "itertools" {
            return Ok(Value::Builtin(Rc::from("builtins")));
        }
        // `range(start_epoch, epochs)`, PyTorch-GAN's `range(opt.epoch, opt.n_epochs)`:
        // training starts from the first epoch, and runs one.
        if folded == "epoch"
            || ["start", "begin", "first", "initial"]
                .iter()
                .any(|w| folded.contains(w))
        {
            return Ok(Value::Int(0));
        }
        // `step`, `global_step`, `it`: a counter of training steps starts at zero.
        if matches!(
            folded.as_str(),
            "step" | "global_step" | "it" | "iteration" | "cur_step" | "current_step" | "n_iter"
        ) {
            return Ok(Value::Int(0));
        }
        // `total_steps`, `max_iters`: a number of steps, which the loop that counts them
        // stops short of once it has trained on a loader's batches.
        let counts_steps = ["total", "max", "num", "n_"]
            .iter()
            .any(|p| folded.starts_with(p))
            && (folded.contains("step") || folded.contains("iter"));
        if counts_steps {
            return Ok(Value::Int(100));
        }
        if folded.contains("epoch")
            || folded.starts_with("num")
            || matches!(
                folded.as_str(),
                "iters" | "iterations" | "steps" | "nsteps" | "niters"
            )
        {
            return Ok(Value::Int(1));
        }
        if matches!(folded.as_str(), "lr" | "learningrate") {
            return Ok(Value::Float(0.05));
        }
        Ok(Value::Stand(Rc::from("unknown"), Rc::from(name)))
    }

    fn stand_net(&mut self, name: &str, role: Option<String>) -> Rc<Net> {
        if let Some(n) = self.stand_nets.get(name) {
            return n.clone();
        }
        // `GBA (B)` beside `G_BA(fake_B)`: the same network, as the static grader reads it.
        if let Some(n) = self
            .stand_nets
            .iter()
            .find(|(k, _)| crate::analysis::facts::same_but_underscores(k, name))
            .map(|(_, n)| n.clone())
        {
            self.stand_nets.insert(name.to_string(), n.clone());
            self.note_alias(&n, name);
            return n;
        }
        let kind = self.toy_kind(name, role.as_deref());
        let net = self.register(name, role, kind);
        self.stand_nets.insert(name.to_string(), net.clone());
        net
    }

    fn toy_kind(&self, name: &str, role: Option<&str>) -> NetKind {
        let seed = seed_of(name);
        let width = role
            .and_then(|r| self.spec.widths.get(r).copied())
            .unwrap_or(self.spec.default_width);
        // `vit_small()`, `VisionTransformer(...)`: where the rubric's networks are ViTs, a
        // network named as one is one, whatever role it plays; so is one given a mask.
        // The backbone of a rubric whose networks are ViTs is the ViT (its head is not).
        let named_vit = !self.spec.vit_roles.is_empty()
            && (crate::analysis::facts::names_a_vit(name)
                || self.given_a_mask.contains(name)
                || crate::analysis::facts::fold(name).contains("backbone"));
        let vit_role = role.is_some_and(|r| self.spec.vit_roles.iter().any(|v| v == r));
        if (vit_role || named_vit) && !is_head_name(name) {
            NetKind::ToyVit { width, seed }
        } else {
            NetKind::Toy { out: width, seed }
        }
    }

    fn register(&mut self, name: &str, role: Option<String>, kind: NetKind) -> Rc<Net> {
        let params = self.initial_params(&kind);
        let net = Rc::new(Net {
            id: self.nets.len(),
            name: name.to_string(),
            role,
            kind,
            params: std::cell::RefCell::new(params),
            frozen: std::cell::RefCell::new(false),
        });
        self.nets.push(net.clone());
        net
    }

    /// An image as the toy ViT's patches, `[batch, patches, PATCH_FEATURES]`. With the
    /// toy's own four patches they are the image's quarters; with the answer's grid, a
    /// fixed seeded projection of the whole image, so that every token sees the image.
    fn patches_of(&self, input: &Tensor, batch: i64, line: u32) -> R<Tensor> {
        let lift =
            |r: Result<Tensor, tch::TchError>| r.or_else(|e| halt(line, super::interp::short(&e)));
        if self.patches == PATCHES {
            return lift(input.f_reshape([batch, PATCHES, PATCH_FEATURES]));
        }
        let flat = lift(input.f_reshape([batch, -1]))?;
        let features = flat.size().get(1).copied().unwrap_or(FEATURES);
        let scale = 1.0 / (features as f64).sqrt();
        let projection = seeded(0x9a7c4, &[self.patches * PATCH_FEATURES, features], scale);
        let projected = lift(flat.f_linear(&projection, None::<&Tensor>))?;
        lift(projected.f_reshape([batch, self.patches, PATCH_FEATURES]))
    }

    fn initial_params(&self, kind: &NetKind) -> Vec<Tensor> {
        let make = |seed: u64, shape: &[i64]| {
            let scale = 1.0 / (shape.last().copied().unwrap_or(1) as f64).sqrt();
            seeded(seed, shape, scale).set_requires_grad(true)
        };
        match kind {
            // Made on first use, from the width of what the network is given.
            NetKind::Toy { .. } => Vec::new(),
            NetKind::ToyVit { width, seed } => vec![
                make(*seed, &[*width, PATCH_FEATURES]),
                make(seed ^ 1, &[*width, *width]),
                make(seed ^ 2, &[*width]),
            ],
            NetKind::Linear { .. } => Vec::new(),
            _ => Vec::new(),
        }
    }

    /// `model["teacher"]`, `layers[0]`, `nets["student"]`: a network of a container by
    /// its key or position; of a network the answer never defines, a part of it named
    /// by the key.
    pub fn net_item(&mut self, n: &Rc<Net>, key: &Value, line: u32) -> R<Value> {
        // A `ModuleDict`'s keys, in order, name its entries and those of its copies
        // (`copy.deepcopy(nn.ModuleDict({"backbone": backbone, "head": head}))`).
        if let (NetKind::Sequential(items), Value::Str(k)) = (&n.kind, key)
            && let Some(at) = self
                .module_dict_keys
                .get(&n.id)
                .and_then(|keys| keys.iter().position(|x| x == k.as_ref()))
            && let Some(item) = items.get(at)
        {
            return Ok(Value::Net(item.clone()));
        }
        match (&n.kind, key) {
            (NetKind::Sequential(items), Value::Str(k)) => items
                .iter()
                .find(|i| {
                    self.aliases
                        .get(&i.id)
                        .is_some_and(|a| a.iter().any(|x| x == k.as_ref()))
                })
                .map(|i| Value::Net(i.clone()))
                .map_or_else(|| halt(line, format!("`{}` holds no `{k}`", n.name)), Ok),
            (NetKind::Sequential(items), k) => match k.as_f64() {
                Some(x) => {
                    let len = items.len() as i64;
                    let i = if x < 0.0 { len + x as i64 } else { x as i64 };
                    items
                        .get(usize::try_from(i).unwrap_or(usize::MAX))
                        .map(|i| Value::Net(i.clone()))
                        .map_or_else(|| halt(line, format!("index {x} is out of range")), Ok)
                }
                None => halt(
                    line,
                    format!("a {} cannot index `{}`", k.type_name(), n.name),
                ),
            },
            (NetKind::Toy { .. } | NetKind::ToyVit { .. }, Value::Str(k)) => {
                let part = self.part(n, k);
                self.note_alias(&part, k);
                Ok(Value::Net(part))
            }
            _ => halt(line, format!("network `{}` cannot be indexed", n.name)),
        }
    }

    /// `student_head = iBOTHead()`: a network named as a head (or projection) plays its
    /// role's part after the ViT, projecting tokens; it is no ViT itself.
    fn is_head(&self, n: &Net) -> bool {
        is_head_name(&n.name)
            || self
                .aliases
                .get(&n.id)
                .is_some_and(|names| names.iter().any(|a| is_head_name(a)))
    }

    /// `model.fc = nn.Sequential(...)` on a network the answer never defines: a last
    /// layer (`fc`, `head`, `classifier`) its output goes through, or any other part by
    /// that name.
    pub fn set_part(&mut self, parent: &Rc<Net>, attr: &str, part: Rc<Net>) {
        if HEAD_NAMES.contains(&attr) {
            self.heads.insert(parent.id, (attr.to_string(), part));
            return;
        }
        let key = format!("{}#{}.{attr}", parent.id, parent.name);
        self.stand_nets.insert(key, part.clone());
        self.parts.entry(parent.id).or_default().push(part);
    }

    /// The last layer set on a network by that attribute's name.
    pub fn head_named(&self, parent: &Net, attr: &str) -> Option<Rc<Net>> {
        self.heads
            .get(&parent.id)
            .filter(|(name, _)| name == attr)
            .map(|(_, head)| head.clone())
    }

    /// `encoder.fc.weight` of a network the answer never defines, read for its shape
    /// (`prev_dim = encoder.fc.weight.shape[1]`): its weights once made, or a square
    /// matrix of the toy width before.
    pub fn toy_weight(&self, n: &Net, attr: &str) -> Tensor {
        let params = n.params.borrow();
        let made = match attr {
            "weight" => params.first(),
            _ => params.get(1),
        };
        match made {
            Some(p) => p.shallow_clone(),
            None => {
                let w = self.spec.default_width;
                let shape: &[i64] = if attr == "weight" { &[w, w] } else { &[w] };
                Tensor::zeros(shape, (Kind::Float, tch::Device::Cpu))
            }
        }
    }

    /// The record of a loader view, if `t` is one (the tensor itself, not a copy).
    fn loader_view(&self, t: &Tensor) -> Option<&LoaderView> {
        self.loader_views.iter().find(|v| v.is(t))
    }

    /// The perturbation that makes view `data_index` of this iteration's images: the
    /// same for the same view in every run. `salt` keeps kinds of views (augmentations,
    /// local crops) apart.
    fn view_noise(&self, data_index: u64, salt: u64, shape: &[i64]) -> Tensor {
        let seed = self.iteration.wrapping_mul(31) ^ data_index.wrapping_mul(0x51ed) ^ salt;
        seeded(seed, shape, 0.5)
    }

    /// `crops[2:]` of a multi-crop loader: two local crops of the batch's images, views
    /// of their own (the third and fourth), which only the student is meant to see.
    pub fn local_crops(&mut self, images: &Tensor) -> Vec<Value> {
        (0..2u32)
            .map(|k| {
                let noise = self.view_noise(u64::from(k + 2), 0x10ca1, &images.size());
                Value::Tensor(Tagged {
                    t: images + noise,
                    views: 1 << (k + 2),
                    token: Token::None,
                    origin: 0,
                })
            })
            .collect()
    }

    /// The second view of the batch whose first view is `first`, if it is one: lightly's
    /// loaders yield the views as one list, so `x0, x1 = batch[0]` reads both from the
    /// first.
    pub fn second_view_of(&self, first: &Tensor) -> Option<Tensor> {
        self.loader_view(first)
            .and_then(|v| v.second.as_ref().map(Tensor::shallow_clone))
    }

    pub fn new_net(&mut self, name: &str, kind: NetKind) -> Rc<Net> {
        let role = self.role_of_name(name);
        self.register(name, role, kind)
    }

    /// `nn.Linear(in, out)`, `nn.Sequential(...)`, activations; other `nn` layers become
    /// toy modules seeded by their name.
    pub fn library_module(&mut self, name: &str, args: &[Value], line: u32) -> R<Value> {
        match name {
            "Linear" => {
                let (Some(i), Some(o)) = (
                    args.first().and_then(Value::as_f64),
                    args.get(1).and_then(Value::as_f64),
                ) else {
                    return halt(line, "`nn.Linear` needs its input and output sizes");
                };
                let (i, o) = (i as i64, o as i64);
                if i <= 0 || o <= 0 {
                    return halt(line, format!("`nn.Linear({i}, {o})` has no size"));
                }
                let seed = seed_of(&format!("Linear{}", self.nets.len()));
                let net = self.register("Linear", None, NetKind::Linear { seed });
                // A layer sized for real images (`nn.Linear(2048, 8192)`, an iBOT head) is
                // remade for the toy width it receives anyway: it is made then, not now.
                if i.saturating_mul(o) > 1 << 22 {
                    self.declared_linear.insert(net.id, (o, i));
                    return Ok(Value::Net(net));
                }
                let scale = 1.0 / (i as f64).sqrt();
                *net.params.borrow_mut() = vec![
                    seeded(seed, &[o, i], scale).set_requires_grad(true),
                    seeded(seed ^ 1, &[o], scale).set_requires_grad(true),
                ];
                Ok(Value::Net(net))
            }
            // `nn.ModuleDict({"student": ..., "teacher": ...})`: its networks, each known by
            // its key as by a name (`model["teacher"]` plays the teacher).
            "ModuleDict" => {
                let mut items = Vec::new();
                let mut keys = Vec::new();
                if let Some(Value::Dict(d)) = args.first() {
                    for (key, v) in d.borrow().iter() {
                        if let (Value::Str(key), Value::Net(n)) = (key, v) {
                            self.note_alias(n, key);
                            items.push(n.clone());
                            keys.push(key.to_string());
                        }
                    }
                }
                let dict = self.register(name, None, NetKind::Sequential(items));
                self.module_dict_keys.insert(dict.id, keys);
                Ok(Value::Net(dict))
            }
            "Sequential" | "ModuleList" => {
                let mut items = Vec::new();
                for a in args {
                    match a {
                        Value::Net(n) => items.push(n.clone()),
                        Value::List(l) => items.extend(l.borrow().iter().filter_map(|v| match v {
                            Value::Net(n) => Some(n.clone()),
                            _ => None,
                        })),
                        _ => {}
                    }
                }
                Ok(Value::Net(self.register(
                    name,
                    None,
                    NetKind::Sequential(items),
                )))
            }
            "ReLU" | "GELU" | "Tanh" | "Sigmoid" | "Identity" | "Flatten" | "BatchNorm1d"
            | "LayerNorm" | "Dropout" | "LeakyReLU" | "Softmax" | "BatchNorm2d" => Ok(Value::Net(
                self.register(name, None, NetKind::Activation(name.to_string())),
            )),
            "Module" => halt(line, "`nn.Module()` on its own is outside what --exec runs"),
            other => Ok(Value::Net(self.stand_net(other, None))),
        }
    }

    pub fn deep_copy(&mut self, n: &Rc<Net>) -> R<Value> {
        let kind = match &n.kind {
            NetKind::Toy { out, seed } => NetKind::Toy {
                out: *out,
                seed: *seed,
            },
            NetKind::ToyVit { width, seed } => NetKind::ToyVit {
                width: *width,
                seed: *seed,
            },
            NetKind::Linear { seed } => NetKind::Linear { seed: *seed },
            NetKind::Activation(a) => NetKind::Activation(a.clone()),
            NetKind::Loss(l) => NetKind::Loss(l.clone()),
            NetKind::Sequential(items) => {
                let mut copies = Vec::new();
                for i in items {
                    if let Value::Net(c) = self.deep_copy(i)? {
                        // A `ModuleDict`'s keys (`teacher["head"]`) name the copies too;
                        // a name that gives a role stays with the original.
                        let keys: Vec<String> = self
                            .aliases
                            .get(&i.id)
                            .into_iter()
                            .flatten()
                            .filter(|a| self.role_of_name(a).is_none())
                            .cloned()
                            .collect();
                        for key in keys {
                            self.note_alias(&c, &key);
                        }
                        copies.push(c);
                    }
                }
                NetKind::Sequential(copies)
            }
            NetKind::Object(obj) => {
                let mut attrs = std::collections::BTreeMap::new();
                let (class, old) = {
                    let o = obj.borrow();
                    (o.class.clone(), o.attrs.clone())
                };
                for (k, v) in old {
                    let v = match v {
                        Value::Net(sub) => self.deep_copy(&sub)?,
                        other => other,
                    };
                    attrs.insert(k, v);
                }
                NetKind::Object(Rc::new(std::cell::RefCell::new(Object { class, attrs })))
            }
        };
        let params: Vec<Tensor> = n
            .params
            .borrow()
            .iter()
            .map(|p| p.detach().copy().set_requires_grad(p.requires_grad()))
            .collect();
        let copy = Rc::new(Net {
            id: self.nets.len(),
            name: format!("copy of {}", n.name),
            role: None,
            kind,
            params: std::cell::RefCell::new(params),
            frozen: std::cell::RefCell::new(*n.frozen.borrow()),
        });
        if let Some(keys) = self.module_dict_keys.get(&n.id).cloned() {
            self.module_dict_keys.insert(copy.id, keys);
        }
        if let Some(sizes) = self.declared_linear.get(&n.id).copied() {
            self.declared_linear.insert(copy.id, sizes);
        }
        self.originals.insert(copy.id, n.id);
        self.nets.push(copy.clone());
        Ok(Value::Net(copy))
    }

    /// The id of the network `n` is a deep copy of.
    pub fn copied_from(&self, n: &Net) -> Option<usize> {
        self.originals.get(&n.id).copied()
    }

    /// The ids of a network and of every network inside it.
    pub fn ids_within(&self, n: &Net) -> Vec<usize> {
        let mut out = vec![n.id];
        let mut todo = self.children(n);
        while let Some(c) = todo.pop() {
            if out.len() > 256 || out.contains(&c.id) {
                continue;
            }
            out.push(c.id);
            todo.extend(self.children(&c));
        }
        out
    }

    /// A net's sub-networks: the parts the harness made for it (`model.encoder`), the
    /// layers of a chain, and the networks an instance of the answer's class holds.
    pub fn children(&self, n: &Net) -> Vec<Rc<Net>> {
        let mut out: Vec<Rc<Net>> = self.parts.get(&n.id).cloned().unwrap_or_default();
        match &n.kind {
            NetKind::Sequential(items) => out.extend(items.iter().cloned()),
            NetKind::Object(obj) => {
                for v in obj.borrow().attrs.values() {
                    match v {
                        Value::Net(sub) => out.push(sub.clone()),
                        Value::List(l) => out.extend(l.borrow().iter().filter_map(|x| match x {
                            Value::Net(sub) => Some(sub.clone()),
                            _ => None,
                        })),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// A net's own weight tensors, its sub-networks' aside.
    fn weights(n: &Net) -> Vec<Tensor> {
        n.params
            .borrow()
            .iter()
            .map(Tensor::shallow_clone)
            .collect()
    }

    /// The parameters that are a net's own for the properties: its weights and those
    /// of its sub-networks that play no other role (a model's predictor part is the
    /// predictor's, not the encoder's).
    pub fn owned_params(&self, n: &Net) -> Vec<Tensor> {
        let role = self.role_of(n);
        let mut out = Self::weights(n);
        for c in self.children(n) {
            let child_role = self.role_of(&c);
            if child_role.is_none() || child_role == role {
                out.extend(self.owned_params(&c));
            }
        }
        out
    }

    /// Every parameter of a net: its weights, the tensors an instance of the answer's
    /// class holds as parameters (`self.w = nn.Parameter(...)`), and its sub-networks'.
    /// Freezes (or unfreezes) a network and every network inside it, so that weights
    /// its parts make on first use follow the setting too.
    pub fn set_frozen(&self, n: &Net, frozen: bool) {
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![n.id];
        while let Some(id) = todo.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(net) = self.nets.get(id) else {
                continue;
            };
            *net.frozen.borrow_mut() = frozen;
            todo.extend(self.children(net).iter().map(|c| c.id));
        }
    }

    /// Whether `n` plays `role`, or is a layer or part of a network that does (the last
    /// `Linear` of a predictor written as `nn.Sequential`).
    pub fn within_role(&self, n: &Net, role: &str) -> bool {
        fn holds(h: &Harness, outer: &Net, id: usize, depth: u32) -> bool {
            depth < 16
                && h.children(outer)
                    .iter()
                    .any(|c| c.id == id || holds(h, c, id, depth + 1))
        }
        self.role_of(n).as_deref() == Some(role)
            || self
                .nets
                .iter()
                .any(|m| self.role_of(m).as_deref() == Some(role) && holds(self, m, n.id, 0))
    }

    pub fn all_params(&self, n: &Net) -> Vec<Tensor> {
        let mut out = Self::weights(n);
        if let NetKind::Object(obj) = &n.kind {
            out.extend(obj.borrow().attrs.values().filter_map(|v| match v {
                Value::Tensor(t) if t.t.requires_grad() => Some(t.t.shallow_clone()),
                _ => None,
            }));
        }
        for c in self.children(n) {
            out.extend(self.all_params(&c));
        }
        out
    }

    fn flat(t: &Tensor) -> Vec<f32> {
        let t = t.detach().to_kind(Kind::Float).reshape([-1]);
        Vec::<f32>::try_from(&t).unwrap_or_default()
    }

    /// Every net's gradients, flattened (zeros where a parameter has none yet).
    pub fn grads(&self) -> HashMap<usize, Vec<f32>> {
        self.nets
            .iter()
            .map(|n| {
                let mut all = Vec::new();
                for p in self.owned_params(n) {
                    let g = p.grad();
                    if g.defined() {
                        all.extend(Self::flat(&g));
                    } else {
                        all.extend(std::iter::repeat_n(0.0, p.numel()));
                    }
                }
                (n.id, all)
            })
            .collect()
    }

    /// Every net's parameters, flattened one list per parameter.
    pub fn snapshot(&self) -> HashMap<usize, Vec<Vec<f32>>> {
        self.nets
            .iter()
            .map(|n| (n.id, self.owned_params(n).iter().map(Self::flat).collect()))
            .collect()
    }

    /// The networks that play `role`, by the names they were given.
    pub fn nets_playing(&self, role: &str) -> Vec<Rc<Net>> {
        self.nets
            .iter()
            .filter(|n| self.role_of(n).as_deref() == Some(role))
            .cloned()
            .collect()
    }

    /// The nets an optimizer the answer does not build would train: every network
    /// with a role but the teacher, and none that is frozen.
    pub fn trained_nets(&self) -> Vec<Rc<Net>> {
        self.nets
            .iter()
            .filter(|n| {
                let role = self.role_of(n);
                role.is_some() && role.as_deref() != Some("teacher") && !*n.frozen.borrow()
            })
            .cloned()
            .collect()
    }

    /// The nets an optimizer the answer never builds updates, read from its name:
    /// `optim_gen`, `optimizer_G` → the generators; `optim_DB`, `optimizer_D_B` → the
    /// discriminator of domain B; anything else → every trained network.
    pub fn nets_for_optimizer(&self, name: &str) -> Vec<Rc<Net>> {
        let folded = name.to_lowercase();
        let rest = ["optimizer", "optimiser", "optim", "opt"]
            .iter()
            .find_map(|p| folded.strip_prefix(p))
            .unwrap_or("")
            .trim_matches('_');
        let role = match rest.chars().next() {
            Some('g') => "generator",
            Some('d') => "discriminator",
            _ => return self.trained_nets(),
        };
        let domain = rest
            .chars()
            .last()
            .filter(|c| rest.len() >= 2 && matches!(c, 'a' | 'b' | 'x' | 'y'));
        let nets: Vec<Rc<Net>> = self
            .trained_nets()
            .into_iter()
            .filter(|n| self.role_of(n).as_deref() == Some(role))
            .collect();
        let Some(d) = domain else { return nets };
        let of_domain: Vec<Rc<Net>> = nets
            .iter()
            .filter(|n| {
                self.aliases.get(&n.id).into_iter().flatten().any(|a| {
                    let a = a.to_lowercase();
                    a.len() >= 2 && a.ends_with(d) && !a.ends_with("2")
                })
            })
            .cloned()
            .collect();
        if of_domain.is_empty() {
            nets
        } else {
            of_domain
        }
    }

    /// Every leaf the harness tracks gradients for: the networks' parameters that
    /// require one, and the loader's images when `input_grad` is on (each once).
    pub fn gradient_leaves(&self) -> Vec<Tensor> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let params: Vec<Tensor> = self.nets.iter().flat_map(|n| self.all_params(n)).collect();
        let images: Vec<&Tensor> = self.inputs.iter().flat_map(|(a, b)| [a, b]).collect();
        for t in params.iter().chain(images) {
            if t.requires_grad() && t.is_leaf() && seen.insert(t.data_ptr() as usize) {
                out.push(t.shallow_clone());
            }
        }
        out
    }

    /// Which of the loader's tracked images `t` is: 0 for the first domain's, 1 for the
    /// second's.
    pub fn input_side(&self, t: &Tensor) -> Option<usize> {
        let ptr = t.data_ptr();
        self.inputs.iter().find_map(|(a, b)| {
            if a.data_ptr() == ptr {
                Some(0)
            } else if b.data_ptr() == ptr {
                Some(1)
            } else {
                None
            }
        })
    }

    /// Σ|∂loss/∂image| over the loader's first images and over its second images.
    pub fn input_grads(&self) -> (f64, f64) {
        let sum = |t: &Tensor| {
            let g = t.grad();
            if g.defined() {
                Self::flat(&g).iter().map(|v| f64::from(v.abs())).sum()
            } else {
                0.0
            }
        };
        self.inputs
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + sum(x), b + sum(y)))
    }

    /// The net that owns a parameter (by storage), the innermost one.
    pub fn net_of_param(&self, t: &Tensor) -> Option<usize> {
        let ptr = t.data_ptr();
        self.nets
            .iter()
            .find(|n| n.params.borrow().iter().any(|p| p.data_ptr() == ptr))
            .map(|n| n.id)
    }

    pub fn random(&mut self, shape: &[i64], unit: bool) -> Tensor {
        let n = shape.iter().product::<i64>().max(0) as usize;
        let seed = splitmix(&mut self.rng);
        Tensor::from_slice(&values(seed, n, unit)).reshape(shape)
    }

    pub fn permutation(&mut self, n: i64) -> Tensor {
        let mut idx: Vec<i64> = (0..n).collect();
        for i in (1..idx.len()).rev() {
            let j = (splitmix(&mut self.rng) % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        Tensor::from_slice(&idx)
    }

    fn images(&self, seed: u64) -> Tensor {
        seeded(seed, &[BATCH, 3, 4, 4], 1.0)
    }

    /// The loader's two batches.
    /// How many batches a loader holds in this run.
    pub fn loader_len(&self) -> u32 {
        if self.knobs.long_loader {
            LONG_LOADER_BATCHES as u32
        } else {
            LOADER_BATCHES as u32
        }
    }

    pub fn batches(&mut self, name: &str) -> Vec<Value> {
        (0..u64::from(self.loader_len()))
            .map(|b| {
                let seed = seed_of(name) ^ (b + 1).wrapping_mul(0x9e37);
                if self.spec.batch == "pair" {
                    let first = self.images(seed).set_requires_grad(self.knobs.input_grad);
                    let second = self
                        .images(seed ^ 0xb)
                        .set_requires_grad(self.knobs.input_grad);
                    if self.knobs.input_grad {
                        self.inputs
                            .push((first.shallow_clone(), second.shallow_clone()));
                    }
                    let domain = |t: Tensor, d: u32| {
                        Value::Tensor(Tagged {
                            t,
                            views: d,
                            token: Token::None,
                            origin: 0,
                        })
                    };
                    // `loader_A`, `trainB`: a loader of one domain's images.
                    return Value::Batch(Rc::new(match loader_domain(name) {
                        Some('a') => vec![domain(first, super::properties::DOMAIN_A)],
                        Some(_) => vec![domain(second, super::properties::DOMAIN_B)],
                        None => vec![
                            domain(first, super::properties::DOMAIN_A),
                            domain(second, super::properties::DOMAIN_B),
                        ],
                    }));
                }
                // `for x1, x2 in loader`: a loader of two augmented views of each image;
                // `for x in loader` takes the first as the batch.
                let base = self.images(seed);
                let view = |k: u64| {
                    let k = if self.knobs.same_views {
                        0
                    } else if self.knobs.swap_views {
                        1 - k
                    } else {
                        k
                    };
                    let noise = seeded(seed ^ (0x77 + k), &[BATCH, 3, 4, 4], 0.5);
                    base.f_add(&noise).unwrap_or_else(|_| base.shallow_clone())
                };
                let tagged = |t: Tensor, bit: u32| {
                    Value::Tensor(Tagged {
                        t,
                        views: bit,
                        token: Token::None,
                        origin: 0,
                    })
                };
                let (first, second) = (view(0), view(1));
                // `for x, _ in loader` then `aug(x)`: an augmentation of a loader view
                // starts from the clean images, so which view the loader put first
                // (swapped or not) changes nothing but the views the answer makes.
                self.loader_views.push(LoaderView {
                    view: first.shallow_clone(),
                    base: base.shallow_clone(),
                    second: Some(second.shallow_clone()),
                });
                self.loader_views.push(LoaderView {
                    view: second.shallow_clone(),
                    base: base.shallow_clone(),
                    second: None,
                });
                // The images themselves come last: what the batch is when used whole.
                Value::Batch(Rc::new(vec![
                    tagged(first, 1),
                    tagged(second, 2),
                    Value::tensor(base.shallow_clone()),
                ]))
            })
            .collect()
    }

    /// A net's forward pass.
    pub fn forward(
        &mut self,
        n: &Rc<Net>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        line: u32,
    ) -> R<Value> {
        let lift =
            |r: Result<Tensor, tch::TchError>| r.or_else(|e| halt(line, super::interp::short(&e)));
        // The network itself, then the last layer the answer put on it.
        if let Some((attr, head)) = self.heads.remove(&n.id) {
            let own = self.forward(n, args, kwargs, line);
            self.heads.insert(n.id, (attr, head.clone()));
            return self.forward(&head, vec![own?], Vec::new(), line);
        }
        let Some(input) = args.first() else {
            return halt(line, format!("`{}` is called without an input", n.name));
        };
        let x = match input {
            Value::Tensor(t) => t.clone(),
            Value::Batch(items) => match super::interp::batch_images(items) {
                Some(Value::Tensor(t)) => t.clone(),
                _ => return halt(line, "this batch holds no tensor"),
            },
            // `ViT() + cabeza_proyeccion()`: a head put after a ViT projects each of its
            // outputs, the [CLS] token and the patch tokens, as iBOT's head does.
            Value::Tuple(items)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|i| matches!(i, Value::Tensor(t) if t.token != Token::None)) =>
            {
                let items = items.clone();
                let mut out = Vec::new();
                for i in items.iter() {
                    out.push(self.forward(n, vec![i.clone()], kwargs.clone(), line)?);
                }
                return Ok(Value::Tuple(Rc::new(out)));
            }
            other => {
                return halt(
                    line,
                    format!(
                        "`{}` is given a {}, not a tensor",
                        n.name,
                        other.type_name()
                    ),
                );
            }
        };
        // A mask given to a network (`patchify(m_u)`) is numbers to it.
        let x = if x.t.kind() == Kind::Bool {
            Tagged {
                t: lift(x.t.f_to_kind(Kind::Float))?,
                ..x
            }
        } else {
            x
        };
        let role = self.role_of(n);
        let origin = self.next_origin;
        self.next_origin += 1;
        self.origins.insert(origin, n.clone());
        // A generator's output is generated, and of the other domain than its input.
        let (generated, views) = if role.as_deref() == Some("generator") {
            use super::properties::{DOMAIN_A, DOMAIN_B};
            let domains = x.views & (DOMAIN_A | DOMAIN_B);
            let flipped = match domains {
                DOMAIN_A => DOMAIN_B,
                DOMAIN_B => DOMAIN_A,
                other => other,
            };
            (
                super::properties::GENERATED,
                (x.views & !(DOMAIN_A | DOMAIN_B)) | flipped,
            )
        } else {
            (0, x.views)
        };
        let tag = |t: Tensor, token: Token| {
            Value::Tensor(Tagged {
                t,
                views: views | generated,
                token,
                origin,
            })
        };
        if role.as_deref() == Some("predictor")
            && let Some(scale) = self.knobs.predictor_identity
        {
            return Ok(tag(lift(x.t.f_mul_scalar(scale))?, x.token));
        }
        if role.as_deref() == Some("generator") && self.knobs.identity_generators {
            return Ok(tag(x.t.shallow_clone(), x.token));
        }
        if role.as_deref() == Some("generator") && self.knobs.shifted_generators != 0.0 {
            let back = self.knobs.inverse_shift && x.views & super::properties::DOMAIN_B != 0;
            let c = if back {
                -self.knobs.shifted_generators
            } else {
                self.knobs.shifted_generators
            };
            return Ok(tag(lift(x.t.f_add_scalar(c))?, x.token));
        }
        if role.as_deref() == Some("generator") && self.knobs.bent_generators {
            let bent = lift(
                x.t.f_square()
                    .and_then(|q| q.f_mul_scalar(0.1))
                    .and_then(|q| q.f_add(&x.t)),
            )?;
            return Ok(tag(bent, x.token));
        }
        if role.as_deref() == Some("discriminator") && self.knobs.constant_discriminators {
            let batch = x.t.size().first().copied().unwrap_or(1);
            let half = lift(Tensor::f_full(
                [batch, 1],
                0.5,
                (Kind::Float, tch::Device::Cpu),
            ))?;
            return Ok(tag(half, x.token));
        }
        let input = if role.as_deref() == Some("predictor") && self.knobs.cut_predictor {
            lift(x.t.f_detach())?
        } else {
            x.t.shallow_clone()
        };
        // A chain of layers runs after the substitutions above, so a predictor or a
        // generator written as `nn.Sequential(...)` is replaced like a toy one.
        if let NetKind::Sequential(items) = &n.kind {
            let mut v = Value::Tensor(Tagged {
                t: input,
                ..x.clone()
            });
            for i in items {
                v = self.forward(i, vec![v], Vec::new(), line)?;
            }
            return Ok(v);
        }
        if let NetKind::Linear { seed } = &n.kind {
            // A layer sized for real images (`nn.Linear(2048, 512)`) is given toy
            // features: it is remade for the width it receives, like `nn.LazyLinear`.
            let batch = input.size().first().copied().unwrap_or(1);
            // Tokens (`[B, N, D]` patch tokens) are projected one by one, over their
            // last dimension.
            let width = if input.dim() <= 1 {
                input.numel() as i64
            } else if x.token != Token::None {
                input.size().last().copied().unwrap_or(1)
            } else {
                input.numel() as i64 / batch.max(1)
            };
            let made = n.params.borrow().first().map(|w| w.size());
            let declared = self.declared_linear.get(&n.id).map(|(o, i)| vec![*o, *i]);
            let unmade = made.is_none();
            if let Some(shape) = made.or(declared)
                && (unmade || shape.get(1) != Some(&width))
            {
                // Sizes the answer declares map to toy sizes consistently, so
                // `Linear(2048, 512)` then `Linear(512, 2048)` ends at the width that
                // entered the first: the predictor's output matches the encoder's.
                self.toy_sizes.insert(shape[1], width);
                let out = match self.toy_sizes.get(&shape[0]) {
                    Some(out) => *out,
                    None => shape[0].min(64),
                };
                self.toy_sizes.insert(shape[0], out);
                let scale = 1.0 / (width.max(1) as f64).sqrt();
                *n.params.borrow_mut() = vec![
                    seeded(*seed, &[out, width], scale).set_requires_grad(true),
                    seeded(seed ^ 1, &[out], scale).set_requires_grad(true),
                ];
            }
        }
        let vit_role = role
            .as_deref()
            .is_some_and(|r| self.spec.vit_roles.iter().any(|v| v == r));
        let is_vit = matches!(n.kind, NetKind::ToyVit { .. })
            || (vit_role && matches!(n.kind, NetKind::Toy { .. }) && !self.is_head(n));
        if let NetKind::Toy { seed, .. } = &n.kind
            && is_vit
            && n.params.borrow().is_empty()
        {
            // A network made before its role was known (`student = ViT()`) is a ViT
            // stand-in once a name gives it a ViT role.
            let width = role
                .as_deref()
                .and_then(|r| self.spec.widths.get(r).copied())
                .unwrap_or(self.spec.default_width);
            *n.params.borrow_mut() = self.initial_params(&NetKind::ToyVit { width, seed: *seed });
        }
        if let NetKind::Toy { out, seed } = &n.kind
            && !is_vit
            && n.params.borrow().is_empty()
        {
            let batch = input.size().first().copied().unwrap_or(1);
            let width = if input.dim() <= 1 {
                input.numel() as i64
            } else if x.token != Token::None {
                // Tokens are projected one by one, on their features.
                input.size().last().copied().unwrap_or(1)
            } else {
                input.numel() as i64 / batch.max(1)
            };
            // A network made before a name gave it its role (`self.netG_A = define_G(opt)`)
            // takes the role's width when it is first used.
            let out = role
                .as_deref()
                .and_then(|r| self.spec.widths.get(r).copied())
                .unwrap_or(*out);
            let out = if out == 0 { width } else { out };
            if width.saturating_mul(out) > 1 << 22 {
                return halt(
                    line,
                    format!(
                        "`{}` would need a {out}×{width} weight, over the element budget",
                        n.name
                    ),
                );
            }
            let scale = 1.0 / (width.max(1) as f64).sqrt();
            *n.params.borrow_mut() = vec![
                seeded(*seed, &[out, width], scale).set_requires_grad(true),
                seeded(seed ^ 1, &[out], scale).set_requires_grad(true),
            ];
        }
        // Weights made on first use, after `deactivate_requires_grad(teacher_head)`
        // froze the network, are frozen too.
        if *n.frozen.borrow() {
            for p in n.params.borrow().iter().filter(|p| p.requires_grad()) {
                let _ = p.set_requires_grad(false);
            }
        }
        let params = n.params.borrow();
        match &n.kind {
            NetKind::Toy { .. } | NetKind::Linear { .. } if !is_vit => {
                let batch = input.size().first().copied().unwrap_or(1);
                let flat = if input.dim() <= 1 {
                    lift(input.f_reshape([1, -1]))?
                } else if x.token != Token::None {
                    input.shallow_clone()
                } else {
                    lift(input.f_reshape([batch, -1]))?
                };
                let y = lift(flat.f_linear(&params[0], Some(&params[1])))?;
                let y = if role.as_deref() == Some("discriminator") {
                    // A probability that the image is real, from a logit the properties
                    // can shift for real or generated images.
                    let shifted = self.knobs.shift_only.is_none_or(|id| id == n.id);
                    let shift = if !shifted {
                        0.0
                    } else if x.views & super::properties::GENERATED != 0 {
                        self.knobs.fake_score_shift
                    } else {
                        self.knobs.real_score_shift
                    };
                    lift(y.f_add_scalar(shift).and_then(|l| l.f_sigmoid()))?
                } else if matches!(n.kind, NetKind::Toy { .. }) {
                    lift(y.f_tanh())?
                } else {
                    y
                };
                // A generator maps images to images: keep the input's shape.
                let y = if role.as_deref() == Some("generator") && y.numel() == input.numel() {
                    lift(y.f_reshape(input.size()))?
                } else {
                    y
                };
                Ok(tag(y, x.token))
            }
            NetKind::ToyVit { .. } | NetKind::Toy { .. } => {
                let batch = input.size().first().copied().unwrap_or(1);
                let patches = self.patches_of(&input, batch, line)?;
                let mask = match args.get(1).or_else(|| {
                    kwargs
                        .iter()
                        .find(|(k, _)| crate::analysis::facts::says_mask(k))
                        .map(|(_, v)| v)
                }) {
                    Some(Value::Tensor(m)) => Some(m.t.shallow_clone()),
                    Some(Value::Batch(items)) => match items.get(1) {
                        Some(Value::Tensor(m)) => Some(m.t.shallow_clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let patches = match mask {
                    // A mask over the answer's own grid of patches (`MaskGenerator(grid=14)`)
                    // has no position for each of the toy ViT's few tokens.
                    // The toy ViT learns its size from the first run, which stops here
                    // to start again with that many tokens.
                    Some(m) if m.numel() as i64 != batch * self.patches => {
                        let per_image = m.numel() as i64 / batch.max(1);
                        let fits = batch > 0 && m.numel() as i64 % batch == 0;
                        if fits && self.patches == PATCHES && (1..=MAX_PATCHES).contains(&per_image)
                        {
                            self.wanted_patches = Some(per_image);
                        }
                        let tokens = self.patches;
                        return halt(
                            line,
                            format!(
                                "the mask has {per_image} positions per image where the toy ViT has {tokens} patch tokens: a mask over a grid of more than {MAX_PATCHES} patches, or of another size in each call, is outside what --exec runs"
                            ),
                        );
                    }
                    Some(m) => {
                        let keep = lift(m.f_to_kind(Kind::Float))?;
                        let keep = lift(keep.f_neg())?.f_add_scalar(1.0);
                        let keep = lift(keep)?.f_reshape([batch, self.patches, 1]);
                        lift(patches.f_mul(&lift(keep)?))?
                    }
                    None => patches,
                };
                let tokens = lift(lift(patches.f_linear(&params[0], None::<&Tensor>))?.f_tanh())?;
                let pooled = lift(tokens.f_mean_dim([1i64].as_slice(), false, Kind::Float))?;
                let cls = lift(lift(pooled.f_linear(&params[1], Some(&params[2])))?.f_tanh())?;
                Ok(Value::Tuple(Rc::new(vec![
                    tag(cls, Token::Cls),
                    tag(tokens, Token::Patch),
                ])))
            }
            NetKind::Activation(a) => {
                let y = match a.as_str() {
                    "ReLU" => lift(input.f_relu())?,
                    "Tanh" => lift(input.f_tanh())?,
                    "Sigmoid" => lift(input.f_sigmoid())?,
                    "GELU" => lift(input.f_gelu("none"))?,
                    "Flatten" => lift(input.f_flatten(1, -1))?,
                    _ => input,
                };
                Ok(tag(y, x.token))
            }
            _ => halt(line, format!("`{}` cannot be called here", n.name)),
        }
    }

    /// Whether the rubric names `name` as a masker or a mask (`m_u`, `mask*`).
    pub fn is_mask_name(&self, name: &str) -> bool {
        self.roles.matches("mask", name)
    }

    /// Remembers that the rows of `t` hold these views, block after block.
    pub fn note_layout(&mut self, t: &Tensor, views: Vec<u32>) {
        if self.layouts.len() < MAX_LAYOUTS && views.len() >= 2 {
            self.layouts.push((t.shallow_clone(), views));
        }
    }

    /// The views that the rows of `t` hold, block after block, if `t` was made by
    /// joining views or by a network given such a join.
    pub fn layout_of(&self, t: &Tensor) -> Option<Vec<u32>> {
        let ptr = t.data_ptr();
        let rows = t.size().first().copied();
        self.layouts
            .iter()
            .find(|(k, _)| k.data_ptr() == ptr && k.size().first().copied() == rows)
            .map(|(_, v)| v.clone())
    }

    /// Whether the rubric names maskers: its answers do masked modelling.
    pub fn has_masker(&self) -> bool {
        self.roles.has("mask")
    }

    /// Whether a probe replaces this network's output (the predictor as the identity,
    /// identity or bent generators, constant discriminators): then even a network the
    /// answer defines as a class runs as [`forward`](Self::forward) replaces it.
    pub fn substitutes(&self, n: &Net) -> bool {
        match self.role_of(n).as_deref() {
            Some("predictor") => self.knobs.predictor_identity.is_some(),
            Some("generator") => {
                self.knobs.identity_generators
                    || self.knobs.bent_generators
                    || self.knobs.shifted_generators != 0.0
            }
            Some("discriminator") => self.knobs.constant_discriminators,
            _ => false,
        }
    }

    /// What a string key of a loader's batch reads: `"A"`, `"image"` and `"view1"` the
    /// first item, `"B"`, `"label"` and `"view2"` the second (`"view0"` and `"view1"` when
    /// the answer counts from zero), `"global_crops"` both views, `"masks"` a mask per
    /// view.
    pub fn batch_key(&mut self, key: &str) -> BatchKey {
        let lower = key.to_lowercase();
        let words = crate::analysis::facts::tokens(&lower);
        let last = words.last().map(String::as_str).unwrap_or("");
        let digit = lower.chars().last().filter(char::is_ascii_digit);
        if digit == Some('0') {
            self.zero_based_batch_keys = true;
        }
        let numbered = |d: char| match d {
            '0' => BatchKey::Item(0),
            '1' if self.zero_based_batch_keys => BatchKey::Item(1),
            '1' => BatchKey::Item(0),
            _ => BatchKey::Item(1),
        };
        if lower.contains("mask") {
            return BatchKey::Masks(if digit.is_some() || !lower.ends_with('s') {
                1
            } else {
                2
            });
        }
        match (last, digit) {
            ("a" | "x" | "u" | "image" | "images" | "img" | "imgs", _) => BatchKey::Item(0),
            ("b" | "y" | "v" | "label" | "labels" | "target" | "targets", _) => BatchKey::Item(1),
            (_, Some(d))
                if lower.contains("view") || lower.contains("crop") || lower.starts_with('x') =>
            {
                numbered(d)
            }
            _ if ["views", "crops", "global_crops", "augmented"].contains(&last)
                || lower.ends_with("views")
                || lower.ends_with("crops") =>
            {
                BatchKey::Views
            }
            _ => BatchKey::Unknown,
        }
    }

    /// Calls a harness stand-in (augmentation, masker, undefined loss or network).
    pub fn call_stand(&mut self, role: &str, name: &str, args: Vec<Value>, line: u32) -> R<Value> {
        match role {
            "augmentation" => {
                // `VisionTransformer(...)` reads like `transform*` but is given no image:
                // it makes a network.
                let Some(first) = args
                    .first()
                    .filter(|a| matches!(a, Value::Tensor(_) | Value::Batch(_)))
                else {
                    let net = self.unknown_net(name);
                    return Ok(Value::Net(self.construct(&net)));
                };
                let x = match first {
                    Value::Tensor(t) => t.t.shallow_clone(),
                    Value::Batch(items) => match super::interp::batch_images(items) {
                        Some(Value::Tensor(t)) => t.t.shallow_clone(),
                        _ => return halt(line, "this batch holds no tensor"),
                    },
                    other => {
                        return halt(line, format!("`{name}` is given a {}", other.type_name()));
                    }
                };
                let x = self.loader_view(&x).map_or(x, |v| v.base.shallow_clone());
                let call = self.view_calls;
                self.view_calls += 1;
                let mut data_index = u64::from(call);
                if self.knobs.swap_views && call < 2 {
                    data_index = 1 - data_index;
                }
                if self.knobs.same_views {
                    data_index = 0;
                }
                let noise = self.view_noise(data_index, 0xa5, &x.size());
                let y = x
                    .f_add(&noise)
                    .or_else(|e| halt(line, super::interp::short(&e)))?;
                Ok(Value::Tensor(Tagged {
                    t: y,
                    views: 1 << call.min(29),
                    token: Token::None,
                    origin: 0,
                }))
            }
            "mask" => {
                let call = self.mask_calls;
                self.mask_calls += 1;
                let mut index = u64::from(call);
                if self.knobs.swap_views && call < 2 {
                    index = 1 - index;
                }
                // `make_mask(2 * x.size(0))`: a mask for the images of both views joined
                // into one batch, asked for by their number. Otherwise one per image of a
                // batch.
                let joined_rows = match args.first() {
                    Some(Value::Int(n)) if *n > BATCH && n % BATCH == 0 && n / BATCH <= 8 => {
                        Some(*n)
                    }
                    _ => None,
                };
                let rows = joined_rows.unwrap_or(BATCH);
                // Half the patches of every image, a different half per view.
                let mut v = Vec::new();
                for b in 0..rows {
                    let view = index as i64 + b / BATCH;
                    for p in 0..self.patches {
                        v.push((p + b % BATCH + view) % 2 == 0);
                    }
                }
                let mask = Tensor::from_slice(&v).reshape([rows, self.patches]);
                if joined_rows.is_some() {
                    return Ok(Value::tensor(mask));
                }
                // Given no image: read as a value (`u ⊙ (1 − M_u)`), just the mask; given
                // a shape (lightly's `random_token_mask((B, N))` returns the kept and the
                // masked tokens), the mask also as the second of a pair.
                let mask_only = || {
                    let m = Value::tensor(mask.shallow_clone());
                    if args.is_empty() {
                        m
                    } else {
                        Value::Batch(Rc::new(vec![m.clone(), m]))
                    }
                };
                let masked_input = match args.first() {
                    Some(Value::Tensor(t)) => t.clone(),
                    Some(Value::Batch(items)) => match super::interp::batch_images(items) {
                        Some(Value::Tensor(t)) => t.clone(),
                        _ => return Ok(mask_only()),
                    },
                    _ => return Ok(mask_only()),
                };
                // `û = mask(u)`: the masked image, masked patches zeroed.
                let masked = Value::Tensor(self.masked_image(&masked_input, &mask, line)?);
                // `û = mask(u)` is the masked image; `û, m = mask(u)` also gives the mask,
                // and passing `û` as a network's `mask=` reads the mask from it.
                let mask = Value::Tensor(Tagged {
                    t: mask,
                    views: masked_input.views | super::properties::MASKED,
                    token: Token::None,
                    origin: 0,
                });
                let original = Value::Tensor(masked_input);
                Ok(Value::Batch(Rc::new(vec![
                    masked.clone(),
                    mask,
                    masked,
                    original,
                ])))
            }
            _ => halt(line, format!("`{name}` cannot be called here")),
        }
    }

    /// `image` with the patches `mask` (`[batch, patches]`, true where masked) zeroed,
    /// marked as masked.
    pub fn masked_image(&self, image: &Tagged, mask: &Tensor, line: u32) -> R<Tagged> {
        let patches = tch::no_grad(|| mask.to_kind(tch::Kind::Float))
            .f_reshape([BATCH, self.patches, 1])
            .and_then(|m| {
                image
                    .t
                    .f_reshape([BATCH, self.patches, -1])?
                    .f_mul(&(1.0 - m))
            })
            .and_then(|p| p.f_reshape(image.t.size()))
            .or_else(|e| halt(line, super::interp::short(&e)))?;
        Ok(Tagged {
            t: patches,
            views: image.views | super::properties::MASKED,
            ..image.clone()
        })
    }

    /// A mask of the harness's shape, `[batch, patches]` of booleans.
    pub fn is_patch_mask(&self, t: &Tensor) -> bool {
        t.kind() == tch::Kind::Bool && t.size() == [BATCH, self.patches]
    }

    /// An undefined name used as a number: temperatures are small, momenta and
    /// weights near one, anything else one.
    pub fn as_number(&self, v: Value) -> Value {
        let Value::Stand(role, name) = &v else {
            return v;
        };
        if role.as_ref() != "unknown" {
            return v;
        }
        let folded = crate::analysis::facts::fold(name);
        if let Some(x) = self.spec.numbers.get(name.as_ref()) {
            return Value::Float(*x);
        }
        // Labels the answer never builds: `ones`, `valid`, `real_labels`, `unos` are
        // ones; `zeros`, `fake_labels`, `ceros`, `falsas` zeros.
        if folded.contains("zero")
            || folded.contains("cero")
            || folded.starts_with("fake")
            || folded.starts_with("fals")
        {
            return Value::Float(0.0);
        }
        // `batch_size`, `bs`: the loader's batch.
        if folded.starts_with("batch") || folded == "bs" {
            return Value::Int(BATCH);
        }
        // `hp.dim`, `cfg["out_dim"]`, `embed_dim`: a width of features is the toy
        // networks' width, as an undefined size in `torch.zeros(1, K)` is.
        if folded == "dim" || folded.ends_with("_dim") || folded.ends_with("dimension") {
            return Value::Int(self.spec.default_width);
        }
        // `base_tau`, `final_tau`, `cur_tau` (BYOL's and solo-learn's): the moving
        // average's momentum, not a temperature.
        let momentum_tau = ["base_tau", "final_tau", "cur_tau", "tau_base", "ema_tau"]
            .iter()
            .any(|m| folded.contains(m));
        if !momentum_tau
            && (folded.starts_with("tau") || folded.starts_with("temp") || folded.starts_with('τ'))
        {
            Value::Float(0.1)
        } else if momentum_tau
            || folded.starts_with("mom")
            || matches!(folded.as_str(), "m" | "l" | "λ")
            || folded.starts_with("lambda")
        {
            Value::Float(0.9)
        } else {
            Value::Float(1.0)
        }
    }

    /// `Backbone()`, `ViT()`: an undefined network class called without an input makes
    /// a new toy network of the same kind, seeded by the name and the count of instances.
    pub fn construct(&mut self, n: &Rc<Net>) -> Rc<Net> {
        let count = self.nets.iter().filter(|m| m.name == n.name).count() as u64;
        let kind = match &n.kind {
            NetKind::Toy { out, seed } => NetKind::Toy {
                out: *out,
                seed: seed ^ count,
            },
            NetKind::ToyVit { width, seed } => NetKind::ToyVit {
                width: *width,
                seed: seed ^ count,
            },
            _ => return n.clone(),
        };
        self.register(&n.name, n.role.clone(), kind)
    }

    /// `model.encoder` of a toy network: a toy part of it, the same one on every use.
    pub fn part(&mut self, parent: &Rc<Net>, attr: &str) -> Rc<Net> {
        let key = format!("{}#{}.{attr}", parent.id, parent.name);
        if let Some(n) = self.stand_nets.get(&key) {
            return n.clone();
        }
        let role = self.role_of_name(attr);
        let kind = self.toy_kind(&key, role.as_deref());
        let net = self.register(attr, role, kind);
        self.stand_nets.insert(key, net.clone());
        self.parts.entry(parent.id).or_default().push(net.clone());
        net
    }

    /// The net an unknown callable stands for (a toy module seeded by its name).
    pub fn unknown_net(&mut self, name: &str) -> Rc<Net> {
        // `F` in CycleGAN's notation shadows torch.nn.functional but is a generator.
        let role = self.role_of_name(name);
        self.stand_net(name, role)
    }
}

/// A Greek letter, as math notation writes parameters (θ, φ, ξ).
fn is_greek(c: char) -> bool {
    ('\u{3b1}'..='\u{3c9}').contains(&c) || ('\u{391}'..='\u{3a9}').contains(&c)
}

/// The domain, `a` or `b`, of a loader named for one (`loader_A`, `dataloader_b`,
/// `trainA`); `None` for a loader of unpaired pairs.
fn loader_domain(name: &str) -> Option<char> {
    let tokens = crate::analysis::facts::tokens(name);
    let domains: Vec<char> = tokens
        .iter()
        .filter_map(|t| match t.as_str() {
            "a" => Some('a'),
            "b" => Some('b'),
            _ => None,
        })
        .collect();
    let names_data = tokens.iter().any(|t| {
        ["load", "data", "train", "set", "domain", "dl"]
            .iter()
            .any(|w| t.contains(w))
    });
    match domains.as_slice() {
        [d] if names_data => Some(*d),
        _ => None,
    }
}
