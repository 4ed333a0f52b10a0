//! PyTorch Lightning's training loop. An answer written as a `LightningModule` never
//! writes its loop: `trainer.fit(model, loader)` calls the module's `training_step` on
//! each batch and, unless the module asks for manual optimization, runs `zero_grad`,
//! `backward` and `step` on what `configure_optimizers` returned. This module runs that
//! loop in the interpreter, so the properties measure the module as Lightning would run
//! it.

use super::interp::{Interp, R, halt, keys_equal};
use super::value::*;
use std::cell::RefCell;
use std::rc::Rc;

type Kw = Vec<(String, Value)>;

/// What `pl.Trainer` and `L.Trainer` stand for.
pub const TRAINER_CLASS: &str = "lightning.Trainer";
/// A trainer made by calling the class.
pub const TRAINER: &str = "lightning.trainer";
/// Where the module keeps the optimizers `configure_optimizers` returned.
const OPTIMIZERS_ATTR: &str = "__lightning_optimizers";

/// Calls on the trainer's class and on a trainer.
pub fn call(ip: &mut Interp, path: &str, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    match path {
        TRAINER_CLASS => Ok(Value::Builtin(Rc::from(TRAINER))),
        _ if path == format!("{TRAINER}.fit") => fit(ip, args, kwargs),
        // `trainer.validate(...)`, `trainer.save_checkpoint(...)`: nothing to measure.
        _ => Ok(Value::None),
    }
}

/// `self.trainer.estimated_stepping_batches`, `trainer.max_epochs`: a number of the
/// trainer's (a count of steps or epochs), which schedules divide by; its methods stay
/// calls.
pub fn trainer_attr(ip: &Interp, path: &str, attr: &str) -> Option<Value> {
    let trainer = path == TRAINER_CLASS || path == TRAINER;
    let method = matches!(
        attr,
        "fit" | "validate" | "test" | "predict" | "tune" | "save_checkpoint"
    );
    (trainer && !method).then(|| {
        ip.harness
            .as_number(Value::Stand(Rc::from("unknown"), Rc::from(attr)))
    })
}

/// `trainer.fit(model, loader)`, `trainer.fit(model=model, train_dataloaders=loader)`.
pub fn fit(ip: &mut Interp, args: Vec<Value>, kwargs: Kw) -> R<Value> {
    let mut args = args.into_iter();
    let model = args
        .next()
        .or_else(|| kwarg(&kwargs, &["model"]))
        .map_or_else(
            || halt(ip.line, "`trainer.fit()` needs the module to train"),
            Ok,
        )?;
    let Value::Net(module) = &model else {
        return halt(
            ip.line,
            format!(
                "`trainer.fit()` is given a {}, not a module",
                model.type_name()
            ),
        );
    };
    let Some(step) = object_method(module, "training_step") else {
        return halt(
            ip.line,
            format!(
                "`{}` has no `training_step` for `trainer.fit()` to call",
                module.name
            ),
        );
    };
    let loader = match args.next().or_else(|| {
        kwarg(
            &kwargs,
            &[
                "train_dataloaders",
                "train_dataloader",
                "dataloaders",
                "datamodule",
            ],
        )
    }) {
        Some(given) => dataloader_of(ip, given)?,
        None => dataloader_of(ip, model.clone())?,
    };
    let optimizers = optimizers(ip, module)?;
    let automatic = match module_attr(module, "automatic_optimization") {
        Some(v) => v.truthy(),
        None => true,
    };
    // `training_step(self, batch, batch_idx, optimizer_idx)`: Lightning 1.x called it
    // once per optimizer, stepping only that one.
    let per_optimizer = automatic && step.params.len() >= 4;
    let fit_line = ip.line;
    let batches = ip.iterate(loader)?;
    for (index, batch) in batches.into_iter().enumerate() {
        ip.begin_loader_item(&batch)?;
        let this = || Some(Box::new(model.clone()));
        let rounds: Vec<Option<usize>> = if per_optimizer {
            (0..optimizers.len()).map(Some).collect()
        } else {
            vec![None]
        };
        for round in rounds {
            let mut step_args = vec![batch.clone(), Value::Int(index as i64)];
            if let Some(k) = round {
                step_args.push(Value::Int(k as i64));
            }
            let out = ip.call(Value::Func(step.clone(), this()), step_args, Vec::new())?;
            ip.line = fit_line;
            if !automatic {
                continue;
            }
            let Some(loss) = returned_loss(out) else {
                continue;
            };
            let stepped: Vec<Value> = match round {
                Some(k) => optimizers.get(k).cloned().into_iter().collect(),
                None => optimizers.clone(),
            };
            // The hooks around the step, in Lightning's order; a momentum update is often
            // written in one of them (lucidrains' BYOL in `on_before_zero_grad`).
            for opt in &stepped {
                call_hook(ip, &model, "on_before_zero_grad", vec![opt.clone()])?;
                super::ops::call_method(ip, opt.clone(), "zero_grad", Vec::new(), Vec::new())?;
            }
            super::ops::call_method(ip, loss, "backward", Vec::new(), Vec::new())?;
            call_hook(ip, &model, "on_after_backward", Vec::new())?;
            for opt in stepped {
                super::ops::call_method(ip, opt, "step", Vec::new(), Vec::new())?;
            }
        }
        // A momentum update written in the batch-end hook (BYOL, DINO examples).
        let hook_args = vec![Value::None, batch.clone(), Value::Int(index as i64)];
        call_hook(ip, &model, "on_train_batch_end", hook_args)?;
    }
    Ok(Value::None)
}

