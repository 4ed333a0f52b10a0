//! Questions asked of the value graph: where gradient flows, how a loss decomposes into
//! weighted terms, which view and which networks a tensor comes from, what a target
//! label means, and how a parameter update combines networks.

use super::graph::*;
use super::{Analysis, ModuleInfo};
use crate::ir::BinOp;
use std::collections::{BTreeMap, BTreeSet};

// ---- names and roles ----

/// Lowercase, accents and combining marks removed.
pub fn fold(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let base = match c {
            'á' | 'à' | 'â' | 'ä' | 'Á' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'Ó' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            '\u{300}'..='\u{36f}' => continue,
            other => other,
        };
        out.extend(base.to_lowercase());
    }
    out
}

/// The one name of `bound` that `name` spells but for letter case inside words
/// (`fake_B` for an undefined `Fake_B`). Transcriptions of handwriting slip on case more
/// than on anything else, and a lenient grader reads such a name as the variable the
/// answer did define. A one-letter part must keep its case, because there case is
/// meaning: `l_cls` (a weight) is not `L_cls` (a loss), nor `D_A` (a network) `d_a`.
/// A name the answer calls (`D_A(a)`) is a network or a helper, which no variable spelt
/// in another case stands for (`d_a` is that discriminator's loss). `None` when no bound
/// name or more than one matches, so nothing is guessed.
pub fn case_slip<'a>(
    name: &str,
    bound: impl IntoIterator<Item = &'a String>,
    called: &std::collections::HashSet<String>,
) -> Option<&'a String> {
    if called.contains(name) {
        return None;
    }
    let same_but_case = |b: &str| {
        let (ours, theirs): (Vec<&str>, Vec<&str>) =
            (name.split('_').collect(), b.split('_').collect());
        b != name
            && ours.len() == theirs.len()
            && ours.iter().zip(&theirs).all(|(o, t)| {
                o.to_lowercase() == t.to_lowercase() && (o.chars().count() > 1 || o == t)
            })
    };
    let mut found = bound.into_iter().filter(|b| same_but_case(b));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// Whether two names differ only in underscores (`GBA` and `G_BA`): a transcription that
/// drops one names the same thing, in both graders.
pub fn same_but_underscores(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| *c != '_')
        .eq(b.chars().filter(|c| *c != '_'))
}

/// Whether an undefined function's name says it builds a network from options
/// (`define_G(opt)`, `build_neck(cfg)`, `build_model(args)`, as the CycleGAN, DINO and
/// OpenMMLab repositories write it). Given no tensor, both graders read its call as a
/// network.
pub fn is_builder_name(name: &str) -> bool {
    let lower = name.rsplit('.').next().unwrap_or(name).to_lowercase();
    [
        "define",
        "build",
        "create",
        "construct",
        "make_model",
        "make_net",
        "get_model",
        "get_net",
        "init_net",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// Whether an undefined EMA helper is lightly's `update_momentum(model, model_ema, m)`,
/// whose documented signature moves the second argument towards the first. Other
/// helpers' argument order is unknown, and the graders trust their names.
pub fn moves_second_argument(helper: &str) -> bool {
    helper.rsplit('.').next() == Some("update_momentum")
}

/// Whether an undefined name is a data loader (`loader`, `train_dl`, `dataset`,
/// `dataloader_A`, `ImageDataset`, Lightning's `UnpairedDataModule`), in both graders.
/// A name that says `loader` outright (`masked_loader`, `build_unaligned_loader`,
/// `CycleGANDataModule`): a loader, or what gives one, whatever else its words say.
pub fn says_loader(name: &str) -> bool {
    let folded = fold(name);
    folded.contains("loader") || folded.contains("datamodule")
}

/// Whether a name says it holds one item per view: crops or views (`views`,
/// `global_crops`, `globals_`, Spanish `vistas`, French `vues`), or their masks
/// (`masks`): a list to iterate view by view.
pub fn names_views(name: &str) -> bool {
    !says_loader(name)
        && tokens(name).iter().any(|t| {
            matches!(
                t.as_str(),
                "views"
                    | "crops"
                    | "globals"
                    | "locals"
                    | "vistas"
                    | "recortes"
                    | "vues"
                    | "masks"
                    | "mascaras"
                    | "masques"
            )
        })
}

pub fn names_a_loader(name: &str) -> bool {
    let folded = fold(name);
    says_loader(name)
        || folded.ends_with("dataset")
        || folded.starts_with("data")
        || folded.ends_with("_dl")
        || folded == "dl"
}

/// Whether a function gives back the network it is handed, wrapped for speed or for
/// several devices (`torch.compile(model)`, `nn.DataParallel(model)`, `DDP(model)`):
/// both graders read its call as that network.
pub fn wraps_a_network(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    matches!(
        last,
        "DataParallel" | "DistributedDataParallel" | "DDP" | "convert_sync_batchnorm"
    ) || (last == "compile" && path.starts_with("torch"))
        || (last == "script" && path.contains("jit"))
}

/// Whether a library class keeps a moving average of the network it is given, updated
/// by a method (`update_parameters(model)`, `update(model)`): torch's `AveragedModel`,
/// torchvision's `ExponentialMovingAverage` built on it, timm's `ModelEma*` and
/// ema-pytorch's `EMA`. Both graders read it as a copy of the network that follows it.
pub fn averages_a_network(class: &str) -> bool {
    matches!(
        class,
        "AveragedModel"
            | "ExponentialMovingAverage"
            | "ModelEma"
            | "ModelEmaV2"
            | "ModelEmaV3"
            | "EMA"
    )
}

/// The methods of such a class that average the network's weights in.
pub const AVERAGING_METHODS: &[&str] = &["update_parameters", "update"];

/// Methods of a network the answer never defines that run its forward pass on the
/// images (`backbone.encode(x, mask=m)` in lightly, `forward_features(x)` in timm).
pub const FORWARD_METHODS: &[&str] = &[
    "encode",
    "forward_features",
    "extract_feat",
    "extract_features",
];

/// Keywords that pass a network its images when no positional argument does
/// (`backbone.encode(images=x)`).
pub const INPUT_KEYWORDS: &[&str] = &[
    "x",
    "images",
    "image",
    "imgs",
    "img",
    "input",
    "inputs",
    "pixel_values",
];

/// A call's input moved to the front when only a keyword passes it: `f(images=x)` is
/// `f(x)`.
pub fn input_first<V>(args: &mut Vec<V>, kwargs: &mut Vec<(String, V)>) {
    if args.is_empty()
        && let Some(k) = kwargs
            .iter()
            .position(|(k, _)| INPUT_KEYWORDS.contains(&k.as_str()))
    {
        args.push(kwargs.remove(k).1);
    }
}

/// Whether such a class's first update copies the network instead of averaging it in:
/// torch's `AveragedModel` and torchvision's `ExponentialMovingAverage` built on it.
pub fn averaging_copies_first(class: &str) -> bool {
    matches!(class, "AveragedModel" | "ExponentialMovingAverage")
}

/// The keywords such a class takes its decay by, and the decay it has when given none
/// (`None` for `AveragedModel`, whose plain average weighs every step equally).
pub fn averaging_decay_keywords(class: &str) -> (&'static [&'static str], Option<f64>) {
    match class {
        "AveragedModel" => (&["avg_fn", "multi_avg_fn"], None),
        "EMA" => (&["beta", "decay"], Some(0.9999)),
        _ => (&["decay", "momentum"], Some(0.9999)),
    }
}

/// Whether a name is spelt as a class (`Backbone`, `iBOTHead`, `resNet`): it starts
/// with a capital, or is camel case, with no underscore.
pub fn looks_like_class(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_uppercase()
        || (!name.contains('_')
            && name.chars().any(char::is_uppercase)
            && name.chars().any(char::is_lowercase))
}

/// Whether an undefined dotted name is a setting of a run (`args.out_dim`,
/// `opt.lambda_A`, `cfg.model.dim`): a number or a string, never data.
pub fn is_setting(name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(root, _)| is_settings_root(root))
}

