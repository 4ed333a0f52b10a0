//! # ema-momentum-low (warning)
//!
//! ## What it does
//! Reports a moving-average update whose literal momentum λ is below 0.9.
//!
//! ## Why it matters
//! The methods use λ between 0.99 and 0.9999; a low λ makes the teacher follow the
//! student so closely that its targets stop being stable.
//!
//! ## Example
//! ```python
//! t.data = 0.5 * t.data + 0.5 * s.data
//! ```

use crate::checks::common::Ctx;
use crate::checks::ema_update::findings;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    findings(ctx)
        .into_iter()
        .filter_map(|f| {
            f.momentum
                .filter(|m| *m < 0.9 && *m > 0.0)
                .map(|m| (m, f.span))
        })
        .map(|(m, span)| {
            // `1 - 0.996` is 0.0040000000000000036 in floating point: said as written.
            let m = format!("{:.6}", m)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string();
            (
                Msg::new(
                    format!("the EMA momentum is {m}, below 0.9"),
                    format!("el momentum de la EMA es {m}, menor que 0.9"),
                ),
                Msg::new("use a momentum such as 0.996", "usa un momentum como 0.996"),
                span,
            )
        })
        .collect()
}
