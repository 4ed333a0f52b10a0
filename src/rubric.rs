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
}

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
}