/// Whether a name holds a run's settings (`args`, `opt`, `cfg`, `hparams`).
pub fn is_settings_root(name: &str) -> bool {
    const ROOTS: &[&str] = &[
        "args", "opt", "opts", "cfg", "config", "conf", "hparams", "hp", "flags", "settings",
    ];
    ROOTS.contains(&name.to_lowercase().as_str())
}

/// Modules whose loaders give a run's settings (`OmegaConf.load`, `yaml.safe_load`).
pub const SETTINGS_MODULES: &[&str] = &["omegaconf", "yaml", "json", "toml", "tomllib", "hydra"];

/// Whether a call loads a run's settings from a file or builds them
/// (`OmegaConf.load("cfg.yaml")`, `yaml.safe_load(f)`, `hydra.compose(...)`,
/// `load_config(path)`): its result holds the undefined settings, as `args` does.
pub fn loads_settings(dotted: &str) -> bool {
    let folded = fold(dotted);
    let (root, method) = folded.rsplit_once('.').unwrap_or(("", folded.as_str()));
    let root = root.rsplit('.').next().unwrap_or(root);
    let loader_module = SETTINGS_MODULES.contains(&root);
    let loader_method = [
        "load",
        "safe_load",
        "loads",
        "create",
        "merge",
        "structured",
        "compose",
        "from_cli",
        "from_dotlist",
    ]
    .contains(&method);
    // `cfg = parse_args()`, `get_args()`: a helper of the answer's script that parses
    // its command line.
    let parses_arguments = root.is_empty() && matches!(method, "parse_args" | "get_args");
    (loader_module && loader_method)
        || parses_arguments
        || (root.is_empty()
            && ["load", "get", "parse", "read", "build"]
                .iter()
                .any(|verb| {
                    method.starts_with(verb)
                        && (method.ends_with("config") || method.ends_with("cfg"))
                }))
}

/// The words of a line of prose or code that could be names (`f_t`, `G_AB`), in order.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Whether a prose line says that something is updated or stepped
/// (`update encoder and projection`, `paso de AdamW sobre θ_s`, `θ ← θ − η∇L`).
pub fn says_update(text: &str) -> bool {
    let t = fold(text);
    ["update", "actualiz", "step", "optimi", "paso", "∇"]
        .iter()
        .any(|w| t.contains(w))
}

/// Whether a line of prose says to freeze a network (`congelar f_t (requires_grad =
/// False)`, `freeze the teacher`): both graders freeze the networks it names.
pub fn prose_freezes(text: &str) -> bool {
    let t = fold(text).replace(' ', "");
    [
        "congel",
        "freeze",
        "frozen",
        "requires_grad=false",
        "requires_grad_(false)",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// What `tf.GradientTape()` is, in both graders: a recorder whose
/// `gradient(loss, variables)` is the backward pass.
pub const GRADIENT_TAPE: &str = "tensorflow.tape";

/// What `argparse.ArgumentParser(...)` is, in both graders: a command line whose
/// `parse_args()` gives the run's undefined settings (`args.lr`).
pub const ARGUMENT_PARSER: &str = "argparse.parser";

/// The method a path names after `prefix` and a dot (`tensorflow.tape.gradient` →
/// `gradient`).
pub fn method_of<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix)?.strip_prefix('.')
}

/// TensorFlow's in-place updates of a variable (`t.assign(m * t + (1 - m) * s)`) as
/// torch's, in both graders.
pub fn torch_in_place(method: &str) -> Option<&'static str> {
    match method {
        "assign" => Some("copy_"),
        "assign_add" => Some("add_"),
        "assign_sub" => Some("sub_"),
        _ => None,
    }
}

/// Pseudocode's names for a deep copy of a network (`copiar(f_s)`, `copy(s_net)`).
pub const COPY_FUNCTIONS: &[&str] = &["copy", "copia", "copiar"];

/// The name both graders give an architecture picked by name at run time
/// (`models.__dict__[args.arch]`).
pub const ARCHITECTURE: &str = "architecture";

/// `head`, `student_head`, `backbone`, `proj_mlp`: a name whose last word names a part
/// of a network, which a class given it builds a network from (`ViTWithHead(vit, head)`).
pub fn names_a_network_part(name: &str) -> bool {
    // English, Spanish and French: `Encoder(resnet50(), proyector)`.
    const PARTS: &[&str] = &[
        "head",
        "backbone",
        "encoder",
        "projector",
        "projection",
        "predictor",
        "mlp",
        "proyector",
        "proyeccion",
        "cabeza",
        "codificador",
        "projecteur",
        "predicteur",
        "encodeur",
        "tete",
        "neck",
        "trunk",
    ];
    let last = fold(name.rsplit('_').next().unwrap_or(name)).to_lowercase();
    PARTS.contains(&last.as_str())
}

/// Whether a name is a model architecture's constructor (`resnet50`, `models.vit_small`),
/// which an answer may pass uncalled where a network is meant (`encoder(resnet50)`).
pub fn is_architecture_name(name: &str) -> bool {
    const ARCHITECTURES: &[&str] = &[
        "resnet",
        "resnext",
        "wide_resnet",
        "vit",
        "deit",
        "swin",
        "convnext",
        "efficientnet",
        "densenet",
        "vgg",
        "alexnet",
        "mobilenet",
        "regnet",
        "unet",
    ];
    let last = fold(name.rsplit('.').next().unwrap_or(name));
    last == ARCHITECTURE
        || ARCHITECTURES.iter().any(|a| {
            last.strip_prefix(a).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit() || c == '_')
            })
        })
}

/// Whether an undefined name is a transcription's slip of `torch` (`forch.no_grad()`,
/// `toch.cat(...)`): one letter off, in a name of the same length.
pub fn is_torch_slip(name: &str) -> bool {
    name != "torch" && name.len() == 5 && strsim::levenshtein(name, "torch") == 1
}

/// Words of a name: split at `_`, `.`, digits and lowercase→uppercase steps.
pub fn tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        let split = !c.is_alphabetic() || (c.is_uppercase() && prev_lower);
        if split && !cur.is_empty() {
            out.push(fold(&cur));
            cur.clear();
        }
        if c.is_alphabetic() {
            cur.push(c);
        }
        prev_lower = c.is_lowercase();
    }
    if !cur.is_empty() {
        out.push(fold(&cur));
    }
    out
}

/// The rubric's name patterns per role (`encoder`, `predictor`, `teacher`, ...),
/// compiled once, with the verdict for each (role, name) remembered: the same names are
/// asked about many times per answer and across answers.
#[derive(Debug, Default)]
pub struct Roles {
    pub patterns: BTreeMap<String, Vec<String>>,
    compiled: BTreeMap<String, Vec<Pattern>>,
    memo: std::sync::Mutex<std::collections::HashMap<(String, String, bool), bool>>,
}

/// One name pattern: its folded form without underscores, and whether it is a prefix.
#[derive(Debug)]
struct Pattern {
    bare: String,
    prefix: bool,
}

