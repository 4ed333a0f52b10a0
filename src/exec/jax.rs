//! JAX, Flax and optax on the torch surface. A JAX answer keeps its parameters apart
//! from its networks and never writes `backward()` or `step()`:
//!
//! - `G.init(key, x)` gives the parameters of the toy network `G`, and
//!   `G.apply(params, x)` runs the network those parameters belong to;
//! - `jax.value_and_grad(loss_fn)(params, ...)` runs `loss_fn` and back-propagates its
//!   value, with the gradients of `params` (JAX differentiates with respect to the first
//!   argument) starting from zero; the gradients it returns are those that `backward()`
//!   leaves on the parameters;
//! - `tx = optax.adam(lr)` is an optimizer that `tx.init(params)` gives its parameters,
//!   `tx.update(grads, state)` gives back as the updates, and
//!   `optax.apply_updates(params, updates)` steps;
//! - `jax.numpy` is torch's functions, `jax.lax.stop_gradient` is `detach`, `jax.jit`
//!   changes nothing measured.

use super::interp::{Interp, R, halt};
use super::value::*;
use std::rc::Rc;

type Kw = Vec<(String, Value)>;

/// The callable `jax.value_and_grad(f)` makes, called with `f`, whether `f` returns an
/// auxiliary value, whether the loss's value is returned too, then `f`'s arguments.
const DIFFERENTIATED: &str = "jax.differentiated";

/// The transformations of optax that are optimizers (the others, such as
/// `clip_by_global_norm`, change no direction a property measures).
const OPTIMIZERS: &[&str] = &[
    "adam",
    "adamw",
    "sgd",
    "rmsprop",
    "adagrad",
    "lamb",
    "lars",
    "lion",
    "adabelief",
];

pub fn call(ip: &mut Interp, path: &str, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    if path == DIFFERENTIATED {
        return differentiated(ip, args, kwargs);
    }
    if let Some(name) = path.strip_prefix("jax.numpy.") {
        return match name {
            // `jnp.asarray(batch)`: the batch as it is.
            "asarray" | "array" if matches!(args.first(), Some(Value::Tensor(_))) => {
                Ok(args.into_iter().next().unwrap_or(Value::None))
            }
            _ => super::ops::call_builtin(ip, &format!("torch.{name}"), args, kwargs),
        };
    }
    if let Some(name) = path.strip_prefix("optax.") {
        return match name {
            _ if OPTIMIZERS.contains(&name) => Ok(Value::Optim(Rc::new(std::cell::RefCell::new(
                Optim::new(Vec::new(), ip.harness.spec.lr),
            )))),
            // `optax.chain(optax.clip_by_global_norm(1.0), optax.adam(lr))`: the
            // optimizer in the chain.
            "chain" => Ok(args
                .into_iter()
                .find(|a| matches!(a, Value::Optim(_)))
                .unwrap_or(Value::None)),
            "apply_updates" => match args.as_slice() {
                [params, updates @ Value::Optim(_), ..] => {
                    let params = params.clone();
                    super::ops::call_method(ip, updates.clone(), "step", Vec::new(), Vec::new())?;
                    Ok(params)
                }
                _ => halt(
                    ip.line,
                    "`optax.apply_updates` needs the parameters and the updates of an optax optimizer",
                ),
            },
            _ if name.starts_with("clip") || name.contains("schedule") => Ok(Value::None),
            _ => halt(ip.line, format!("`{path}` is outside what --exec runs")),
        };
    }
    match path {
        // `@jax.jit`, `jax.jit(train_step)`: compiling changes nothing measured.
        "jax.jit" | "jax.pmap" => Ok(args.into_iter().next().unwrap_or(Value::None)),
        "jax.lax.stop_gradient" => match args.into_iter().next() {
            Some(x) => super::ops::call_method(ip, x, "detach", Vec::new(), Vec::new()),
            None => halt(ip.line, "`stop_gradient` needs a value"),
        },
        "jax.value_and_grad" | "jax.grad" => {
            let Some(f) = args.into_iter().next() else {
                return halt(
                    ip.line,
                    format!("`{path}` needs the function to differentiate"),
                );
            };
            let has_aux = kwargs.iter().any(|(k, v)| k == "has_aux" && v.truthy());
            Ok(Value::Partial(Rc::new(Partial {
                func: Value::Builtin(Rc::from(DIFFERENTIATED)),
                args: vec![
                    f,
                    Value::Bool(has_aux),
                    Value::Bool(path == "jax.value_and_grad"),
                ],
                kwargs: Vec::new(),
            })))
        }
        // `key = jax.random.PRNGKey(0)`, `k1, k2 = jax.random.split(key)`: keys seed
        // nothing here, since the harness seeds every toy network by its name.
        "jax.random.PRNGKey" | "jax.random.key" => Ok(Value::Int(0)),
        "jax.random.split" => {
            let n = args
                .get(1)
                .and_then(Value::as_f64)
                .unwrap_or(2.0)
                .clamp(1.0, 64.0);
            Ok(Value::Tuple(Rc::new(vec![Value::Int(0); n as usize])))
        }
        _ => halt(ip.line, format!("`{path}` is outside what --exec runs")),
    }
}

/// `jax.value_and_grad(f, has_aux=...)(params, *rest)`.
fn differentiated(ip: &mut Interp, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    let mut args = args.into_iter();
    let (Some(f), Some(has_aux), Some(with_value)) = (args.next(), args.next(), args.next()) else {
        return halt(ip.line, "`jax.value_and_grad` needs a function");
    };
    let call_args: Vec<Value> = args.collect();
    let Some(params) = call_args.first().cloned() else {
        return halt(
            ip.line,
            "a function JAX differentiates needs its parameters first",
        );
    };
    let line = ip.line;
    super::ops::zero_grads(&super::ops::params_of(ip, params.clone())?);
    let out = ip.call(f, call_args, kwargs)?;
    ip.line = line;
    let (loss, aux) = if has_aux.truthy() {
        match ip.unpack(out, 2)?.as_slice() {
            [loss, aux] => (loss.clone(), Some(aux.clone())),
            _ => return halt(line, "a function with `has_aux=True` returns a pair"),
        }
    } else {
        (out, None)
    };
    super::ops::call_method(ip, loss.clone(), "backward", Vec::new(), Vec::new())?;
    let value = match aux.clone() {
        Some(aux) => Value::Tuple(Rc::new(vec![loss, aux])),
        None => loss,
    };
    // The gradients live on the parameters, as `backward()` leaves them.
    Ok(match (with_value.truthy(), aux) {
        (true, _) => Value::Tuple(Rc::new(vec![value, params])),
        (false, Some(aux)) => Value::Tuple(Rc::new(vec![params, aux])),
        (false, None) => params,
    })
}