/// Calls the module's hook `name` when it defines one, with the arguments Lightning
/// gives it, and goes back to the line of `trainer.fit`.
fn call_hook(ip: &mut Interp, model: &Value, name: &str, args: Vec<Value>) -> R<()> {
    let Value::Net(module) = model else {
        return Ok(());
    };
    let Some(hook) = object_method(module, name) else {
        return Ok(());
    };
    let line = ip.line;
    ip.call(
        Value::Func(hook, Some(Box::new(model.clone()))),
        args,
        Vec::new(),
    )?;
    ip.line = line;
    Ok(())
}

/// `self.optimizers()`: the optimizers of `configure_optimizers`, one on its own and
/// several as a list, as Lightning gives them.
pub fn module_optimizers(ip: &mut Interp, module: &Rc<Net>) -> R<Value> {
    let mut all = optimizers(ip, module)?;
    Ok(if all.len() == 1 {
        all.remove(0)
    } else {
        Value::List(Rc::new(RefCell::new(all)))
    })
}

/// The module's optimizers, configured once.
fn optimizers(ip: &mut Interp, module: &Rc<Net>) -> R<Vec<Value>> {
    if let Some(Value::List(l)) = module_attr(module, OPTIMIZERS_ATTR) {
        return Ok(l.borrow().clone());
    }
    let line = ip.line;
    let own = |ip: &mut Interp, f| {
        ip.call(
            Value::Func(f, Some(Box::new(Value::Net(module.clone())))),
            Vec::new(),
            Vec::new(),
        )
    };
    let returned = match object_method(module, "configure_optimizers") {
        Some(configure) => own(ip, configure)?,
        // A module whose base class configures the optimizer (solo-learn's methods): it
        // trains the `learnable_params` the module names, or else all its parameters.
        None => {
            let params = match object_method(module, "learnable_params") {
                Some(f) => own(ip, f)?,
                None => Value::Params(module.clone()),
            };
            Value::Optim(Rc::new(RefCell::new(crate::exec::value::Optim::new(
                vec![params],
                ip.harness.spec.lr,
            ))))
        }
    };
    ip.line = line;
    let mut found = Vec::new();
    collect_optimizers(&returned, &mut found);
    if found.is_empty() {
        return halt(
            line,
            format!(
                "`{}.configure_optimizers()` returns no optimizer",
                module.name
            ),
        );
    }
    if let NetKind::Object(obj) = &module.kind {
        obj.borrow_mut().attrs.insert(
            OPTIMIZERS_ATTR.to_string(),
            Value::List(Rc::new(RefCell::new(found.clone()))),
        );
    }
    Ok(found)
}

/// Every form `configure_optimizers` may return: an optimizer, a list or tuple of them,
/// `([optimizers], [schedulers])`, or dicts with an `"optimizer"` key.
fn collect_optimizers(v: &Value, found: &mut Vec<Value>) {
    match v {
        Value::Optim(_) => found.push(v.clone()),
        Value::List(l) => {
            let items = l.borrow().clone();
            collect_from_sequence(&items, found);
        }
        Value::Tuple(t) => collect_from_sequence(t, found),
        Value::Dict(d) => {
            let key = Value::Str(Rc::from("optimizer"));
            if let Some((_, opt)) = d.borrow().iter().find(|(k, _)| keys_equal(k, &key)) {
                collect_optimizers(opt, found);
            }
        }
        _ => {}
    }
}

fn collect_from_sequence(items: &[Value], found: &mut Vec<Value>) {
    // `([opt_g, opt_d], [sched_g, sched_d])`: the schedulers hold no optimizer to take.
    match items.first() {
        Some(first @ (Value::List(_) | Value::Tuple(_))) => collect_optimizers(first, found),
        _ => items.iter().for_each(|i| collect_optimizers(i, found)),
    }
}

/// The loss a `training_step` returned: the tensor, or the `"loss"` of a dict.
fn returned_loss(out: Value) -> Option<Value> {
    match out {
        Value::Tensor(_) => Some(out),
        Value::Dict(d) => {
            let key = Value::Str(Rc::from("loss"));
            d.borrow()
                .iter()
                .find(|(k, _)| keys_equal(k, &key))
                .map(|(_, v)| v.clone())
        }
        _ => None,
    }
}

/// What `fit` iterates: a loader as given, or the `train_dataloader()` of a module or a
/// data module of the answer's, or else the harness's loader.
fn dataloader_of(ip: &mut Interp, given: Value) -> R<Value> {
    if let Value::Net(n) = &given
        && matches!(n.kind, NetKind::Object(_))
    {
        return match object_method(n, "train_dataloader") {
            Some(f) => {
                let line = ip.line;
                let loader = ip.call(
                    Value::Func(f, Some(Box::new(given.clone()))),
                    Vec::new(),
                    Vec::new(),
                )?;
                ip.line = line;
                Ok(loader)
            }
            None => Ok(Value::Loader(Rc::from("train_loader"))),
        };
    }
    Ok(given)
}

fn object_method(n: &Rc<Net>, name: &str) -> Option<Rc<crate::ir::FuncDef>> {
    match &n.kind {
        NetKind::Object(obj) => obj.borrow().class.method(name),
        _ => None,
    }
}

fn module_attr(n: &Rc<Net>, name: &str) -> Option<Value> {
    match &n.kind {
        NetKind::Object(obj) => obj.borrow().attrs.get(name).cloned(),
        _ => None,
    }
}

fn kwarg(kwargs: &Kw, names: &[&str]) -> Option<Value> {
    kwargs
        .iter()
        .find(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, v)| v.clone())
}