/// A copy compiles the patterns anew and starts with an empty memo.
impl Clone for Roles {
    fn clone(&self) -> Roles {
        Roles::new(self.patterns.clone())
    }
}

impl Roles {
    pub fn new(patterns: BTreeMap<String, Vec<String>>) -> Roles {
        let compiled = patterns
            .iter()
            .map(|(role, pats)| {
                let ps = pats
                    .iter()
                    .map(|p| {
                        let f = fold(p).replace('_', "");
                        match f.strip_suffix('*') {
                            Some(prefix) => Pattern {
                                bare: prefix.to_string(),
                                prefix: true,
                            },
                            None => Pattern {
                                bare: f,
                                prefix: false,
                            },
                        }
                    })
                    .collect();
                (role.clone(), ps)
            })
            .collect();
        Roles {
            patterns,
            compiled,
            memo: Default::default(),
        }
    }

    fn memoized(
        &self,
        role: &str,
        name: &str,
        fuzzy: bool,
        compute: impl FnOnce() -> bool,
    ) -> bool {
        let key = (role.to_string(), name.to_string(), fuzzy);
        if let Some(v) = self.memo.lock().ok().and_then(|m| m.get(&key).copied()) {
            return v;
        }
        let v = compute();
        if let Ok(mut m) = self.memo.lock() {
            m.insert(key, v);
        }
        v
    }

    /// Whether the rubric gives `role` any pattern at all.
    pub fn has(&self, role: &str) -> bool {
        self.compiled.contains_key(role)
    }

    /// Whether `name` matches one of `role`'s patterns: whole-name equality (underscores
    /// and accents aside), a whole word of the name for patterns of three letters or
    /// more, or a prefix for patterns ending in `*`.
    pub fn matches(&self, role: &str, name: &str) -> bool {
        let Some(pats) = self.compiled.get(role) else {
            return false;
        };
        self.memoized(role, name, false, || {
            let folded = fold(name).replace('_', "");
            let last = fold(name.rsplit('.').next().unwrap_or(name)).replace('_', "");
            let toks = tokens(name);
            pats.iter().any(|p| {
                if p.prefix {
                    folded.starts_with(&p.bare)
                        || last.starts_with(&p.bare)
                        || toks.iter().any(|t| t.starts_with(&p.bare))
                } else {
                    folded == p.bare
                        || last == p.bare
                        || (p.bare.len() >= 3 && toks.iter().any(|t| *t == p.bare))
                }
            })
        })
    }

    /// Like [`matches`](Self::matches), but also accepts a one-letter slip in a name of
    /// three letters or more (`GAR` for `G_AB`), for names the answer never defines. The
    /// first letter must agree: handwriting slips inside a name, and `s_net` / `t_net`
    /// differ in what they mean.
    pub fn matches_fuzzy(&self, role: &str, name: &str) -> bool {
        if self.matches(role, name) {
            return true;
        }
        let Some(pats) = self.compiled.get(role) else {
            return false;
        };
        self.memoized(role, name, true, || {
            let folded = fold(name).replace('_', "");
            folded.chars().count() >= 3
                && pats.iter().any(|p| {
                    p.bare.chars().count() >= 3
                        && p.bare.chars().next() == folded.chars().next()
                        && strsim::damerau_levenshtein(&folded, &p.bare) <= 1
                })
        })
    }

    /// Whether a module plays `role`. A slip is forgiven only for an undefined name
    /// that matches no role exactly: `s_net` is the student, not a misspelled `t_net`.
    pub fn module_is(&self, a: &Analysis, m: ModId, role: &str) -> bool {
        let names = a.module_names(m);
        if names.iter().any(|n| self.matches(role, n)) {
            return true;
        }
        let exact_elsewhere = self
            .patterns
            .keys()
            .any(|r| names.iter().any(|n| self.matches(r, n)));
        a.modules[m].implicit
            && !exact_elsewhere
            && names.iter().any(|n| self.matches_fuzzy(role, n))
    }

    pub fn all_names(&self) -> impl Iterator<Item = &String> {
        self.patterns.values().flatten()
    }
}

/// The roles that name networks (as opposed to tensors, maskers or losses).
pub const NETWORK_ROLES: &[&str] = &[
    "encoder",
    "predictor",
    "projector",
    "student",
    "teacher",
    "generator",
    "discriminator",
    "network",
];

/// Whether a name is a mask: it says so (`mask_u`, `mascara`), or is math's `m_u`, `m_v`,
/// `m1` for the mask of a view.
pub fn is_mask_symbol(name: &str) -> bool {
    let f = fold(name);
    says_mask(name)
        || matches!(
            f.as_str(),
            "m_u" | "m_v" | "mu" | "mv" | "m_1" | "m_2" | "m1" | "m2" | "m_a" | "m_b"
        )
}

/// Whether a word is about masking, in English, Spanish or French (`random_mask`,
/// `mascara_bloques`, `enmascarar`).
pub fn says_mask(word: &str) -> bool {
    let f = fold(word);
    // `masque_aléatoire(u)`, `masquer(u, m_u)`: French.
    f.contains("mask") || f.contains("mascar") || f.contains("masqu")
}

pub fn mentions_mask(g: &Graph, modules: &[ModuleInfo], n: NodeId) -> bool {
    let mut stack = vec![(n, 0)];
    while let Some((x, d)) = stack.pop() {
        let node = g.node(x);
        if node.names.iter().any(|s| says_mask(s)) {
            return true;
        }
        match &node.op {
            Op::Apply { module, .. } if says_mask(&modules[*module].name) => {
                return true;
            }
            Op::Data { source } if says_mask(source) => return true,
            // `mu, mv = batch["masks"]`: a part of a batch under a key that says mask.
            Op::Part {
                key: PartKey::Key(k),
                ..
            } if says_mask(k) => return true,
            _ => {}
        }
        if d < 6 {
            stack.extend(g.inputs(x).into_iter().map(|i| (i, d + 1)));
        }
    }
    false
}

// ---- gradient flow ----

const NO_GRADIENT_BUILTINS: &[&str] = &[
    "ones_like",
    "zeros_like",
    "full_like",
    "empty_like",
    "rand_like",
    "randn_like",
    "new_ones",
    "new_zeros",
    "new_full",
    "argmax",
    "argmin",
    "size",
    "shape",
    "numel",
    "compare",
];

/// The module applications whose parameters receive gradient from `root`: every path
/// down from `root` that does not cross a `detach`, a value computed under `no_grad`,
/// or (for the module's own parameters) a frozen module.
pub fn grad_targets(a: &Analysis, root: NodeId) -> BTreeSet<(ModId, NodeId)> {
    grad_targets_avoiding(a, root, &[])
}

/// Like [`grad_targets`], with the paths through `avoid` left out: what reaches the
/// target of `D(p, z)` through `z` itself, when `p` shares its encoder application.
pub fn grad_targets_avoiding(
    a: &Analysis,
    root: NodeId,
    avoid: &[NodeId],
) -> BTreeSet<(ModId, NodeId)> {
    let g = &a.graph;
    let mut out = BTreeSet::new();
    let mut seen: BTreeSet<NodeId> = avoid.iter().copied().collect();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        let node = g.node(n);
        if node.no_grad {
            continue;
        }
        match &node.op {
            Op::Detach(_) => continue,
            // Constants shaped like their input, and indices, carry no gradient back.
            Op::Builtin { name, .. } if NO_GRADIENT_BUILTINS.contains(&name.as_str()) => continue,
            Op::Apply { module, .. } if !node.frozen => {
                out.insert((*module, n));
            }
            _ => {}
        }
        stack.extend(g.inputs(n));
    }
    out
}

