//! # unparsed-line (info)
//!
//! ## What it does
//! Reports each line that is prose or could not be read as code, even where a rule
//! accepts the prose (for example `update encoder and projection` as the update step).
//!
//! ## Why it matters
//! The grade of those lines rests on the grader's reading, not on the analysis; the
//! report says so instead of silently skipping them.
//!
//! ## Example
//! ```text
//! Update Encoder and Projection
//! ```

use crate::ir::Span;
use crate::msg::Msg;
use crate::normalize::Normalized;

pub fn run(norm: &Normalized) -> Vec<(Msg, Msg, Span)> {
    let span = |line: u32, text: &str| {
        let orig = norm
            .original_lines
            .get(line as usize - 1)
            .map(String::as_str)
            .unwrap_or(text);
        let indent = orig.chars().take_while(|c| c.is_whitespace()).count() as u32;
        Span {
            line,
            col: indent + 1,
            end_line: line,
            end_col: orig.chars().count() as u32 + 1,
        }
    };
    let mut out: Vec<(Msg, Msg, Span)> = norm
        .prose
        .iter()
        .map(|(l, t)| {
            (
                Msg::new(
                    format!("line read as prose: `{t}`"),
                    format!("línea leída como prosa: `{t}`"),
                ),
                Msg::new(
                    "it was used where the rubric accepts prose",
                    "se usó donde la rúbrica acepta prosa",
                ),
                span(*l, t),
            )
        })
        .collect();
    out.extend(norm.unparsed.iter().map(|(l, t)| {
        (
            Msg::new(
                format!("line could not be read as code: `{t}`"),
                format!("la línea no se pudo leer como código: `{t}`"),
            ),
            Msg::new(
                "the rest of the answer was still analysed",
                "el resto de la respuesta se analizó igualmente",
            ),
            span(*l, t),
        )
    }));
    out.sort_by_key(|x| x.2.line);
    out
}
