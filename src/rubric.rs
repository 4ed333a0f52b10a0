//! Rubrics are data: a TOML file per question. The raw form mirrors the file
//! (`deny_unknown_fields`, so a typo is an error); [`load`] validates it into a
//! [`Rubric`] (unique ids, points that add up, checks and lints that exist, parameters
//! they accept) and reports each mistake with the file, line and column, and a fix.

use crate::analysis::facts::Roles;
use crate::checks::{self, CheckKind};
use crate::msg::{Lang, Msg, msg, tr};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub const BUILTIN: &[(&str, &str)] = &[
    ("simsiam", include_str!("../rubrics/simsiam.toml")),
    ("ibot", include_str!("../rubrics/ibot.toml")),
    ("cyclegan", include_str!("../rubrics/cyclegan.toml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    id: Spanned<String>,
    title: Msg,
    #[serde(default)]
    question: Option<Msg>,
    total: Spanned<f64>,
    #[serde(default)]
    lints: Vec<Spanned<String>>,
    #[serde(default)]
    names: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    known: Vec<String>,
    rule: Vec<Spanned<RawRule>>,
    /// An answer that must score full marks under the rubric.
    #[serde(default)]
    reference: Option<Spanned<String>>,
    /// How `--exec` runs answers to this question, and what it measures per rule.
    #[serde(default)]
    exec: Option<Spanned<ExecSpec>>,
}

/// The `[exec]` table: the harness for `--exec` and the properties tied to each rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecSpec {
    /// What a loader item holds: `images` (images and labels) or `pair` (an image of
    /// each domain).
    #[serde(default = "default_batch")]
    pub batch: String,
    /// Output width of each role's toy network; 0 keeps the input's width.
    #[serde(default)]
    pub widths: BTreeMap<String, i64>,
    /// Roles played by ViT-like networks that return `(cls, patch_tokens)`.
    #[serde(default)]
    pub vit_roles: Vec<String>,
    #[serde(default = "default_width")]
    pub default_width: i64,
    /// What an undefined loss function computes: `negative_cosine`, `cross_entropy`
    /// (soft targets), `mse_loss`, `l1_loss`.
    #[serde(default = "default_loss")]
    pub loss: String,
    /// Values of undefined numbers (`λ = 0.9`, `τs = 0.1`).
    #[serde(default)]
    pub numbers: BTreeMap<String, f64>,
    /// Learning rate of the updates the harness makes for the answer.
    #[serde(default = "default_lr")]
    pub lr: f64,
    /// Rule id → the properties measured for it.
    #[serde(default)]
    pub properties: BTreeMap<String, Vec<String>>,
}

fn default_batch() -> String {
    "images".into()
}
fn default_width() -> i64 {
    8
}
fn default_loss() -> String {
    "negative_cosine".into()
}
fn default_lr() -> f64 {
    0.05
}

impl Default for ExecSpec {
    fn default() -> ExecSpec {
        ExecSpec {
            batch: default_batch(),
            widths: BTreeMap::new(),
            vit_roles: Vec::new(),
            default_width: default_width(),
            loss: default_loss(),
            numbers: BTreeMap::new(),
            lr: default_lr(),
            properties: BTreeMap::new(),
        }
    }
}

/// Properties `--exec` can measure, each with what it measures; `[exec.properties]`
/// may name only these. The measurements are in `src/exec/properties.rs`.
pub const EXEC_PROPERTIES: &[(&str, &str)] = &[
    (
        "distinct_views",
        "the encoder (or student) receives two different augmented views of the batch",
    ),
    (
        "predictor_on_encoder",
        "one encoder embeds every input and the predictor is applied to its outputs",
    ),
    (
        "stop_gradient",
        "with the predictor path cut, no gradient reaches the encoder (the target branch is detached)",
    ),
    (
        "swap_symmetric",
        "the loss is unchanged when the two views are swapped and pairs each view with the other",
    ),
    (
        "cls_cross_view",
        "the [CLS] loss compares each view's student output with the other view's teacher output, in both directions",
    ),
    (
        "patch_same_view",
        "the patch loss compares each view's masked student patches with the same view's teacher patches, for both views",
    ),
    (
        "negative_cosine",
        "D is invariant to scaling its prediction and lowest when prediction and target are the same",
    ),
    (
        "step_after_backward",
        "an update step follows the backward pass and moves the trained weights",
    ),
    (
        "masked_student",
        "the student receives masked views and the teacher unmasked ones",
    ),
    (
        "teacher_no_grad",
        "no gradient reaches the teacher at backward()",
    ),
    (
        "ema_teacher",
        "after an iteration, teacher = λ·teacher_before + (1 − λ)·student with one 0 < λ < 1",
    ),
    (
        "generator_fools_discriminator",
        "the generators' loss falls when the discriminators score fakes as more real",
    ),
    (
        "discriminator_targets",
        "the discriminators' loss falls when they score real images higher and rises when they score fakes higher",
    ),
    (
        "detached_fakes",
        "the discriminators' backward leaves the generators' gradients unchanged",
    ),
    (
        "cycle_consistency",
        "the generators' loss depends on both domains' reconstructions and vanishes when the generators are identities",
    ),
    (
        "separate_updates",
        "one step moves the generators and not the discriminators, another the discriminators and not the generators",
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    title: Msg,
    points: Spanned<f64>,
    check: Spanned<String>,
    #[serde(default)]
    params: Option<Spanned<toml::Table>>,
    pass: Msg,
    fail: Msg,
    /// Optional here so that a rule without hints gets a message that names it, rather
    /// than serde's "missing field".
    #[serde(default)]
    hints: Option<Spanned<RawHints>>,
}

/// The three hint tiers of a rule as written; each is required, which [`load`] checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHints {
    concept: Option<Spanned<Msg>>,
    look: Option<Spanned<Msg>>,
    change: Option<Spanned<Msg>>,
}

/// What a student is told about a failed rule, in tiers that say more and more: the
/// concept at stake, what to look at in the lines the rule points at, and what to
/// change. None of them gives the reference answer's code.
#[derive(Clone, Debug)]
pub struct Hints {
    pub concept: Msg,
    pub look: Msg,
    pub change: Msg,
}

/// How much a hint says (`--hint-level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum HintLevel {
    /// A nudge that names the concept, without saying where or how.
    #[value(name = "1")]
    Concept,
    /// The lines to look at, and what to look for there.
    #[value(name = "2")]
    Look,
    /// What to change, in words.
    #[value(name = "3")]
    Change,
}

