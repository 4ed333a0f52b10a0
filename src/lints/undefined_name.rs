//! # undefined-name (info)
//!
//! ## What it does
//! Reports a name that the answer never defines and that the rubric does not know
//! (rubrics list the names a question lets students assume, such as `aug`, `f`,
//! `dataloader`), suggesting the closest known name.
//!
//! ## Why it matters
//! Pseudocode may assume helpers, but a misspelled name (`dutalouder`) or one the
//! question did not provide is worth a second look by the grader.
//!
//! ## Example
//! ```python
//! for x in dutalouder:    # did you mean `dataloader`?
//! ```

use crate::analysis::Analysis;
use crate::analysis::facts::Roles;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(a: &Analysis, roles: &Roles, known: &[String]) -> Vec<(Msg, Msg, Span)> {
    let mut out = Vec::new();
    for (name, span) in &a.undefined {
        let bare = name.trim_start_matches('_');
        if known.iter().any(|k| k == bare) || roles.patterns.keys().any(|r| roles.matches(r, bare))
        {
            continue;
        }
        let candidates = known
            .iter()
            .chain(roles.all_names())
            .filter(|k| !k.contains('*'));
        let best = candidates
            .map(|k| {
                (
                    strsim::normalized_damerau_levenshtein(&name.to_lowercase(), &k.to_lowercase()),
                    k,
                )
            })
            .filter(|(score, _)| *score >= 0.6)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        let help = match best {
            Some((_, k)) => Msg::new(
                format!("did you mean `{k}`?"),
                format!("¿quisiste decir `{k}`?"),
            ),
            None => Msg::new(
                "define it, or say in a comment what it stands for",
                "defínelo, o indica en un comentario qué representa",
            ),
        };
        out.push((
            Msg::new(
                format!("`{name}` is not defined in the answer"),
                format!("`{name}` no está definido en la respuesta"),
            ),
            help,
            *span,
        ));
    }
    out
}
