//! `torch.distributed` and the CUDA device calls of a multi-GPU script (torchrun/DDP).
//! A toy run is the one process of a one-process launch on the CPU: rank 0 of a world of
//! one, where a collective leaves its tensor as it is and a device choice changes
//! nothing. The networks' wrappers (`DDP(model)`) are `facts::wraps_a_network`.

use super::interp::{Interp, R, halt};
use super::value::*;
use std::rc::Rc;

/// What `DistributedSampler(dataset)` stands for: a sampler whose only use in a loop is
/// `sampler.set_epoch(epoch)`. The loader stays the harness's.
const SAMPLER: &str = "torch.distributed.sampler";

/// The calls of `torch.cuda` that choose, count or wait for devices. Its tensor types
/// (`torch.cuda.FloatTensor`) and mixed precision are the torch surface's.
const CUDA_DEVICE_CALLS: &[&str] = &[
    "set_device",
    "synchronize",
    "empty_cache",
    "current_device",
    "device_count",
];

/// Whether `path` is a call of this module's surface.
pub fn handles(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    path.starts_with("torch.distributed.")
        || last == "DistributedSampler"
        || (path.starts_with("torch.cuda.") && CUDA_DEVICE_CALLS.contains(&last))
}

/// Calls `torch.distributed.*`, `torch.cuda.*` or a distributed sampler.
pub fn call(ip: &Interp, path: &str, args: &[Value]) -> R<Value> {
    let last = path.rsplit('.').next().unwrap_or(path);
    if last == "DistributedSampler" {
        return Ok(Value::Builtin(Rc::from(SAMPLER)));
    }
    if path.starts_with(SAMPLER) {
        return match last {
            "set_epoch" => Ok(Value::None),
            _ => halt(
                ip.line,
                format!("`sampler.{last}` is outside what --exec runs"),
            ),
        };
    }
    match last {
        // Setting up or tearing down the process group, waiting for the other processes,
        // choosing or emptying a device: with one process on the CPU, nothing to do.
        "init_process_group"
        | "destroy_process_group"
        | "barrier"
        | "set_device"
        | "synchronize"
        | "empty_cache" => Ok(Value::None),
        // `dist.all_reduce(loss)`, `dist.broadcast(t, src=0)`: over a world of one, each
        // tensor already holds the result, in place.
        "all_reduce" | "broadcast" | "reduce" => match args.first() {
            Some(Value::Tensor(_)) => Ok(Value::None),
            _ => halt(ip.line, format!("`{path}` needs a tensor")),
        },
        "get_rank" | "get_local_rank" | "current_device" => Ok(Value::Int(0)),
        "get_world_size" => Ok(Value::Int(1)),
        "is_initialized" | "is_available" if path.starts_with("torch.distributed") => {
            Ok(Value::Bool(true))
        }
        // Toy runs are on the CPU: no CUDA device is there to count.
        "device_count" => Ok(Value::Int(0)),
        _ => halt(ip.line, format!("`{path}` is outside what --exec runs")),
    }
}