// ---- polynomial weights ----

/// A polynomial over the answer's symbols (`λ`, `m`), with numeric coefficients: the
/// weight of a loss term or the coefficient of a network in an update.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Poly(pub BTreeMap<Vec<String>, f64>);

impl Poly {
    pub fn constant(c: f64) -> Poly {
        let mut m = BTreeMap::new();
        if c != 0.0 {
            m.insert(Vec::new(), c);
        }
        Poly(m)
    }
    pub fn symbol(s: &str) -> Poly {
        let mut m = BTreeMap::new();
        m.insert(vec![s.to_string()], 1.0);
        Poly(m)
    }
    pub fn add(&self, o: &Poly) -> Poly {
        let mut m = self.0.clone();
        for (k, v) in &o.0 {
            *m.entry(k.clone()).or_insert(0.0) += v;
        }
        m.retain(|_, v| v.abs() > 1e-12);
        Poly(m)
    }
    pub fn scale(&self, c: f64) -> Poly {
        Poly(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), v * c))
                .filter(|(_, v)| v.abs() > 1e-12)
                .collect(),
        )
    }
    pub fn mul(&self, o: &Poly) -> Poly {
        let mut out = Poly::default();
        for (k1, v1) in &self.0 {
            for (k2, v2) in &o.0 {
                let mut k: Vec<String> = k1.iter().chain(k2.iter()).cloned().collect();
                k.sort();
                out = out.add(&Poly(BTreeMap::from([(k, v1 * v2)])));
            }
        }
        out
    }
    pub fn as_const(&self) -> Option<f64> {
        match self.0.len() {
            0 => Some(0.0),
            1 => self.0.get(&Vec::new()).copied(),
            _ => None,
        }
    }
    /// Whether the polynomial is negative, taking its symbols for the positive
    /// hyperparameters they are in a loss (`-0.5 / accum_steps`, `-λ`): every
    /// coefficient is below zero.
    pub fn is_negative(&self) -> bool {
        !self.0.is_empty() && self.0.values().all(|c| *c < 0.0)
    }
    pub fn approx_eq(&self, o: &Poly) -> bool {
        let d = self.add(&o.scale(-1.0));
        d.0.values().all(|v| v.abs() < 1e-6)
    }
    pub fn is_zero(&self) -> bool {
        self.0.values().all(|v| v.abs() < 1e-12)
    }
    pub fn render(&self) -> String {
        if self.0.is_empty() {
            return "0".into();
        }
        self.0
            .iter()
            .map(|(k, v)| {
                if k.is_empty() {
                    format!("{}", round(*v))
                } else if (*v - 1.0).abs() < 1e-12 {
                    k.join("·")
                } else {
                    format!("{}·{}", round(*v), k.join("·"))
                }
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn round(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The scalar a node stands for, as a polynomial, when it is made of numbers and symbols.
pub fn scalar_poly(g: &Graph, n: NodeId) -> Option<Poly> {
    match g.op(n) {
        Op::Const(c) => Some(Poly::constant(*c)),
        Op::Symbol(s) => Some(Poly::symbol(s)),
        Op::Neg(x) => scalar_poly(g, *x).map(|p| p.scale(-1.0)),
        Op::Bin(op, x, y) => {
            let (a, b) = (scalar_poly(g, *x)?, scalar_poly(g, *y)?);
            match op {
                BinOp::Add => Some(a.add(&b)),
                BinOp::Sub => Some(a.add(&b.scale(-1.0))),
                BinOp::Mul => Some(a.mul(&b)),
                BinOp::Div => match b.as_const() {
                    Some(c) if c != 0.0 => Some(a.scale(1.0 / c)),
                    _ => Some(a.mul(&Poly::symbol(&format!("1/({})", b.render())))),
                },
                _ => None,
            }
        }
        _ => None,
    }
}

// ---- loss terms ----

#[derive(Clone, Debug)]
pub struct Term {
    pub node: NodeId,
    pub weight: Poly,
}

/// The loss as a weighted sum of terms. Sums, differences, scaling by numbers or
/// symbols, `mean`/`sum` over a stack of losses, and functions of the answer that
/// combine several terms are looked through; a function of the answer that computes
/// one term (`D`, `H`) is itself the term.
pub fn terms(a: &Analysis, root: NodeId) -> Vec<Term> {
    let mut out = Vec::new();
    collect_terms(a, root, Poly::constant(1.0), &mut out, 0);
    out
}

fn collect_terms(a: &Analysis, n: NodeId, w: Poly, out: &mut Vec<Term>, depth: usize) {
    let g = &a.graph;
    if depth > 200 {
        out.push(Term { node: n, weight: w });
        return;
    }
    let d = depth + 1;
    match g.op(n) {
        Op::Bin(BinOp::Add, x, y) => {
            collect_terms(a, *x, w.clone(), out, d);
            collect_terms(a, *y, w, out, d);
        }
        Op::Bin(BinOp::Sub, x, y) => {
            collect_terms(a, *x, w.clone(), out, d);
            collect_terms(a, *y, w.scale(-1.0), out, d);
        }
        Op::Bin(BinOp::Mul, x, y) => match (scalar_poly(g, *x), scalar_poly(g, *y)) {
            (Some(p), _) => collect_terms(a, *y, w.mul(&p), out, d),
            (_, Some(p)) => collect_terms(a, *x, w.mul(&p), out, d),
            _ => out.push(Term { node: n, weight: w }),
        },
        Op::Bin(BinOp::Div, x, y) => match scalar_poly(g, *y) {
            // `Σ_i m_u,i · H_i / Σ_i m_u,i` in math notation, with `m_u` undefined: a mean
            // weighted by `m_u` (the masked positions), not a weight of the loss.
            _ if let Some(t) = weighted_by_its_sum(a, *x, *y) => collect_terms(a, t, w, out, d),
            Some(p) => {
                let inv = match p.as_const() {
                    Some(c) if c != 0.0 => Poly::constant(1.0 / c),
                    _ => Poly::symbol(&format!("1/({})", p.render())),
                };
                collect_terms(a, *x, w.mul(&inv), out, d)
            }
            // `(h * m).sum() / m.sum()`: dividing by the number of masked tokens makes a
            // mean over them, not a weight.
            None if is_mask_count(a, *y) => collect_terms(a, *x, w, out, d),
            None => out.push(Term { node: n, weight: w }),
        },
        Op::Neg(x) => collect_terms(a, *x, w.scale(-1.0), out, d),
        Op::Const(_) => {}
        // `l.mean()`, and `(l * m).sum(-1)` or `l.mean(dim=1)`, a reduction over some
        // dimensions of one term (the loss's mean over the batch follows): the term.
        Op::Builtin { name, args, kwargs }
            if (name == "mean" || name == "sum")
                && !args.is_empty()
                && args[1..].iter().all(|x| matches!(g.op(*x), Op::Const(_)))
                && kwargs
                    .iter()
                    .all(|(k, _)| k == "dim" || k == "keepdim" || k == "axis") =>
        {
            let whole = args.len() == 1 && kwargs.is_empty();
            match g.op(args[0]) {
                Op::Stack(items) if !items.is_empty() && whole => {
                    let k = if name == "mean" {
                        1.0 / items.len() as f64
                    } else {
                        1.0
                    };
                    for i in items {
                        collect_terms(a, *i, w.scale(k), out, d);
                    }
                }
                _ => collect_terms(a, args[0], w, out, d),
            }
        }
        Op::Frame { result, .. } => {
            let mut inner = Vec::new();
            collect_terms(a, *result, Poly::constant(1.0), &mut inner, d);
            if inner.len() <= 1 {
                out.push(Term { node: n, weight: w });
            } else {
                for t in inner {
                    out.push(Term {
                        node: t.node,
                        weight: w.mul(&t.weight),
                    });
                }
            }
        }
        _ => out.push(Term { node: n, weight: w }),
    }
}

/// Whether a term is a call of the answer's function that negates what it computes
/// (`def g_hinge(d): return -d.mean()`), which its weight does not show: a call is kept
/// whole as one term.
pub fn negated_inside(a: &Analysis, n: NodeId) -> bool {
    let Op::Frame { result, .. } = a.graph.op(n) else {
        return false;
    };
    let mut inner = Vec::new();
    collect_terms(a, *result, Poly::constant(1.0), &mut inner, 0);
    matches!(inner.as_slice(), [t] if t.weight.is_negative())
}

/// A tensor that is itself a mask (named one, or made by a masking function), reached
/// without passing through a network: a student output computed with a mask is not one.
fn is_mask_tensor(a: &Analysis, n: NodeId) -> bool {
    let g = &a.graph;
    let mut cur = n;
    for _ in 0..12 {
        let node = g.node(cur);
        // `Σ_i m_u,i · H(...) / Σ_i m_u,i`: math's `m_u` is the mask of view u.
        if node.names.iter().any(|s| is_mask_symbol(s)) {
            return true;
        }
        match &node.op {
            Op::Apply { module, .. } => return says_mask(&a.modules[*module].name),
            Op::Data { source } => return says_mask(source),
            Op::Part { of, .. } | Op::Select { of, .. } => cur = *of,
            Op::Builtin { args, .. } if !args.is_empty() => cur = args[0],
            Op::Bin(_, x, y) => cur = if g.is_scalar(*x) { *y } else { *x },
            _ => return false,
        }
    }
    false
}

/// `m * t / sum(m)` (or `t * m / m.sum()`): the term `t` of a mean weighted by `m`.
pub fn weighted_by_its_sum(a: &Analysis, numerator: NodeId, denominator: NodeId) -> Option<NodeId> {
    let g = &a.graph;
    let Op::Builtin { name, args, .. } = g.op(denominator) else {
        return None;
    };
    if name != "sum" || args.len() != 1 {
        return None;
    }
    let Op::Bin(BinOp::Mul, l, r) = g.op(numerator) else {
        return None;
    };
    let same = |p: NodeId, q: NodeId| p == q || (same_symbol(g, p, q));
    if same(*l, args[0]) {
        Some(*r)
    } else if same(*r, args[0]) {
        Some(*l)
    } else {
        None
    }
}

/// Two nodes of one undefined name (each use of `m_u` may be a node of its own).
fn same_symbol(g: &Graph, p: NodeId, q: NodeId) -> bool {
    let name = |n: NodeId| match g.op(n) {
        Op::Symbol(x) => Some(x.clone()),
        Op::Data { source } => Some(source.clone()),
        _ => None,
    };
    name(p).is_some_and(|x| Some(x) == name(q))
}

/// `m.sum()`, `mask.float().sum()`: a count of masked tokens.
fn is_mask_count(a: &Analysis, n: NodeId) -> bool {
    match a.graph.op(n) {
        // `|m_u|` in math (read as `abs(m_u)`) and `len(m_u)`: the size of the set of
        // masked positions, a count too.
        Op::Builtin { name, args, .. }
            if matches!(name.as_str(), "sum" | "count_nonzero" | "abs" | "len") =>
        {
            args.first().is_some_and(|x| is_mask_tensor(a, *x))
        }
        // `m.sum(-1).clamp(min=1.0)`: the count, kept from zero.
        Op::Builtin { name, args, .. } if matches!(name.as_str(), "clamp" | "clamp_min") => args
            .first()
            .is_some_and(|x| is_mask_tensor(a, *x) || is_mask_count(a, *x)),
        _ => false,
    }
}

const LOSS_BUILTINS: &[&str] = &[
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "cross_entropy_of_probs",
    "nll_loss",
    "kl_div",
    "cosine_similarity",
    "cosine_embedding_loss",
];

pub fn is_loss_builtin(name: &str) -> bool {
    LOSS_BUILTINS.contains(&name)
}

/// The tensors a loss term compares: the arguments of the loss function.
pub fn term_args(a: &Analysis, roles: &Roles, t: NodeId) -> Vec<NodeId> {
    match a.graph.op(t) {
        // A helper of the answer that wraps one library loss (`gan_loss(pred)` returning
        // `mse(pred, ones_like(pred))`) compares what that loss compares.
        Op::Frame { args, result, .. } => {
            let inner = terms(a, *result);
            match inner.as_slice() {
                [one] if one.node != t && is_loss_call(a, roles, one.node) => {
                    term_args(a, roles, one.node)
                }
                // Each argument as the function uses it: `t[key]` rather than all of `t`.
                _ => args
                    .iter()
                    .map(|x| field_used(&a.graph, *result, *x).unwrap_or(*x))
                    .collect(),
            }
        }
        Op::Builtin { name, args, kwargs } if is_loss_builtin(name) => args
            .iter()
            .copied()
            .chain(
                kwargs
                    .iter()
                    .filter(|(k, _)| k == "target" || k == "input")
                    .map(|(_, v)| *v),
            )
            .collect(),
        Op::Apply { module, args, .. }
            if roles.module_is(a, *module, "loss") || a.modules[*module].builtin.is_some() =>
        {
            args.clone()
        }
        // `h(t, s)[mask].mean()`: a per-token loss restricted to some tokens compares
        // what the loss compares.
        Op::Select { of, .. } | Op::Part { of, .. } if is_loss_call(a, roles, *of) => {
            term_args(a, roles, *of)
        }
        // `h(t, s) * m`: a per-token loss weighted by the mask.
        Op::Bin(BinOp::Mul, x, y) if is_loss_call(a, roles, *x) && is_mask_like(a, roles, *y) => {
            term_args(a, roles, *x)
        }
        Op::Bin(BinOp::Mul, x, y) if is_loss_call(a, roles, *y) && is_mask_like(a, roles, *x) => {
            term_args(a, roles, *y)
        }
        _ => match distance_operands(&a.graph, t).or_else(|| product_operands(a, t)) {
            Some((x, y)) => vec![x, y],
            None => vec![t],
        },
    }
}

/// The field of `arg` that the computation of `root` reads (`arg["cls"]`, `arg.patch`),
/// when it reads exactly one.
fn field_used(g: &Graph, root: NodeId, arg: NodeId) -> Option<NodeId> {
    let mut found: Option<NodeId> = None;
    let mut seen = BTreeSet::new();
    let mut stack = vec![(root, 0)];
    while let Some((n, d)) = stack.pop() {
        if d > 60 || !seen.insert(n) {
            continue;
        }
        if let Op::Part {
            of,
            key: PartKey::Key(_),
            ..
        } = g.op(n)
            && *of == arg
        {
            if found.is_some_and(|f| f != n) {
                return None;
            }
            found = Some(n);
            continue;
        }
        stack.extend(g.inputs(n).into_iter().map(|i| (i, d + 1)));
    }
    found
}

/// `sum(-q * log_softmax(s))`: a cross entropy written out compares the two factors.
fn product_operands(a: &Analysis, t: NodeId) -> Option<(NodeId, NodeId)> {
    let g = &a.graph;
    let mut cur = t;
    for _ in 0..10 {
        match g.op(cur) {
            Op::Builtin { name, args, .. } if matches!(name.as_str(), "mean" | "sum") => {
                cur = *args.first()?
            }
            Op::Neg(x) | Op::Select { of: x, .. } => cur = *x,
            // `loss * mask`: the mask restricts the loss; the factors are inside it.
            Op::Bin(BinOp::Mul, x, y) if is_mask_tensor(a, *y) => cur = *x,
            Op::Bin(BinOp::Mul, x, y) if is_mask_tensor(a, *x) => cur = *y,
            Op::Bin(BinOp::Mul, x, y) if !g.is_scalar(*x) && !g.is_scalar(*y) => {
                return Some((*x, *y));
            }
            _ => return None,
        }
    }
    None
}

/// `(rec - a).abs().mean()`, `((p - y) ** 2).mean()`: a distance written out compares
/// the two sides of its subtraction.
fn distance_operands(g: &Graph, t: NodeId) -> Option<(NodeId, NodeId)> {
    let mut cur = t;
    for _ in 0..10 {
        match g.op(cur) {
            Op::Builtin { name, args, .. }
                if matches!(
                    name.as_str(),
                    "mean" | "sum" | "abs" | "pow" | "square" | "norm" | "sqrt"
                ) =>
            {
                cur = *args.first()?
            }
            Op::Bin(BinOp::Pow, x, y) if g.is_scalar(*y) => cur = *x,
            Op::Bin(BinOp::Sub, x, y) if !g.is_scalar(*x) || !g.is_scalar(*y) => {
                return Some((*x, *y));
            }
            _ => return None,
        }
    }
    None
}

fn is_loss_call(a: &Analysis, roles: &Roles, n: NodeId) -> bool {
    match a.graph.op(n) {
        Op::Builtin { name, .. } => is_loss_builtin(name),
        Op::Apply { module, .. } => {
            roles.module_is(a, *module, "loss") || a.modules[*module].builtin.is_some()
        }
        Op::Frame { .. } => true,
        _ => false,
    }
}

/// The name of the function a term applies (`D`, `negative_cosine`, `mse_loss`).
pub fn term_function(a: &Analysis, t: NodeId) -> Option<String> {
    match a.graph.op(t) {
        Op::Frame { func, .. } => Some(func.clone()),
        Op::Builtin { name, .. } => Some(name.clone()),
        Op::Apply { module, .. } => Some(a.module_name(*module)),
        _ => None,
    }
}

// ---- provenance ----

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViewKey {
    /// An augmentation call on a batch.
    Aug(NodeId),
    /// One element of what the loader yields (`for x1, x2 in loader`, `batch['A']`).
    Part(NodeId, String),
    /// The batch itself, unaugmented.
    Whole(NodeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Cls,
    Patch,
}

#[derive(Clone, Debug, Default)]
pub struct Desc {
    pub view: Option<ViewKey>,
    /// Networks applied on the way from the data to this tensor, outermost first.
    pub chain: Vec<ModId>,
    pub apps: Vec<NodeId>,
    /// The input was masked, or the network was given a mask.
    pub masked: bool,
    /// Restricted to masked tokens by indexing.
    pub masked_select: bool,
    pub token: Option<Token>,
    pub detached: bool,
    pub names: Vec<String>,
    /// The loader's data node.
    pub data: Option<NodeId>,
    /// The views joined into one batch (`torch.cat([u, v])`) that this tensor is
    /// computed from whole, not cut back into chunks: `view` is then the first of them.
    pub joined: Option<Vec<NodeId>>,
}

/// A module used like an augmentation: named like one in the rubric. Structure alone
/// cannot tell `aug(x)` from `f(x)`, and mistaking an encoder for an augmentation would
/// invent a second view, so names decide here.
pub fn is_view_maker(a: &Analysis, roles: &Roles, m: ModId) -> bool {
    roles.module_is(a, m, "augmentation") && !NETWORK_ROLES.iter().any(|r| roles.module_is(a, m, r))
}

pub fn is_mask_maker(a: &Analysis, roles: &Roles, m: ModId) -> bool {
    roles.module_is(a, m, "mask")
        && !NETWORK_ROLES.iter().any(|r| roles.module_is(a, m, r))
        && !a.module_names(m).iter().any(|n| names_a_network(n))
}

/// Whether a name says it is a network (`MaskedVisionTransformerTIMM`, `masked_encoder`),
/// which no mention of masking makes a masker.
pub fn names_a_network(name: &str) -> bool {
    let t = tokens(name);
    let folded = fold(name).replace('_', "");
    names_a_vit(name)
        || folded.ends_with("resnet")
        || t.iter().any(|w| {
            [
                "transformer",
                "vit",
                "encoder",
                "backbone",
                "model",
                "network",
                "autoencoder",
            ]
            .contains(&w.as_str())
        })
}

/// Whether a name is a vision transformer's (`vit_small`, `VisionTransformer`, `deit`),
/// also under the camel case of its kind (`MaskedViT`, `MaskedViTWithHeads`, whose `ViT`
/// splits into `vi` and `t`).
pub fn names_a_vit(name: &str) -> bool {
    let folded = fold(name).replace('_', "");
    folded.starts_with("vit")
        || folded.ends_with("vit")
        || name.contains("ViT")
        || folded.contains("visiontransformer")
        || folded.starts_with("deit")
}

fn token_of_names(names: &[String]) -> Option<Token> {
    for n in names {
        let t = tokens(n);
        if t.iter().any(|w| w == "cls" || w == "class" || w == "clase") {
            return Some(Token::Cls);
        }
        if t.iter().any(|w| {
            w.starts_with("patch")
                || w == "parches"
                || w == "tokens" && !t.contains(&"cls".to_string())
        }) {
            return Some(Token::Patch);
        }
    }
    None
}

fn names_say_masked(names: &[String]) -> bool {
    names.iter().any(|n| {
        let f = fold(n);
        (f.contains("mask") && !f.contains("unmask") && f != "mask" && f != "masks")
            || tokens(n).iter().any(|t| t == "hat")
            || n.contains('\u{302}')
            || n.chars().any(|c| "âêîôûŝĉĝĥĵŵŷẑÂÊÎÔÛŜĈĜĤĴŴŶẐ".contains(c))
            || f.contains('\u{fb}')
    })
}

/// Where a tensor comes from: its view, the networks on the way, masking and token kind.
pub fn describe(a: &Analysis, roles: &Roles, n: NodeId) -> Desc {
    let g = &a.graph;
    let mut d = Desc::default();
    let mut cur = n;
    // `t_patch.chunk(2)[i]` of `teacher(torch.cat([u, v]))`: the chunk taken, and whether
    // the view it gave is still only a guess, until the join shows which view it is.
    let mut chunk: Option<(usize, bool, Option<usize>)> = None;
    for _ in 0..400 {
        let node = g.node(cur);
        d.names.extend(node.names.iter().cloned());
        if d.token.is_none() {
            d.token = token_of_names(&node.names);
        }
        match &node.op {
            Op::Apply {
                module,
                args,
                kwargs,
            } => {
                let m = *module;
                // `student(x, mask=m)`, or the mask given positionally (`student(u, mu)`).
                if kwargs
                    .iter()
                    .any(|(k, v)| says_mask(k) && !matches!(g.op(*v), Op::Const(_)))
                    || args.iter().skip(1).any(|x| is_mask_like(a, roles, *x))
                {
                    d.masked = true;
                }
                if is_mask_maker(a, roles, m) {
                    d.masked = true;
                } else if is_view_maker(a, roles, m) {
                    if d.view.is_none() {
                        d.view = Some(ViewKey::Aug(cur));
                    }
                    d.data = args.first().and_then(|x| find_data(g, *x));
                    return d;
                } else {
                    d.chain.push(m);
                    d.apps.push(cur);
                }
                match args.first() {
                    Some(x) => cur = *x,
                    None => return d,
                }
            }
            // One chunk of views batched together (`out.chunk(2)[i]`) is view `i`.
            Op::Part {
                of,
                key: PartKey::Index(i),
                arity,
            } if matches!(g.op(*of), Op::Builtin { name, .. } if name == "chunk") => {
                let guessed = d.view.is_none();
                if guessed {
                    let base = find_data(g, *of).unwrap_or(*of);
                    d.view = Some(ViewKey::Part(base, format!("chunk{i}")));
                }
                if chunk.is_none() {
                    chunk = Some((*i, guessed, *arity));
                }
                cur = *of;
            }
            // The join the chunk was cut from, in as many parts as chunks: chunk i is the
            // i-th view joined.
            Op::Stack(items)
                if chunk.is_some_and(|(i, _, k)| i < items.len() && k == Some(items.len())) =>
            {
                let Some((i, guessed, _)) = chunk.take() else {
                    return d;
                };
                if guessed {
                    d.view = None;
                }
                cur = items[i];
            }
            // Any other join (`torch.cat([globals_out, locals_out]).chunk(ncrops)`) is read
            // through its first part, as other functions are read through their first
            // argument.
            Op::Stack(items) if !items.is_empty() => {
                if d.joined.is_none() && chunk.is_none() && items.len() >= 2 {
                    d.joined = Some(items.clone());
                }
                cur = items[0];
            }
            Op::Part { of, key, arity } => {
                // A part of what the loader yields, however deeply unpacked
                // (`for images, masks in loader: u, v = images`), is a view.
                if is_loader_output(g, *of) {
                    let k = match key {
                        PartKey::Index(i) => i.to_string(),
                        PartKey::Key(s) => s.clone(),
                    };
                    if d.view.is_none() {
                        d.view = Some(ViewKey::Part(*of, k));
                    }
                    d.data = find_data(g, *of);
                    return d;
                }
                if let Op::Apply { module, args, .. } = g.op(*of)
                    && is_mask_maker(a, roles, *module)
                {
                    // `view, masked_view, mask = make_masked_views(x)`: one view, masked or
                    // not by name. `u_m, mask_u = block_mask(u)`: of two parts, the one
                    // not named a mask is the masked image.
                    let image_beside_its_mask = *arity == Some(2)
                        && !node.names.is_empty()
                        && !node.names.iter().any(|n| says_mask(n));
                    if names_say_masked(&node.names) || image_beside_its_mask {
                        d.masked = true;
                    }
                    match args.first() {
                        Some(x) => cur = *x,
                        None => return d,
                    }
                    continue;
                }
                if d.token.is_none()
                    && let PartKey::Key(k) = key
                {
                    d.token = token_of_names(std::slice::from_ref(k));
                }
                if d.token.is_none()
                    && matches!(arity, Some(2) | None)
                    && let PartKey::Index(i) = key
                {
                    d.token = Some(if *i == 0 { Token::Cls } else { Token::Patch });
                }
                cur = *of;
            }
            Op::Select { of, kind } => {
                match kind {
                    // `t_u[m_u]`: a mask over the tokens selects patch tokens.
                    SelectKind::Masked => {
                        d.masked_select = true;
                        d.token = d.token.or(Some(Token::Patch));
                    }
                    SelectKind::ByTensor(i) if is_mask_like(a, roles, *i) => {
                        d.masked_select = true;
                        d.token = d.token.or(Some(Token::Patch));
                    }
                    SelectKind::Cls => d.token = d.token.or(Some(Token::Cls)),
                    SelectKind::Patches => d.token = d.token.or(Some(Token::Patch)),
                    SelectKind::ByTensor(_) | SelectKind::Other => {}
                }
                cur = *of;
            }
            Op::Detach(x) => {
                d.detached = true;
                cur = *x;
            }
            Op::Frame { result, .. } => cur = *result,
            // `torch.where(mask[..., None], mask_token, x)`, `x.masked_fill(mask, 0)`:
            // the masked positions replaced, the rest of `x` kept.
            Op::Builtin { name, args, .. }
                if (name == "where" && args.len() == 3)
                    || (name == "masked_fill" && args.len() >= 2) =>
            {
                let (condition, kept) = if name == "where" {
                    let kept = if matches!(g.op(args[2]), Op::Const(_)) {
                        args[1]
                    } else {
                        args[2]
                    };
                    (args[0], kept)
                } else {
                    (args[1], args[0])
                };
                if is_mask_like(a, roles, condition) {
                    d.masked = true;
                }
                cur = kept;
            }
            Op::Builtin { args, .. } => match args.first() {
                Some(x) => cur = *x,
                None => return d,
            },
            Op::Bin(op, x, y) => {
                // Multiplied by a mask: after the networks (`patch * m_u`) it restricts
                // the loss to the masked tokens; before them (`u * (1 - m_u)`) it masks
                // the input image.
                if *op == BinOp::Mul && (is_mask_like(a, roles, *y) || is_mask_like(a, roles, *x)) {
                    if d.chain.is_empty() {
                        d.masked_select = true;
                    } else {
                        d.masked = true;
                    }
                }
                cur = if g.is_scalar(*x) || is_mask_like(a, roles, *x) {
                    *y
                } else {
                    *x
                };
            }
            Op::Neg(x) => cur = *x,
            Op::Data { .. } => {
                if names_say_masked(&node.names) {
                    d.masked = true;
                }
                if d.view.is_none() {
                    d.view = Some(ViewKey::Whole(cur));
                }
                d.data = Some(cur);
                return d;
            }
            _ => return d,
        }
    }
    d
}

/// A tensor that is a mask: made by a masking function of the rubric, or named one.
pub fn is_mask_like(a: &Analysis, roles: &Roles, n: NodeId) -> bool {
    let g = &a.graph;
    let mut cur = n;
    for _ in 0..20 {
        let node = g.node(cur);
        if node.names.iter().any(|s| roles.matches("mask", s)) {
            return true;
        }
        match &node.op {
            Op::Apply { module, args, .. } => {
                if is_mask_maker(a, roles, *module) {
                    return true;
                }
                // `upsample(M_u)`, `patchify(m)`: a helper that is no network, applied
                // to a mask, gives the mask in another shape.
                let network = NETWORK_ROLES.iter().any(|r| roles.module_is(a, *module, r));
                match args.first() {
                    Some(x) if !network && a.modules[*module].class.is_none() => cur = *x,
                    _ => return false,
                }
            }
            Op::Data { source } | Op::Symbol(source) => return roles.matches("mask", source),
            // `torch.where(m[..., None], token, x)` picks values by a mask: it is them.
            Op::Builtin { name, .. } if name == "where" => return false,
            Op::Part { of, .. } | Op::Select { of, .. } => cur = *of,
            Op::Builtin { args, .. } if !args.is_empty() => cur = args[0],
            // `1 - m`, `~m`: the complement of a mask is a mask.
            Op::Bin(_, x, y) => cur = if g.is_scalar(*x) { *y } else { *x },
            Op::Neg(x) => cur = *x,
            _ => return false,
        }
    }
    false
}

pub fn is_loader_output(g: &Graph, n: NodeId) -> bool {
    match g.op(n) {
        Op::Data { .. } => true,
        Op::Part { of, .. } => is_loader_output(g, *of),
        _ => false,
    }
}

fn find_data(g: &Graph, n: NodeId) -> Option<NodeId> {
    let mut cur = n;
    for _ in 0..100 {
        match g.op(cur) {
            Op::Data { .. } => return Some(cur),
            _ => cur = *g.inputs(cur).first()?,
        }
    }
    None
}

// ---- labels ----

/// What a target tensor means: 1 for "real" (ones, `real_label`, `True`), 0 for "fake".
pub fn label(a: &Analysis, n: NodeId) -> Option<f64> {
    let g = &a.graph;
    let node = g.node(n);
    let by_op = match &node.op {
        Op::Const(c) => Some(*c),
        Op::Builtin { name, args, .. } => match name.as_str() {
            "ones_like" | "ones" | "new_ones" => Some(1.0),
            "zeros_like" | "zeros" | "new_zeros" => Some(0.0),
            "full_like" | "full" => args.get(1).and_then(|x| label(a, *x)),
            // `pred.new_full(pred.size(), 1.0)`: the tensor, its size, then the value.
            "new_full" => args.get(2).and_then(|x| label(a, *x)),
            "tensor" | "expand_as" | "to" | "Variable" => args.first().and_then(|x| label(a, *x)),
            // `Tensor(n).fill_(1.0)`: the value it is filled with.
            "fill_" | "fill" => args.get(1).and_then(|x| label(a, *x)),
            _ => None,
        },
        Op::Bin(BinOp::Mul, x, y) => match (label(a, *x), label(a, *y)) {
            (Some(p), Some(q)) => Some(p * q),
            _ => None,
        },
        Op::Detach(x) | Op::Frame { result: x, .. } => label(a, *x),
        _ => None,
    };
    by_op.or_else(|| {
        // Names decide only for values the answer never computes (`real_labels`): a
        // prediction named `pred_fake_B` is not a label.
        let names: Vec<String> = match &node.op {
            Op::Data { source } => std::iter::once(source.clone())
                .chain(node.names.iter().cloned())
                .collect(),
            Op::Symbol(s) => std::iter::once(s.clone())
                .chain(node.names.iter().cloned())
                .collect(),
            _ => return None,
        };
        names.iter().find_map(|nm| {
            let t = tokens(nm);
            let has = |w: &[&str]| t.iter().any(|x| w.contains(&x.as_str()));
            if has(&[
                "fake",
                "false",
                "zeros",
                "ceros",
                "falso",
                "falsa",
                "falsas",
                "falsos",
                "generated",
            ]) {
                Some(0.0)
            } else if has(&[
                "real",
                "valid",
                "true",
                "ones",
                "unos",
                "reales",
                "verdadero",
                "verdaderas",
            ]) {
                Some(1.0)
            } else {
                None
            }
        })
    })
}

// ---- parameter updates ----

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamKey {
    Module(ModId),
    Role(String),
}

/// A parameter update as a linear combination of networks' parameters, when it is one.
pub fn param_combination(a: &Analysis, n: NodeId) -> Option<BTreeMap<ParamKey, Poly>> {
    let g = &a.graph;
    let mut out: BTreeMap<ParamKey, Poly> = BTreeMap::new();
    fn go(
        a: &Analysis,
        g: &Graph,
        n: NodeId,
        w: Poly,
        out: &mut BTreeMap<ParamKey, Poly>,
        depth: usize,
    ) -> Option<()> {
        if depth > 100 {
            return None;
        }
        match g.op(n) {
            Op::Param(m) => {
                let e = out.entry(ParamKey::Module(*m)).or_default();
                *e = e.add(&w);
            }
            Op::RoleParam(r) => {
                let e = out.entry(ParamKey::Role(r.clone())).or_default();
                *e = e.add(&w);
            }
            Op::Detach(x) => go(a, g, *x, w, out, depth + 1)?,
            Op::Bin(BinOp::Add, x, y) => {
                go(a, g, *x, w.clone(), out, depth + 1)?;
                go(a, g, *y, w, out, depth + 1)?;
            }
            Op::Bin(BinOp::Sub, x, y) => {
                go(a, g, *x, w.clone(), out, depth + 1)?;
                go(a, g, *y, w.scale(-1.0), out, depth + 1)?;
            }
            Op::Bin(BinOp::Mul, x, y) => match (coefficient(g, *x), coefficient(g, *y)) {
                (Some(p), _) => go(a, g, *y, w.mul(&p), out, depth + 1)?,
                (_, Some(p)) => go(a, g, *x, w.mul(&p), out, depth + 1)?,
                _ => return None,
            },
            Op::Bin(BinOp::Div, x, y) => match coefficient(g, *y) {
                Some(p) => match p.as_const() {
                    Some(c) if c != 0.0 => go(a, g, *x, w.scale(1.0 / c), out, depth + 1)?,
                    Some(_) => return None,
                    // `(θ_s − θ_t) / (n + 1)`, a running mean's step: the reciprocal as a
                    // symbol of its own.
                    None => {
                        let inverse = Poly::symbol(&format!("1/({})", p.render()));
                        go(a, g, *x, w.mul(&inverse), out, depth + 1)?
                    }
                },
                None => return None,
            },
            Op::Neg(x) => go(a, g, *x, w.scale(-1.0), out, depth + 1)?,
            // `avg_fn(averaged, current, n)` of the answer's: what it returns.
            Op::Frame { result, .. } => go(a, g, *result, w, out, depth + 1)?,
            _ => return None,
        }
        Some(())
    }
    /// A factor of an update that involves no parameters is a coefficient: numbers and
    /// symbols as they are, and any other value (`momentum_schedule[it]`) as a symbol of
    /// its own, so that `m·θt + (1 − m)·θs` still adds up to one.
    fn coefficient(g: &Graph, n: NodeId) -> Option<Poly> {
        match g.op(n) {
            Op::Const(c) => Some(Poly::constant(*c)),
            Op::Symbol(s) => Some(Poly::symbol(s)),
            Op::Param(_) | Op::RoleParam(_) => None,
            Op::Neg(x) => coefficient(g, *x).map(|p| p.scale(-1.0)),
            Op::Bin(op, x, y) => {
                let (p, q) = (coefficient(g, *x)?, coefficient(g, *y)?);
                match op {
                    BinOp::Add => Some(p.add(&q)),
                    BinOp::Sub => Some(p.add(&q.scale(-1.0))),
                    BinOp::Mul => Some(p.mul(&q)),
                    _ => Some(Poly::symbol(&format!("#{n}"))),
                }
            }
            _ if mentions_params(g, n, 0) => None,
            _ => Some(Poly::symbol(&format!("#{n}"))),
        }
    }
    fn mentions_params(g: &Graph, n: NodeId, depth: usize) -> bool {
        depth < 30
            && (matches!(g.op(n), Op::Param(_) | Op::RoleParam(_))
                || g.inputs(n)
                    .iter()
                    .any(|i| mentions_params(g, *i, depth + 1)))
    }
    go(a, g, n, Poly::constant(1.0), &mut out, 0)?;
    out.retain(|_, p| !p.is_zero());
    Some(out)
}