impl Hints {
    pub fn at(&self, level: HintLevel) -> &Msg {
        match level {
            HintLevel::Concept => &self.concept,
            HintLevel::Look => &self.look,
            HintLevel::Change => &self.change,
        }
    }
}

/// Lines of a reference answer long enough that a hint quoting one gives code away;
/// shorter ones (`else:`, `return z`) are words any hint may contain.
fn nontrivial_reference_lines(reference: &str) -> impl Iterator<Item = &str> {
    reference
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().count() > 12)
}

#[derive(Clone)]
pub struct Rule {
    pub id: String,
    pub title: Msg,
    pub points: f64,
    pub check: &'static CheckKind,
    pub params: toml::Table,
    pub pass: Msg,
    pub fail: Msg,
    pub hints: Hints,
}

#[derive(Clone)]
pub struct Rubric {
    pub id: String,
    pub title: Msg,
    pub question: Option<Msg>,
    pub total: f64,
    pub lints: Vec<String>,
    pub roles: Roles,
    pub known: Vec<String>,
    pub rules: Vec<Rule>,
    pub reference: Option<String>,
    pub exec: ExecSpec,
}

/// A mistake in a rubric file, with where it is and how to fix it.
#[derive(Debug, Clone)]
pub struct RubricError {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: Msg,
    pub help: Option<Msg>,
}

impl RubricError {
    /// `path:line:col: message`, and the fix on a `help:` line. A file that could not
    /// be read at all has no line to name.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = if self.line == 0 {
            format!("{}: {}", self.path, self.message.get(lang))
        } else {
            format!(
                "{}:{}:{}: {}",
                self.path,
                self.line,
                self.col,
                self.message.get(lang)
            )
        };
        if let Some(h) = &self.help {
            let label = tr!(lang, "help", "ayuda");
            out.push_str(&format!("\n  {label}: {}", h.get(lang)));
        }
        out
    }
}

