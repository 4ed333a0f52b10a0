//! Keras 3 on the torch backend. An answer written as a `keras.Model` with its own
//! `train_step` never writes its loop: `model.compile(optimizer=...)` gives the model
//! its optimizer and `model.fit(data)` calls `train_step` on each batch. The step does
//! its own `loss.backward()` and `self.optimizer.apply(gradients, weights)`, so this
//! module runs only what Keras adds around it. `keras.ops` functions are torch's, with
//! `axis` for `dim`; metrics (`keras.metrics.Mean`) record nothing that is measured.
//!
//! TensorFlow's own loop is here too: `with tf.GradientTape() as tape:` records as
//! libtorch always does, `tape.gradient(loss, variables)` is the backward pass and gives
//! the variables' gradients, and `optimizer.apply_gradients(zip(grads, variables))` is the
//! step over those variables.

use super::interp::{Interp, R, halt};
use super::value::*;
use std::cell::RefCell;
use std::rc::Rc;

type Kw = Vec<(String, Value)>;

/// What a metric object (`keras.metrics.Mean(name="loss")`) is.
pub const METRIC: &str = "keras.metric";

/// What `tf.GradientTape()` is.
pub const TAPE: &str = crate::analysis::facts::GRADIENT_TAPE;

/// Calls of `tf.*` outside Keras: the tape, and the math of `tf` and `tf.math` as
/// `keras.ops` functions.
pub fn call_tensorflow(ip: &mut Interp, path: &str, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    let rest = path.strip_prefix("tensorflow.").unwrap_or(path);
    let rest = rest.strip_prefix("math.").unwrap_or(rest);
    let rest = rest.strip_prefix("nn.").unwrap_or(rest);
    match rest {
        "GradientTape" => Ok(Value::Builtin(Rc::from(TAPE))),
        // `@tf.function`, `tf.print(...)`, `tf.random.set_seed(0)`: nothing measured.
        "function" => Ok(args.into_iter().next().unwrap_or(Value::None)),
        "print" | "random.set_seed" => Ok(Value::None),
        // `tf.Variable(tf.zeros([1, K]), trainable=False)`: the tensor it holds.
        "Variable" => Ok(args.into_iter().next().unwrap_or(Value::None)),
        // `tf.zeros([1, K])`: torch's, with the shape as one list.
        "zeros" | "ones" => {
            let shape = match args.into_iter().next() {
                Some(shape) => ip.iterate(shape)?,
                None => Vec::new(),
            };
            super::ops::call_builtin(ip, &format!("torch.{rest}"), shape, Vec::new())
        }
        "l2_normalize" => op(ip, "normalize", args, kwargs),
        // `tf.boolean_mask(t, mask)`: the masked tokens, as `t[mask]`.
        "boolean_mask" => {
            let mut args = args.into_iter();
            let (Some(x), Some(mask)) = (args.next(), args.next()) else {
                return halt(ip.line, "`tf.boolean_mask` needs a tensor and a mask");
            };
            super::ops::get_item(ip, x, mask)
        }
        "reduce_mean" => op(ip, "mean", args, kwargs),
        "reduce_sum" => op(ip, "sum", args, kwargs),
        "reduce_max" => op(ip, "max", args, kwargs),
        "concat" => op(ip, "concatenate", args, kwargs),
        _ => op(ip, rest, args, kwargs),
    }
}

/// `tape.gradient(loss, variables)`: the backward pass of the loss, and the gradients of
/// the variables, in their order.
pub fn tape_method(ip: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    if name != "gradient" {
        return Ok(Value::None);
    }
    let mut args = args.into_iter();
    let (Some(loss), Some(variables)) = (args.next(), args.next()) else {
        return halt(ip.line, "`tape.gradient` needs the loss and the variables");
    };
    super::ops::call_method(ip, loss, "backward", Vec::new(), Vec::new())?;
    let grads = ip
        .iterate(variables)?
        .into_iter()
        .map(|v| match v {
            Value::Tensor(t) if t.t.grad().defined() => Value::tensor(t.t.grad()),
            _ => Value::None,
        })
        .collect();
    Ok(Value::List(Rc::new(RefCell::new(grads))))
}

/// The variables an optimizer that `compile` never saw is told to update:
/// `apply_gradients(zip(grads, variables))` or `apply(grads, variables)`.
pub fn applied_variables(ip: &mut Interp, name: &str, args: &[Value]) -> R<Vec<Value>> {
    match (name, args) {
        ("apply_gradients", [pairs, ..]) => {
            let mut variables = Vec::new();
            for pair in ip.iterate(pairs.clone())? {
                if let Some(v) = ip.iterate(pair)?.into_iter().nth(1) {
                    variables.push(v);
                }
            }
            Ok(variables)
        }
        ("apply", [_, variables, ..]) => ip.iterate(variables.clone()),
        _ => Ok(Vec::new()),
    }
}

