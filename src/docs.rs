//! Documentation that the binary prints: the leading `//!` block of a check's or lint's
//! source file, so the text `explain` shows is the text next to the code.

pub fn leading_doc(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            break;
        };
        out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        out.push('\n');
    }
    out
}

/// The catalogue of check kinds and lints for `docs/rubrics.md`, built from each
/// check's and lint's own doc comment (headings moved two levels down), so the
/// documentation cannot drift from the code.
pub fn catalogue() -> String {
    let demote = |doc: &str| -> String {
        let mut in_code = false;
        doc.lines()
            .map(|l| {
                if l.starts_with("```") {
                    in_code = !in_code;
                }
                if l.starts_with('#') && !in_code {
                    format!("##{l}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut out = String::from("## Check kinds\n\n");
    for c in crate::checks::CHECKS {
        out.push_str(&demote(&c.doc()));
        out.push('\n');
        if c.params.is_empty() {
            out.push_str("\nParameters: none.\n\n");
        } else {
            out.push_str("\nParameters:\n\n");
            for (name, values) in c.params {
                out.push_str(&format!(
                    "- `{name}`: one of {}\n",
                    values
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            out.push('\n');
        }
    }
    out.push_str("## Lints\n\n");
    for name in crate::lints::all_names() {
        let doc = crate::lints::find(name)
            .map(|l| l.doc())
            .or_else(|| crate::lints::extra_doc(name))
            .unwrap_or_default();
        out.push_str(&demote(&doc));
        out.push('\n');
    }
    out
}
