//! Rubrics are data: a TOML file per question. The raw form mirrors the file
//! (`deny_unknown_fields`, so a typo is an error); [`load`] validates it into a
//! [`Rubric`] (unique ids, points that add up, checks and lints that exist, parameters
//! they accept) and reports each mistake with the file, line and column, and a fix.

use crate::analysis::facts::Roles;
use crate::checks::{self, CheckKind};
use crate::msg::Msg;
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
        "one encoder embeds both views and the predictor is applied to its outputs",
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
        "patch_cross_view",
        "the patch loss compares each view's student patches with the other view's teacher patches, in both directions",
    ),
    (
        "negative_cosine",
        "D(a, a) is negative and D is invariant to scaling its prediction",
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
}

pub struct Rule {
    pub id: String,
    pub title: Msg,
    pub points: f64,
    pub check: &'static CheckKind,
    pub params: toml::Table,
    pub pass: Msg,
    pub fail: Msg,
}

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
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for RubricError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.col, self.message
        )?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
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
    let err = |span: std::ops::Range<usize>, message: String, help: Option<String>| {
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
            let message = e.message().to_string();
            let help = if message.contains("missing field `es`")
                || message.contains("missing field `en`")
            {
                Some("every title and feedback needs both `en` and `es`".to_string())
            } else if message.contains("unknown field") {
                Some("see docs/rubrics.md for the fields a rubric accepts".to_string())
            } else {
                None
            };
            return Err(vec![err(span, message, help)]);
        }
    };
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let mut seen = BTreeMap::new();
    let mut sum = 0.0;
    for r in &raw.rule {
        let rule = r.get_ref();
        let id = rule.id.get_ref();
        if let Some(first) = seen.insert(id.clone(), rule.id.span()) {
            let (l, _) = position(text, first.start);
            errors.push(err(
                rule.id.span(),
                format!("duplicate rule id `{id}`"),
                Some(format!(
                    "it is already used on line {l}; rule ids must be unique"
                )),
            ));
        }
        let points = *rule.points.get_ref();
        if points <= 0.0 {
            errors.push(err(
                rule.points.span(),
                format!("rule `{id}` has {points} points"),
                Some("points must be positive".into()),
            ));
        }
        sum += points;
        let check_name = rule.check.get_ref();
        let Some(check) = checks::find(check_name) else {
            let help = closest(check_name, checks::CHECKS.iter().map(|c| c.id))
                .map(|c| format!("did you mean `{c}`?"))
                .or_else(|| Some("`pseudograde explain` lists the check kinds".into()));
            errors.push(err(
                rule.check.span(),
                format!("unknown check `{check_name}`"),
                help,
            ));
            continue;
        };
        let empty = toml::Table::new();
        let params_span = rule.params.as_ref().map_or(rule.check.span(), |p| p.span());
        let params = rule.params.as_ref().map_or(&empty, |p| p.get_ref());
        for (k, v) in params {
            match check.params.iter().find(|(name, _)| name == k) {
                None => errors.push(err(
                    params_span.clone(),
                    format!("check `{}` takes no parameter `{k}`", check.id),
                    Some(format!(
                        "its parameters: {}",
                        check
                            .params
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                )),
                Some((_, allowed))
                    if !allowed.is_empty() && !v.as_str().is_some_and(|s| allowed.contains(&s)) =>
                {
                    errors.push(err(
                        params_span.clone(),
                        format!(
                            "parameter `{k}` of `{}` must be one of {}",
                            check.id,
                            allowed.join(", ")
                        ),
                        None,
                    ))
                }
                _ => {}
            }
        }
        rules.push(Rule {
            id: id.clone(),
            title: rule.title.clone(),
            points,
            check,
            params: params.clone(),
            pass: rule.pass.clone(),
            fail: rule.fail.clone(),
        });
    }
    let total = *raw.total.get_ref();
    if (sum - total).abs() > 1e-9 {
        errors.push(err(
            raw.total.span(),
            format!("the rules' points add up to {sum}, not to the total {total}"),
            Some("change a rule's points or the total".into()),
        ));
    }
    for l in &raw.lints {
        if !crate::lints::all_names().contains(&l.get_ref().as_str()) {
            let help = closest(l.get_ref(), crate::lints::all_names().into_iter())
                .map(|c| format!("did you mean `{c}`?"));
            errors.push(err(
                l.span(),
                format!("unknown lint `{}`", l.get_ref()),
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
                    format!("[exec.properties] names `{rule}`, which is not a rule of this rubric"),
                    closest(rule, rule_ids.iter().copied()).map(|c| format!("did you mean `{c}`?")),
                ));
            }
            for p in props {
                if !EXEC_PROPERTIES.iter().any(|(n, _)| n == p) {
                    errors.push(err(
                        spec.span(),
                        format!("[exec.properties] `{rule}`: unknown property `{p}`"),
                        closest(p, EXEC_PROPERTIES.iter().map(|(n, _)| *n))
                            .map(|c| format!("did you mean `{c}`?")),
                    ));
                }
            }
        }
        if !matches!(spec.get_ref().batch.as_str(), "images" | "pair") {
            errors.push(err(
                spec.span(),
                format!(
                    "[exec] batch = `{}`: must be `images` or `pair`",
                    spec.get_ref().batch
                ),
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
            return Err(vec![err(
                span,
                format!("the reference answer fails {}", failed.join(", ")),
                Some("fix the rule's check or parameters, or the reference answer".into()),
            )]);
        }
    }
    Ok(rubric)
}

/// A built-in rubric by id, or a rubric file by path.
pub fn resolve(id_or_path: &str) -> Result<Rubric, Vec<RubricError>> {
    if let Some((id, text)) = BUILTIN.iter().find(|(id, _)| *id == id_or_path) {
        return load(&format!("<built-in {id}>"), text);
    }
    match std::fs::read_to_string(id_or_path) {
        Ok(text) => load(id_or_path, &text),
        Err(e) => Err(vec![RubricError {
            path: id_or_path.to_string(),
            line: 0,
            col: 0,
            message: format!("not a built-in rubric and not a readable file ({e})"),
            help: Some(format!(
                "built-in rubrics: {}",
                BUILTIN
                    .iter()
                    .map(|(i, _)| *i)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }]),
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
            let r = load(id, text).unwrap_or_else(|e| panic!("{id}: {}", e[0]));
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
                .contains("unknown check `stop_gradiant_on_target`")
        );
        assert_eq!(
            e[0].help.as_deref(),
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
                .contains("the reference answer fails `stop_gradient`"),
            "{}",
            e[0]
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
        assert!(e[0].message.contains("add up to 3.5"), "{}", e[0]);
        assert_eq!(
            e[0].line,
            text.lines().position(|l| l.starts_with("total")).unwrap() + 1
        );

        let text = simsiam().replacen("id = \"encoder_predictor\"", "id = \"two_views\"", 1);
        let e = load("s.toml", &text).err().expect("duplicate id");
        assert!(
            e.iter()
                .any(|e| e.message.contains("duplicate rule id `two_views`"))
        );

        let broken = simsiam().replacen(
            ", es = \"Se generan dos aumentaciones distintas del batch.\" }",
            " }",
            1,
        );
        assert_ne!(broken, simsiam());
        let e = load("s.toml", &broken).err().expect("missing es");
        assert!(e[0].message.contains("missing field `es`"), "{}", e[0]);
        let pass_line = broken
            .lines()
            .position(|l| l.contains("Two different augmentations"))
            .unwrap()
            + 1;
        assert_eq!(e[0].line, pass_line);
    }
}
