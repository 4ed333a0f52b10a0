//! HuggingFace Accelerate's `Accelerator` and Lightning's `Fabric`: wrappers that move
//! a loop's model, optimizer and loader to devices and scale its backward pass. On toy
//! CPU tensors they change nothing but the names the answer calls: `prepare(...)` gives
//! back what it is given, and `backward(loss)` is `loss.backward()`.

use super::interp::{Interp, R, halt};
use super::value::*;
use std::rc::Rc;

type Kw = Vec<(String, Value)>;

/// What `Accelerator`, `Fabric` and an undefined `accelerator` stand for: the wrapper
/// itself (calling it makes the same wrapper).
pub const WRAPPER: &str = "accelerate.wrapper";

/// An attribute of the wrapper: a value (`accelerator.device`,
/// `accelerator.is_main_process`), or a method to call.
pub fn attr(name: &str) -> Value {
    match name {
        "device" => Value::Str(Rc::from("cpu")),
        "is_main_process" | "is_local_main_process" | "is_global_zero" => Value::Bool(true),
        "num_processes" | "world_size" => Value::Int(1),
        "process_index" | "local_process_index" | "global_rank" | "local_rank" => Value::Int(0),
        _ => Value::Builtin(Rc::from(format!("{WRAPPER}.{name}"))),
    }
}

/// Calls the wrapper, or one of its methods.
pub fn call(ip: &mut Interp, path: &str, args: Vec<Value>, _kwargs: Kw) -> R<Value> {
    let Some(method) = path.strip_prefix(WRAPPER).and_then(|m| m.strip_prefix('.')) else {
        return Ok(Value::Builtin(Rc::from(WRAPPER)));
    };
    match method {
        // `model, optimizer, loader = accelerator.prepare(model, optimizer, loader)`.
        "prepare"
        | "setup"
        | "setup_module"
        | "setup_optimizers"
        | "setup_dataloaders"
        | "prepare_model"
        | "prepare_optimizer"
        | "prepare_data_loader" => {
            let mut args = args;
            Ok(if args.len() == 1 {
                args.remove(0)
            } else {
                Value::Tuple(Rc::new(args))
            })
        }
        "backward" => match args.into_iter().next() {
            Some(loss) => super::ops::call_method(ip, loss, "backward", Vec::new(), Vec::new()),
            None => halt(ip.line, "`backward` needs the loss"),
        },
        // `accelerator.unwrap_model(student)`, `accelerator.gather(loss)`.
        "unwrap_model" | "gather" | "gather_for_metrics" | "reduce" | "pad_across_processes" => {
            Ok(args.into_iter().next().unwrap_or(Value::None))
        }
        // Contexts, clipping, logging and checkpoints: nothing the properties measure.
        _ => Ok(Value::None),
    }
}
