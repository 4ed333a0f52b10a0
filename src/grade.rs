//! The pipeline for one answer: normalize → parse → lower → analyse → score, producing a
//! [`Report`] that the report formats render.

use crate::analysis;
use crate::checks::common::{Ctx, Outcome};
use crate::ir::Span;
use crate::lints::{self, Finding, Severity};
use crate::msg::Msg;
use crate::normalize::{self, Change};
use crate::rubric::{Hints, Rubric};
use crate::syntax;

pub struct RuleResult {
    pub id: String,
    pub title: Msg,
    pub passed: bool,
    pub points: f64,
    pub max_points: f64,
    pub feedback: Msg,
    pub detail: Option<Msg>,
    pub notes: Vec<Msg>,
    pub evidence: Vec<Span>,
    /// The rule's hints, for a report addressed to the student.
    pub hints: Hints,
}

pub struct Report {
    pub file: String,
    pub rubric: String,
    pub score: f64,
    pub max_score: f64,
    pub rules: Vec<RuleResult>,
    pub lints: Vec<Finding>,
    pub error_nodes: usize,
    pub normalizations: Vec<Change>,
    /// The answer's lines as given, for evidence texts and snippets.
    pub lines: Vec<String>,
    /// Limits that cut the analysis short (nesting, budget), said in the report.
    pub limits: Vec<Msg>,
    /// What `--exec` measured, when it ran.
    pub exec: Option<crate::exec::ExecReport>,
}

impl Report {
    pub fn line_text(&self, line: u32) -> &str {
        self.lines
            .get((line as usize).wrapping_sub(1))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Grades one answer against a rubric.
pub fn grade(file: &str, text: &str, rubric: &Rubric) -> Report {
    let mut norm = normalize::normalize(text);
    let parsed = syntax::parse(&mut norm);
    let analysis = analysis::analyse(&parsed.body);
    let empty = toml::Table::new();
    let mut rules = Vec::new();
    let mut score = 0.0;
    for rule in &rubric.rules {
        let ctx = Ctx {
            a: &analysis,
            roles: &rubric.roles,
            params: &rule.params,
        };
        let Outcome {
            passed,
            evidence,
            detail,
            notes,
        } = (rule.check.run)(&ctx);
        let points = if passed { rule.points } else { 0.0 };
        score += points;
        rules.push(RuleResult {
            id: rule.id.clone(),
            title: rule.title.clone(),
            passed,
            points,
            max_points: rule.points,
            feedback: if passed {
                rule.pass.clone()
            } else {
                rule.fail.clone()
            },
            detail,
            notes,
            evidence,
            hints: rule.hints.clone(),
        });
    }
    let ctx = Ctx {
        a: &analysis,
        roles: &rubric.roles,
        params: &empty,
    };
    let mut findings = Vec::new();
    for name in &rubric.lints {
        let produced: Vec<(Msg, Msg, Span)> = match name.as_str() {
            "undefined-name" => lints::undefined_name::run(&analysis, &rubric.roles, &rubric.known),
            "unparsed-line" => lints::unparsed_line::run(&norm),
            other => match lints::find(other) {
                Some(l) => (l.run)(&ctx),
                None => Vec::new(),
            },
        };
        let severity = lints::find(name).map_or(Severity::Info, |l| l.severity);
        let static_name = lints::all_names()
            .into_iter()
            .find(|n| n == name)
            .unwrap_or("unknown");
        findings.extend(produced.into_iter().map(|(message, help, span)| Finding {
            name: static_name,
            severity,
            message,
            help,
            span,
        }));
    }
    findings.sort_by_key(|f| (f.span.line, f.span.col, f.name));
    // A lint found once per network on the same line (an EMA loop over the parameters of
    // two parts of the teacher) is one finding.
    findings.dedup_by(|a, b| a.name == b.name && a.span == b.span && a.message == b.message);
    let mut limits = Vec::new();
    if parsed.too_deep {
        limits.push(Msg::new(
            format!(
                "code nested deeper than {} levels was not analysed",
                syntax::MAX_DEPTH
            ),
            format!(
                "el código anidado a más de {} niveles no se analizó",
                syntax::MAX_DEPTH
            ),
        ));
    }
    if analysis.budget_exceeded {
        limits.push(Msg::new(
            "the analysis stopped at its step budget; later code was not analysed",
            "el análisis se detuvo en su límite de pasos; el código posterior no se analizó",
        ));
    }
    if analysis.recursion_limited {
        limits.push(Msg::new(
            "calls nested too deeply were not followed",
            "las llamadas anidadas demasiado no se siguieron",
        ));
    }
    let mut normalizations = norm.changes.clone();
    normalizations.extend(analysis.fuzzy_notes.iter().map(|(line, from, to)| Change {
        line: *line,
        from: from.clone(),
        to: to.clone(),
    }));
    Report {
        file: file.to_string(),
        rubric: rubric.id.clone(),
        score: (score * 1e6).round() / 1e6,
        max_score: rubric.total,
        rules,
        lints: findings,
        error_nodes: parsed.error_nodes + norm.unparsed.len(),
        normalizations,
        lines: norm.original_lines.clone(),
        limits,
        exec: None,
    }
}

/// Names of networks that no role pattern of the rubric matches but whose structure
/// gives them the teacher's or the student's role (`red_t = copy.deepcopy(red_s)`,
/// frozen, averaged), as (name, role), for a rubric with both roles. Only `--exec` asks
/// (its harness gives stand-ins their roles by name), so grading does not compute it.
pub fn structural_roles(analysis: &analysis::Analysis, rubric: &Rubric) -> Vec<(String, String)> {
    let empty = toml::Table::new();
    let ctx = &Ctx {
        a: analysis,
        roles: &rubric.roles,
        params: &empty,
    };
    let patterns = &ctx.roles.patterns;
    if !patterns.contains_key("teacher") || !patterns.contains_key("student") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (m, info) in ctx.a.modules.iter().enumerate() {
        if info.builtin.is_some() || info.parent.is_some() {
            continue;
        }
        let names_a_role = |m: usize| {
            let names = ctx.a.module_names(m);
            analysis::facts::NETWORK_ROLES
                .iter()
                .any(|r| names.iter().any(|n| ctx.roles.matches(r, n)))
        };
        // `student = nn.ModuleDict({"backbone": backbone, "head": head})`: an entry of a
        // network that its name gives a role plays that role, whatever its moving
        // average says of it alone.
        let own_names = ctx.a.module_names(m);
        let held_by_a_named_network = ctx.a.modules.iter().enumerate().any(|(k, holder)| {
            holder.attrs.values().any(|v| match v {
                analysis::eval::Value::Module(x) => *x == m,
                // An entry the answer never defines, held by its name.
                analysis::eval::Value::Global(g) => {
                    own_names.iter().any(|n| n.as_str() == g.as_ref())
                }
                _ => false,
            }) && names_a_role(k)
        });
        if names_a_role(m) || held_by_a_named_network {
            continue;
        }
        let score = ctx.teacher_score(m);
        let role = match score {
            s if s > 0 => "teacher",
            s if s < 0 => "student",
            _ => continue,
        };
        let mut bound: Vec<String> = std::iter::once(info.name.clone())
            .chain(info.aliases.iter().cloned())
            .filter(|n| !n.is_empty() && !n.contains('.'))
            .collect();
        bound.sort();
        bound.dedup();
        out.extend(bound.into_iter().map(|n| (n, role.to_string())));
    }
    out
}