/// A TOML or field error of the `toml` crate, whose text is English, with the usual
/// shapes said in Spanish too.
fn toml_message(message: &str) -> Msg {
    let spanish_tail = |rest: &str| {
        rest.replace(", expected one of ", "; se esperaba uno de ")
            .replace(", expected ", "; se esperaba ")
            .replace(", there are no fields", "; no admite campos")
    };
    if let Some(rest) = message.strip_prefix("missing field ") {
        msg!("{message}", "falta el campo {rest}")
    } else if let Some(rest) = message.strip_prefix("unknown field ") {
        let rest = spanish_tail(rest);
        msg!("{message}", "campo desconocido {rest}")
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        let rest = spanish_tail(rest);
        msg!("{message}", "tipo no válido: {rest}")
    } else {
        msg!("{message}", "TOML no válido: {message}")
    }
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn closest<'a>(word: &str, options: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    options
        .map(|o| (strsim::jaro_winkler(word, o), o))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}

/// Loads and validates a rubric's text; `path` names it in errors.
pub fn load(path: &str, text: &str) -> Result<Rubric, Vec<RubricError>> {
    let err = |span: std::ops::Range<usize>, message: Msg, help: Option<Msg>| {
        let (line, col) = position(text, span.start);
        RubricError {
            path: path.to_string(),
            line,
            col,
            message,
            help,
        }
    };
    let raw: RawRubric = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message();
            let help = if message.contains("missing field `es`")
                || message.contains("missing field `en`")
            {
                Some(msg!(
                    "every title, feedback and hint needs both `en` and `es`",
                    "todo título, comentario y pista necesita `en` y `es`"
                ))
            } else if message.contains("unknown field") {
                Some(msg!(
                    "see docs/rubrics.md for the fields a rubric accepts",
                    "los campos que admite una rúbrica están en docs/rubrics.md"
                ))
            } else {
                None
            };
            return Err(vec![err(span, toml_message(message), help)]);
        }
    };
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let reference_lines: Vec<&str> = raw
        .reference
        .as_ref()
        .map(|r| nontrivial_reference_lines(r.get_ref()).collect())
        .unwrap_or_default();
    let mut seen = BTreeMap::new();
    let mut sum = 0.0;
    for r in &raw.rule {
        let rule = r.get_ref();
        let id = rule.id.get_ref();
        if let Some(first) = seen.insert(id.clone(), rule.id.span()) {
            let (l, _) = position(text, first.start);
            errors.push(err(
                rule.id.span(),
                msg!("duplicate rule id `{id}`", "id de regla repetido `{id}`"),
                Some(msg!(
                    "it is already used on line {l}; rule ids must be unique",
                    "ya se usa en la línea {l}; los ids de regla deben ser únicos"
                )),
            ));
        }
        let points = *rule.points.get_ref();
        if points <= 0.0 {
            errors.push(err(
                rule.points.span(),
                msg!(
                    "rule `{id}` has {points} points",
                    "la regla `{id}` tiene {points} puntos"
                ),
                Some(msg!(
                    "points must be positive",
                    "los puntos deben ser positivos"
                )),
            ));
        }
        sum += points;
        let hints = validate_hints(rule, &reference_lines, &err, &mut errors);
        let check_name = rule.check.get_ref();
        let Some(check) = checks::find(check_name) else {
            let help = closest(check_name, checks::CHECKS.iter().map(|c| c.id))
                .map(|c| msg!("did you mean `{c}`?", "¿quisiste decir `{c}`?"))
                .or_else(|| {
                    Some(msg!(
                        "`pseudograde explain` lists the check kinds",
                        "`pseudograde explain` lista los tipos de comprobación"
                    ))
                });
            errors.push(err(
                rule.check.span(),
                msg!(
                    "unknown check `{check_name}`",
                    "comprobación desconocida `{check_name}`"
                ),
                help,
            ));
            continue;
        };
        let empty = toml::Table::new();
        let params_span = rule.params.as_ref().map_or(rule.check.span(), |p| p.span());
        let params = rule.params.as_ref().map_or(&empty, |p| p.get_ref());
        for (k, v) in params {
            let check_id = check.id;
            match check.params.iter().find(|(name, _)| name == k) {
                None => {
                    let accepted = check
                        .params
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ");
                    errors.push(err(
                        params_span.clone(),
                        msg!(
                            "check `{check_id}` takes no parameter `{k}`",
                            "la comprobación `{check_id}` no admite el parámetro `{k}`"
                        ),
                        Some(msg!(
                            "its parameters: {accepted}",
                            "sus parámetros: {accepted}"
                        )),
                    ))
                }
                Some((_, allowed))
                    if !allowed.is_empty() && !v.as_str().is_some_and(|s| allowed.contains(&s)) =>
                {
                    let allowed = allowed.join(", ");
                    errors.push(err(
                        params_span.clone(),
                        msg!(
                            "parameter `{k}` of `{check_id}` must be one of {allowed}",
                            "el parámetro `{k}` de `{check_id}` debe ser uno de {allowed}"
                        ),
                        None,
                    ))
                }
                _ => {}
            }
        }
        let Some(hints) = hints else {
            continue;
        };
        rules.push(Rule {
            id: id.clone(),
            title: rule.title.clone(),
            points,
            check,
            params: params.clone(),
            pass: rule.pass.clone(),
            fail: rule.fail.clone(),
            hints,
        });
    }
    let total = *raw.total.get_ref();
    if (sum - total).abs() > 1e-9 {
        errors.push(err(
            raw.total.span(),
            msg!(
                "the rules' points add up to {sum}, not to the total {total}",
                "los puntos de las reglas suman {sum}, no el total {total}"
            ),
            Some(msg!(
                "change a rule's points or the total",
                "cambia los puntos de una regla o el total"
            )),
        ));
    }
    for l in &raw.lints {
        let name = l.get_ref();
        if !crate::lints::all_names().contains(&name.as_str()) {
            let help = closest(name, crate::lints::all_names().into_iter())
                .map(|c| msg!("did you mean `{c}`?", "¿quisiste decir `{c}`?"));
            errors.push(err(
                l.span(),
                msg!("unknown lint `{name}`", "lint desconocido `{name}`"),
                help,
            ));
        }
    }
    if let Some(spec) = &raw.exec {
        let rule_ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        for (rule, props) in &spec.get_ref().properties {
            if !rule_ids.contains(&rule.as_str()) {
                errors.push(err(
                    spec.span(),
                    msg!(
                        "[exec.properties] names `{rule}`, which is not a rule of this rubric",
                        "[exec.properties] nombra `{rule}`, que no es una regla de esta rúbrica"
                    ),
                    closest(rule, rule_ids.iter().copied())
                        .map(|c| msg!("did you mean `{c}`?", "¿quisiste decir `{c}`?")),
                ));
            }
            for p in props {
                if !EXEC_PROPERTIES.iter().any(|(n, _)| n == p) {
                    errors.push(err(
                        spec.span(),
                        msg!(
                            "[exec.properties] `{rule}`: unknown property `{p}`",
                            "[exec.properties] `{rule}`: propiedad desconocida `{p}`"
                        ),
                        closest(p, EXEC_PROPERTIES.iter().map(|(n, _)| *n))
                            .map(|c| msg!("did you mean `{c}`?", "¿quisiste decir `{c}`?")),
                    ));
                }
            }
        }
        if !matches!(spec.get_ref().batch.as_str(), "images" | "pair") {
            errors.push(err(
                spec.span(),
                {
                    let batch = &spec.get_ref().batch;
                    msg!(
                        "[exec] batch = `{batch}`: must be `images` or `pair`",
                        "[exec] batch = `{batch}`: debe ser `images` o `pair`"
                    )
                },
                None,
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let reference_span = raw.reference.as_ref().map(|r| r.span());
    let rubric = Rubric {
        id: raw.id.into_inner(),
        title: raw.title,
        question: raw.question,
        total,
        lints: raw.lints.into_iter().map(|l| l.into_inner()).collect(),
        roles: Roles::new(raw.names),
        known: raw.known,
        rules,
        reference: raw.reference.map(|r| r.into_inner()),
        exec: raw.exec.map(|e| e.into_inner()).unwrap_or_default(),
    };
    // The reference answer must earn every rule: a rule it fails is a check or a
    // parameter that does not say what the rubric means.
    if let (Some(answer), Some(span)) = (&rubric.reference, reference_span) {
        let report = crate::grade::grade("<reference>", answer, &rubric);
        let failed: Vec<String> = report
            .rules
            .iter()
            .filter(|r| !r.passed)
            .map(|r| format!("`{}`", r.id))
            .collect();
        if !failed.is_empty() {
            let failed = failed.join(", ");
            return Err(vec![err(
                span,
                msg!(
                    "the reference answer fails {failed}",
                    "la respuesta de referencia no supera {failed}"
                ),
                Some(msg!(
                    "fix the rule's check or parameters, or the reference answer",
                    "corrige la comprobación o los parámetros de la regla, o la respuesta de referencia"
                )),
            )]);
        }
    }
    Ok(rubric)
}

/// A rule's hints, or the mistakes in them: a tier missing, a blank text, or a hint that
/// quotes the reference answer (hints lead a student to the answer, never give it).
fn validate_hints(
    rule: &RawRule,
    reference_lines: &[&str],
    err: &impl Fn(std::ops::Range<usize>, Msg, Option<Msg>) -> RubricError,
    errors: &mut Vec<RubricError>,
) -> Option<Hints> {
    let id = rule.id.get_ref();
    let every_tier = || {
        msg!(
            "every rule needs `hints.concept` (tier 1), `hints.look` (tier 2) and `hints.change` (tier 3), each with `en` and `es`; see docs/rubrics.md",
            "toda regla necesita `hints.concept` (nivel 1), `hints.look` (nivel 2) y `hints.change` (nivel 3), cada una con `en` y `es`; ver docs/rubrics.md"
        )
    };
    let Some(raw) = &rule.hints else {
        errors.push(err(
            rule.id.span(),
            msg!(
                "rule `{id}` has no hints",
                "la regla `{id}` no tiene pistas"
            ),
            Some(every_tier()),
        ));
        return None;
    };
    let hints = raw.get_ref();
    let tiers = [
        (1, "concept", &hints.concept),
        (2, "look", &hints.look),
        (3, "change", &hints.change),
    ];
    let errors_before = errors.len();
    for (tier, name, hint) in tiers {
        let Some(hint) = hint else {
            errors.push(err(
                raw.span(),
                msg!(
                    "rule `{id}` has no tier-{tier} hint `hints.{name}`",
                    "la regla `{id}` no tiene la pista de nivel {tier} `hints.{name}`"
                ),
                Some(every_tier()),
            ));
            continue;
        };
        for (code, text) in [("en", &hint.get_ref().en), ("es", &hint.get_ref().es)] {
            if text.trim().is_empty() {
                errors.push(err(
                    hint.span(),
                    msg!(
                        "the `{code}` text of `hints.{name}` of rule `{id}` is empty",
                        "el texto `{code}` de `hints.{name}` de la regla `{id}` está vacío"
                    ),
                    None,
                ));
            }
            if let Some(line) = reference_lines.iter().find(|l| text.contains(**l)) {
                errors.push(err(
                    hint.span(),
                    msg!(
                        "`hints.{name}` of rule `{id}` quotes the reference answer: `{line}`",
                        "`hints.{name}` de la regla `{id}` cita la respuesta de referencia: `{line}`"
                    ),
                    Some(msg!(
                        "a hint must not give the reference answer: say in words what to look at or to change",
                        "una pista no debe dar la respuesta de referencia: di con palabras qué mirar o qué cambiar"
                    )),
                ));
            }
        }
    }
    if errors.len() > errors_before {
        return None;
    }
    let tier = |hint: &Option<Spanned<Msg>>| hint.as_ref().map(|h| h.get_ref().clone());
    Some(Hints {
        concept: tier(&hints.concept)?,
        look: tier(&hints.look)?,
        change: tier(&hints.change)?,
    })
}

/// A built-in rubric by id, or a rubric file by path.
pub fn resolve(id_or_path: &str) -> Result<Rubric, Vec<RubricError>> {
    if let Some((id, text)) = BUILTIN.iter().find(|(id, _)| *id == id_or_path) {
        return load(&format!("<built-in {id}>"), text);
    }
    match std::fs::read_to_string(id_or_path) {
        Ok(text) => load(id_or_path, &text),
        Err(e) => {
            let why = crate::msg::io_error(&e);
            let (why_en, why_es) = (&why.en, &why.es);
            let builtin = BUILTIN
                .iter()
                .map(|(i, _)| *i)
                .collect::<Vec<_>>()
                .join(", ");
            Err(vec![RubricError {
                path: id_or_path.to_string(),
                line: 0,
                col: 0,
                message: msg!(
                    "not a built-in rubric and not a readable file ({why_en})",
                    "no es una rúbrica incorporada ni un archivo legible ({why_es})"
                ),
                help: Some(msg!(
                    "built-in rubrics: {builtin}",
                    "rúbricas incorporadas: {builtin}"
                )),
            }])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simsiam() -> String {
        BUILTIN[0].1.to_string()
    }

    #[test]
    fn builtin_rubrics_are_valid() {
        for (id, text) in BUILTIN {
            let r = load(id, text).unwrap_or_else(|e| panic!("{}", e[0].render(Lang::En)));
            assert_eq!(r.rules.iter().map(|r| r.points).sum::<f64>(), r.total);
        }
    }

    #[test]
    fn a_misspelled_check_is_refused_with_a_suggestion() {
        let text = simsiam().replace(
            "check = \"stop_gradient_on_target\"",
            "check = \"stop_gradiant_on_target\"",
        );
        let e = load("s.toml", &text).err().expect("must be refused");
        assert!(
            e[0].message
                .en
                .contains("unknown check `stop_gradiant_on_target`")
        );
        assert_eq!(
            e[0].help.as_ref().map(|h| h.en.as_str()),
            Some("did you mean `stop_gradient_on_target`?")
        );
        let line = text
            .lines()
            .position(|l| l.contains("stop_gradiant"))
            .unwrap()
            + 1;
        assert_eq!(e[0].line, line);
    }

    #[test]
    fn a_reference_answer_that_misses_a_rule_is_refused() {
        let text = simsiam().replacen("    z = z.detach()\n", "", 1);
        assert_ne!(text, simsiam());
        let e = load("s.toml", &text)
            .err()
            .expect("the reference no longer stops the gradient");
        assert!(
            e[0].message
                .en
                .contains("the reference answer fails `stop_gradient`"),
            "{}",
            e[0].render(Lang::En)
        );
        assert_eq!(
            e[0].line,
            text.lines()
                .position(|l| l.starts_with("reference"))
                .unwrap()
                + 1
        );
    }

    #[test]
    fn wrong_total_duplicate_id_and_missing_spanish_are_refused() {
        let text = simsiam().replacen("total = 3.5", "total = 4.0", 1);
        let e = load("s.toml", &text).err().expect("wrong total");
        assert!(
            e[0].message.en.contains("add up to 3.5"),
            "{}",
            e[0].render(Lang::En)
        );
        assert_eq!(
            e[0].line,
            text.lines().position(|l| l.starts_with("total")).unwrap() + 1
        );

        let text = simsiam().replacen("id = \"encoder_predictor\"", "id = \"two_views\"", 1);
        let e = load("s.toml", &text).err().expect("duplicate id");
        assert!(
            e.iter()
                .any(|e| e.message.en.contains("duplicate rule id `two_views`"))
        );

        let broken = simsiam().replacen(
            ", es = \"Se generan dos aumentaciones distintas del batch.\" }",
            " }",
            1,
        );
        assert_ne!(broken, simsiam());
        let e = load("s.toml", &broken).err().expect("missing es");
        assert!(
            e[0].message.en.contains("missing field `es`"),
            "{}",
            e[0].render(Lang::En)
        );
        let pass_line = broken
            .lines()
            .position(|l| l.contains("Two different augmentations"))
            .unwrap()
            + 1;
        assert_eq!(e[0].line, pass_line);
    }

    /// The 1-based line of the first line of `text` that contains `needle`.
    fn line_of(text: &str, needle: &str) -> usize {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("`{needle}` not found"))
            + 1
    }

    /// The rubric with the lines of one rule's hint tier taken out or replaced.
    fn simsiam_with_hint_line(rule: &str, tier: &str, replacement: Option<&str>) -> String {
        let text = simsiam();
        let start = text.find(&format!("id = \"{rule}\"")).unwrap();
        let key = format!("hints.{tier} = ");
        let at = start + text[start..].find(&key).unwrap();
        let end = at + text[at..].find('\n').unwrap() + 1;
        let changed = format!(
            "{}{}{}",
            &text[..at],
            replacement.unwrap_or(""),
            &text[end..]
        );
        assert_ne!(changed, text);
        changed
    }

    #[test]
    fn a_rule_missing_a_hint_tier_is_refused_at_its_hints() {
        let text = simsiam_with_hint_line("stop_gradient", "change", None);
        let e = load("s.toml", &text).err().expect("no tier 3");
        assert_eq!(
            e[0].message.en,
            "rule `stop_gradient` has no tier-3 hint `hints.change`"
        );
        assert_eq!(
            e[0].message.es,
            "la regla `stop_gradient` no tiene la pista de nivel 3 `hints.change`"
        );
        // The hints table starts at its first dotted key: that rule's `hints.concept`.
        let rule_start = line_of(&text, "id = \"stop_gradient\"");
        let concept = text
            .lines()
            .skip(rule_start)
            .position(|l| l.starts_with("hints.concept"))
            .unwrap()
            + rule_start
            + 1;
        assert_eq!((e[0].path.as_str(), e[0].line), ("s.toml", concept));
    }

    #[test]
    fn a_hint_tier_missing_a_language_is_refused_at_its_line() {
        let text = simsiam_with_hint_line(
            "symmetric_loss",
            "look",
            Some("hints.look = { en = \"Look at the terms of the loss.\" }\n"),
        );
        let e = load("s.toml", &text).err().expect("no Spanish");
        assert!(
            e[0].message.en.contains("missing field `es`"),
            "{}",
            e[0].render(Lang::En)
        );
        assert_eq!(e[0].message.es, "falta el campo `es`");
        assert!(
            e[0].help
                .as_ref()
                .is_some_and(|h| h.en.contains("hint needs both `en` and `es`"))
        );
        assert_eq!(e[0].line, line_of(&text, "Look at the terms of the loss."));
    }

    #[test]
    fn a_rule_without_hints_and_an_unknown_tier_are_refused() {
        let mut text = simsiam();
        for tier in ["concept", "look", "change"] {
            let start = text.find("id = \"negative_cosine\"").unwrap();
            let at = start + text[start..].find(&format!("hints.{tier} = ")).unwrap();
            let end = at + text[at..].find('\n').unwrap() + 1;
            text.replace_range(at..end, "");
        }
        let e = load("s.toml", &text).err().expect("no hints");
        assert_eq!(e[0].message.en, "rule `negative_cosine` has no hints");
        assert_eq!(e[0].line, line_of(&text, "id = \"negative_cosine\""));

        let text = simsiam_with_hint_line(
            "two_views",
            "concept",
            Some("hints.nudge = { en = \"Think.\", es = \"Piensa.\" }\n"),
        );
        let e = load("s.toml", &text).err().expect("unknown tier");
        assert!(
            e[0].message.en.contains("unknown field `nudge`"),
            "{}",
            e[0].render(Lang::En)
        );
        assert_eq!(e[0].line, line_of(&text, "hints.nudge"));
    }

    #[test]
    fn a_hint_that_quotes_the_reference_answer_is_refused() {
        let text = simsiam_with_hint_line(
            "symmetric_loss",
            "change",
            Some(
                "hints.change = { en = \"Write loss = D(p1, z2) / 2 + D(p2, z1) / 2 there.\", es = \"Escribe la pérdida simétrica.\" }\n",
            ),
        );
        let e = load("s.toml", &text).err().expect("quotes the reference");
        assert_eq!(
            e[0].message.en,
            "`hints.change` of rule `symmetric_loss` quotes the reference answer: `loss = D(p1, z2) / 2 + D(p2, z1) / 2`"
        );
        assert_eq!(e[0].line, line_of(&text, "Write loss = D(p1, z2)"));
    }
}
