//! # missing-zero-grad (warning)
//!
//! ## What it does
//! Reports each optimizer that is stepped in the training loop with no `zero_grad` for
//! it, or for a module it trains, anywhere in the loop. A prose update line names no
//! optimizer and raises none, nor does an optimizer handed its gradients
//! (`optimizer.apply_gradients(zip(grads, variables))`), which never accumulate.
//!
//! ## Why it matters
//! PyTorch accumulates gradients: without `zero_grad` every step applies the sum of all
//! previous iterations' gradients.
//!
//! ## Example
//! ```python
//! loss.backward()
//! optimizer.step()        # no optimizer.zero_grad() in the loop
//! ```

use crate::analysis::EventKind;
use crate::checks::common::Ctx;
use crate::ir::Span;
use crate::msg::Msg;

pub fn run(ctx: &Ctx) -> Vec<(Msg, Msg, Span)> {
    let events = ctx.a.loop_events();
    let mut out = Vec::new();
    let mut reported = Vec::new();
    for e in &events {
        let EventKind::Step { opt } = e.kind else {
            continue;
        };
        if reported.contains(&opt) || ctx.a.optimizers[opt].given_gradients {
            continue;
        }
        let zeroed = events.iter().any(|z| ctx.zeroes(&z.kind, opt));
        if !zeroed {
            reported.push(opt);
            let name = ctx.a.optimizers[opt].name.clone();
            out.push((
                Msg::new(format!("`{name}` is stepped but its gradients are never zeroed in the loop"), format!("`{name}` se actualiza pero sus gradientes nunca se ponen a cero en el bucle")),
                Msg::new(format!("call `{name}.zero_grad()` before `backward()`"), format!("llama a `{name}.zero_grad()` antes de `backward()`")),
                e.span,
            ));
        }
    }
    out
}