/// Calls of `keras.*`: `keras.ops` functions, optimizers, metrics, losses, and layers
/// or models (toy networks named by their class).
pub fn call(ip: &mut Interp, path: &str, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    let last = path.rsplit('.').next().unwrap_or(path);
    if let Some(function) = path.strip_prefix("keras.ops.") {
        return op(ip, function, args, kwargs);
    }
    // `keras.Sequential([backbone, head])`: the layers in order.
    if last == "Sequential" {
        let layers = match args.into_iter().next() {
            Some(list) => ip.iterate(list)?,
            None => Vec::new(),
        };
        return super::ops::call_builtin(ip, "torch.nn.Sequential", layers, Vec::new());
    }
    // `keras.losses.MeanSquaredError()`: torch's loss of the same meaning.
    if path.starts_with("keras.losses.") {
        let from_logits = kwargs.iter().any(|(k, v)| k == "from_logits" && v.truthy());
        let torch = match last {
            "MeanSquaredError" | "mean_squared_error" | "MSE" | "mse" => "MSELoss",
            "MeanAbsoluteError" | "mean_absolute_error" | "MAE" | "mae" => "L1Loss",
            "BinaryCrossentropy" | "binary_crossentropy" if from_logits => "BCEWithLogitsLoss",
            "BinaryCrossentropy" | "binary_crossentropy" => "BCELoss",
            _ => "CrossEntropyLoss",
        };
        let loss =
            super::ops::call_builtin(ip, &format!("torch.nn.{torch}"), Vec::new(), Vec::new())?;
        // The function forms take `(y_true, y_pred)` at once.
        return if last.chars().next().is_some_and(char::is_lowercase) && args.len() == 2 {
            ip.call(loss, args, Vec::new())
        } else {
            Ok(loss)
        };
    }
    if path.starts_with("keras.optimizers.") {
        // The optimizer learns what it trains from `compile`, or from `apply`.
        let lr = kwargs
            .iter()
            .find(|(k, _)| k == "learning_rate")
            .and_then(|(_, v)| v.as_f64())
            .unwrap_or(ip.harness.spec.lr);
        return Ok(Value::Optim(Rc::new(RefCell::new(Optim::new(
            Vec::new(),
            lr,
        )))));
    }
    if path.starts_with("keras.metrics.") {
        return Ok(Value::Builtin(Rc::from(METRIC)));
    }
    // `keras.layers.Dense(512)`: a new toy layer on each call.
    let named = ip.harness.unknown_net(last);
    Ok(Value::Net(ip.harness.construct(&named)))
}

/// `ops.normalize(p, axis=1)`, `ops.mean(x)`, `ops.stop_gradient(z)`: the torch function
/// of the same meaning.
fn op(ip: &mut Interp, function: &str, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    let mut kwargs: Kw = kwargs
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "axis" => ("dim".to_string(), v),
            "keepdims" => ("keepdim".to_string(), v),
            "order" => ("p".to_string(), v),
            _ => (k, v),
        })
        .collect();
    let torch = match function {
        "stop_gradient" => "torch.detach",
        "normalize" => {
            // Keras normalizes over the last axis unless told otherwise.
            if args.len() < 2 && !kwargs.iter().any(|(k, _)| k == "dim") {
                kwargs.push(("dim".to_string(), Value::Int(-1)));
            }
            "torch.nn.functional.normalize"
        }
        "concatenate" => "torch.cat",
        "power" => "torch.pow",
        "negative" => "torch.neg",
        "absolute" => "torch.abs",
        "square" | "sqrt" | "exp" | "log" | "mean" | "sum" | "matmul" | "softmax"
        | "log_softmax" | "abs" | "maximum" | "minimum" | "stack" | "transpose" | "cast"
        | "sigmoid" | "tanh" | "relu" | "max" | "min" | "norm" | "ones_like" | "zeros_like"
        | "cos" | "clip" | "where" => {
            let path = match function {
                "clip" => "torch.clamp".to_string(),
                "cast" => return Ok(args.into_iter().next().unwrap_or(Value::None)),
                _ => format!("torch.{function}"),
            };
            return super::ops::call_builtin(ip, &path, args, kwargs);
        }
        _ => {
            return halt(
                ip.line,
                format!("`keras.ops.{function}` is outside what --exec runs"),
            );
        }
    };
    super::ops::call_builtin(ip, torch, args, kwargs)
}

/// `model.compile(optimizer=keras.optimizers.SGD(...))`: the optimizer trains the
/// model's weights and is `self.optimizer` in `train_step`.
pub fn compile(ip: &mut Interp, model: &Rc<Net>, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    let optimizer = kwargs
        .into_iter()
        .find(|(k, _)| k == "optimizer")
        .map(|(_, v)| v)
        .or_else(|| args.into_iter().next());
    let Some(Value::Optim(opt)) = optimizer else {
        return halt(ip.line, "`compile` is given no optimizer that --exec runs");
    };
    if opt.borrow().sources.is_empty() {
        opt.borrow_mut().sources.push(Value::Params(model.clone()));
    }
    if let NetKind::Object(obj) = &model.kind {
        obj.borrow_mut()
            .attrs
            .insert("optimizer".to_string(), Value::Optim(opt));
    }
    Ok(Value::None)
}

/// Whether `model.fit(...)` is Keras's: the model's class has a `train_step` and no
/// `fit` of its own.
pub fn runs_fit(model: &Rc<Net>) -> bool {
    match &model.kind {
        NetKind::Object(obj) => {
            let class = &obj.borrow().class;
            class.method("train_step").is_some() && class.method("fit").is_none()
        }
        _ => false,
    }
}

/// `model.fit(train_ds, epochs=EPOCHS)`: `train_step` on each batch of the data, or of
/// the harness's loader.
pub fn fit(ip: &mut Interp, model: &Rc<Net>, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    let NetKind::Object(obj) = &model.kind else {
        return Ok(Value::None);
    };
    let Some(step) = obj.borrow().class.method("train_step") else {
        return Ok(Value::None);
    };
    let data = args
        .into_iter()
        .next()
        .or_else(|| kwargs.into_iter().find(|(k, _)| k == "x").map(|(_, v)| v))
        .unwrap_or_else(|| Value::Loader(Rc::from("train_ds")));
    let fit_line = ip.line;
    for batch in ip.iterate(data)? {
        ip.begin_loader_item(&batch)?;
        let this = Some(Box::new(Value::Net(model.clone())));
        ip.call(Value::Func(step.clone(), this), vec![batch], Vec::new())?;
        ip.line = fit_line;
    }
    Ok(Value::None)
}
