//! Properties: what each rubric rule stands for, measured on runs of the answer.
//!
//! A property runs the answer once or a few times under harness knobs (views swapped,
//! the predictor cut or made the identity, generators made the identity, the
//! discriminators' outputs shifted) and reads the trace: losses at `backward()`,
//! gradients per network, which tensors a loss compared, parameters before and after
//! the updates. The rubric's `[exec.properties]` ties rules to properties by name.

use super::harness::{Harness, Knobs};
use super::interp::{Budget, Halt, Interp, Trace};
use super::{ExecReport, Outcome, PropertyCheck};
use crate::grade::Report;
use crate::msg::{Msg, msg};
use crate::rubric::Rubric;
use std::collections::{BTreeMap, HashMap};

/// The result of one run: its trace, or why it stopped, and the harness it ran with.
struct Run {
    trace: Trace,
    halt: Option<Halt>,
    harness: Harness,
    /// Whether each backward of the trace is the discriminators' (`trains_discriminators`),
    /// decided once: every GAN property asks it of every backward.
    discriminators_backwards: std::cell::OnceCell<Vec<bool>>,
}

fn run_with(body: &[crate::ir::Stmt], rubric: &Rubric, knobs: Knobs, patches: i64) -> Run {
    let mut harness = Harness::new(rubric, knobs);
    harness.patches = patches;
    let (trace, halt) = {
        let mut ip = Interp::new(&mut harness, Budget::default());
        let r = ip.run(body);
        (std::mem::take(&mut ip.trace), r.err())
    };
    Run {
        trace,
        halt,
        harness,
        discriminators_backwards: std::cell::OnceCell::new(),
    }
}

/// The properties that read a summed loss term by term (`term_roles`, the cycle terms).
pub const READS_LOSS_TERMS: &[&str] = &[
    "generator_fools_discriminator",
    "discriminator_targets",
    "detached_fakes",
    "separate_updates",
    "cycle_consistency",
];

/// The properties that read how much each loss call weighs in the loss (equal weights
/// of the two directions or views); only their rubrics pay for weighing.
pub const WEIGHS_LOSS_CALLS: &[&str] = &["cls_cross_view", "patch_same_view", "swap_symmetric"];

/// What one property concluded.
struct Measured {
    outcome: Outcome,
    detail: Msg,
    /// A failure seen in what ran, which nothing after a stop could undo (a step that
    /// ran before backward).
    conclusive: bool,
}

fn pass(detail: Msg) -> Measured {
    Measured {
        outcome: Outcome::Pass,
        detail,
        conclusive: false,
    }
}

fn fail(detail: Msg) -> Measured {
    Measured {
        outcome: Outcome::Fail,
        detail,
        conclusive: false,
    }
}

fn fail_seen(detail: Msg) -> Measured {
    Measured {
        conclusive: true,
        ..fail(detail)
    }
}

fn skip(detail: Msg) -> Measured {
    Measured {
        outcome: Outcome::Skipped,
        detail,
        conclusive: false,
    }
}

/// Runs the answer and measures every property the rubric ties to a rule.
pub fn measure(text: &str, rubric: &Rubric, report: &Report) -> ExecReport {
    if rubric.exec.properties.is_empty() {
        let id = &rubric.id;
        return ExecReport::not_run(msg!(
            "rubric `{id}` declares no [exec] properties",
            "la rúbrica `{id}` no declara propiedades [exec]"
        ));
    }
    let mut norm = crate::normalize::normalize(text);
    let parsed = crate::syntax::parse(&mut norm);
    let body = &parsed.body;
    // Networks the static analysis gives a role by structure (a frozen copy is the
    // teacher) take that role here too, whatever they are called.
    let structural = crate::grade::structural_roles(&crate::analysis::analyse(body), rubric);
    let with_structural_roles;
    let rubric = if structural.is_empty() {
        rubric
    } else {
        let mut patterns = rubric.roles.patterns.clone();
        for (name, role) in structural {
            patterns.entry(role).or_default().push(name);
        }
        let mut r = rubric.clone();
        r.roles = crate::analysis::facts::Roles::new(patterns);
        with_structural_roles = r;
        &with_structural_roles
    };
    // The result must not depend on how many threads libtorch would like to use.
    tch::set_num_threads(1);
    let mut runs: HashMap<String, Run> = HashMap::new();
    let mut base = run_with(body, rubric, Knobs::default(), super::harness::PATCHES);
    // A mask over the answer's own grid of patches sizes the toy ViT: the base run starts
    // again with that many tokens, and every other run uses them too.
    if let Some(patches) = base.harness.wanted_patches {
        base = run_with(body, rubric, Knobs::default(), patches);
    }
    if let Some(h) = &base.halt
        && base.trace.backwards.is_empty()
    {
        let (line, cause) = (h.line, &h.cause);
        return ExecReport::not_run(msg!("line {line}: {cause}", "línea {line}: {cause}"));
    }
    runs.insert("base".into(), base);
    let mut checks = Vec::new();
    for rule in &rubric.rules {
        let Some(props) = rubric.exec.properties.get(&rule.id) else {
            continue;
        };
        let verdict = report
            .rules
            .iter()
            .find(|r| r.id == rule.id)
            .map(|r| r.passed);
        for p in props {
            let mut m = measure_one(p, body, rubric, &mut runs);
            // A failure measured on a run that stopped early may only say that the
            // answer went past what the executor runs: it is not a measurement.
            if m.outcome == Outcome::Fail
                && !m.conclusive
                && let Some(h) = &runs["base"].halt
            {
                let (en, es, line, cause) = (&m.detail.en, &m.detail.es, h.line, &h.cause);
                m = skip(msg!(
                    "{en}; but the run stopped at line {line}: {cause}",
                    "{es}; pero la ejecución se detuvo en la línea {line}: {cause}"
                ));
            }
            if m.outcome == Outcome::Fail
                && let Some(line) = runs["base"].trace.unparsed.first()
            {
                let (en, es) = (&m.detail.en, &m.detail.es);
                m = skip(msg!(
                    "{en}; but line {line} could not be parsed and did not run",
                    "{es}; pero la línea {line} no se pudo leer y no se ejecutó"
                ));
            }
            let agrees = match m.outcome {
                Outcome::Skipped => None,
                o => verdict.map(|v| v == (o == Outcome::Pass)),
            };
            checks.push(PropertyCheck {
                property: p.clone(),
                rule: Some(rule.id.clone()),
                result: m.outcome,
                detail: m.detail,
                agrees,
            });
        }
    }
    let mut report = ExecReport::from_checks(checks);
    if let Some(line) = runs["base"].trace.untrained_backwards.first() {
        report.add_note(msg!(
            "line {line}: `backward()` of a loss that depends on no trained parameter (PyTorch raises here); the run went on without it",
            "línea {line}: `backward()` de una pérdida que no depende de ningún parámetro entrenado (PyTorch falla aquí); la ejecución siguió sin ella"
        ));
    }
    report
}

fn get_run<'a>(
    runs: &'a mut HashMap<String, Run>,
    key: &str,
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    knobs: Knobs,
) -> &'a Run {
    // Every run's toy ViT has as many tokens as the base run's.
    let patches = runs["base"].harness.patches;
    runs.entry(key.to_string())
        .or_insert_with(|| run_with(body, rubric, knobs, patches))
}

/// The first loss of a run under `knobs` (cached by `key`), or why there is none.
fn loss_of_run(
    runs: &mut HashMap<String, Run>,
    key: &str,
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    knobs: Knobs,
) -> Result<f64, Msg> {
    let run = get_run(runs, key, body, rubric, knobs);
    first_loss(run).ok_or_else(|| halted(run))
}

fn first_loss(run: &Run) -> Option<f64> {
    run.trace.backwards.first().map(|b| b.loss)
}

/// A single view's number, 1 for the first, from its bit in a tensor's `views`.
fn view_number(bit: u32) -> u32 {
    bit.trailing_zeros() + 1
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0)
}

/// Nets of a role, by id.
fn nets_with_role(run: &Run, role: &str) -> Vec<usize> {
    run.harness
        .nets
        .iter()
        .filter(|n| run.harness.role_of(n).as_deref() == Some(role))
        .map(|n| n.id)
        .collect()
}

/// The predictors the run called: one the answer defines but never calls is no
/// predictor in effect.
fn called_predictors(run: &Run) -> Vec<usize> {
    nets_with_role(run, "predictor")
        .into_iter()
        .filter(|p| run.trace.net_calls.iter().any(|c| c.net == *p))
        .collect()
}

fn halted(run: &Run) -> Msg {
    match &run.halt {
        Some(h) => {
            let (line, cause) = (h.line, &h.cause);
            msg!(
                "the run stopped at line {line}: {cause}",
                "la ejecución se detuvo en la línea {line}: {cause}"
            )
        }
        None => msg!(
            "the run did no backward pass",
            "la ejecución no hizo ninguna pasada hacia atrás"
        ),
    }
}

fn measure_one(
    name: &str,
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    runs: &mut HashMap<String, Run>,
) -> Measured {
    let base = &runs["base"];
    if base.trace.backwards.is_empty() {
        // A loop that ran to its end without a backward pass updates nothing from the
        // loss, whatever its steps do: that much is measured.
        let about_updates = matches!(name, "step_after_backward" | "separate_updates");
        if about_updates && base.halt.is_none() && base.trace.iterations > 0 {
            let n = base.trace.iterations;
            if let Some((line, loss)) = base.trace.lost_backwards.first() {
                return fail(msg!(
                    "the training loop ran {n} iterations to its end without a backward pass: `{loss}.backward()` at line {line} is on a loss the answer never computes",
                    "el bucle de entrenamiento hizo {n} iteraciones hasta el final sin ninguna pasada hacia atrás: `{loss}.backward()` en la línea {line} es de una pérdida que la respuesta nunca calcula"
                ));
            }
            return fail(msg!(
                "the training loop ran {n} iterations to its end without a backward pass, so no update follows one",
                "el bucle de entrenamiento hizo {n} iteraciones hasta el final sin ninguna pasada hacia atrás, así que ninguna actualización sigue a una"
            ));
        }
        return skip(halted(base));
    }
    match name {
        "distinct_views" => distinct_views(base),
        "predictor_on_encoder" => predictor_on_encoder(base),
        "stop_gradient" => {
            // A layer of the predictor's (`self.net` of a `Predictor` class) is no encoder,
            // whatever its name says.
            let encoders: Vec<usize> = nets_with_role(base, "encoder")
                .into_iter()
                .filter(|id| {
                    base.harness
                        .nets
                        .get(*id)
                        .is_none_or(|n| !base.harness.within_role(n, "predictor"))
                })
                .collect();
            // A predictor the answer defines but never calls cuts nothing: the answer
            // has no predictor in effect.
            let predictors = called_predictors(base);
            if encoders.is_empty() {
                return skip(msg!(
                    "no network plays the encoder",
                    "ninguna red hace de codificador"
                ));
            }
            let base_reaches = base.trace.backwards[0]
                .grads
                .iter()
                .any(|(id, g)| *g > 0.0 && (predictors.contains(id) || encoders.contains(id)));
            if !base_reaches {
                return fail(msg!(
                    "no gradient reaches the encoder or the predictor at all",
                    "ningún gradiente llega al codificador ni al predictor"
                ));
            }
            // With a predictor, cutting its input leaves only the target branch to carry
            // gradient into the encoder; without one, cutting the first argument of every
            // loss call does.
            let cut = get_run(
                runs,
                "cut",
                body,
                rubric,
                Knobs {
                    cut_predictor: !predictors.is_empty(),
                    cut_loss_inputs: predictors.is_empty(),
                    ..Knobs::default()
                },
            );
            let Some(b) = cut.trace.backwards.first() else {
                return skip(halted(cut));
            };
            let leak: f64 = encoders
                .iter()
                .map(|e| b.grads.get(e).copied().unwrap_or(0.0))
                .sum();
            if predictors.is_empty() {
                return if leak > 0.0 {
                    fail(msg!(
                        "no predictor, and with the first argument of each loss call cut the encoder still receives gradient ({leak:.3e}): the target is not detached",
                        "no hay predictor y, con el primer argumento de cada llamada a la pérdida cortado, el codificador sigue recibiendo gradiente ({leak:.3e}): el objetivo no está separado del grafo"
                    ))
                } else {
                    pass(msg!(
                        "no predictor; with the first argument of each loss call cut, the encoder receives no gradient",
                        "no hay predictor; con el primer argumento de cada llamada a la pérdida cortado, el codificador no recibe gradiente"
                    ))
                };
            }
            if leak > 0.0 {
                fail(msg!(
                    "with the predictor's input cut, the encoder still receives gradient (Σ|g| = {leak:.3e}): the target branch is not detached",
                    "con la entrada del predictor cortada, el codificador sigue recibiendo gradiente (Σ|g| = {leak:.3e}): la rama objetivo no está separada del grafo"
                ))
            } else {
                pass(msg!(
                    "with the predictor's input cut, the encoder receives no gradient",
                    "con la entrada del predictor cortada, el codificador no recibe gradiente"
                ))
            }
        }
        "swap_symmetric" => {
            let Some(l) = first_loss(base) else {
                return skip(halted(base));
            };
            if let Some(why) = views_through_different_encoders(base) {
                return skip(why);
            }
            if views_reaching_networks(base) < 2 {
                // One forward pass of one view: the loss can only compare that view
                // with itself, in one term. (A view fed twice, `x2 = x1`, may still be
                // written as a symmetric loss: that is `distinct_views`' failure.)
                let it = base.trace.backwards[0].iteration;
                let mut calls_per_net: HashMap<usize, usize> = HashMap::new();
                for c in base.trace.net_calls.iter().filter(|c| c.iteration == it) {
                    *calls_per_net.entry(c.net).or_default() += 1;
                }
                let one_pass = calls_per_net.values().all(|n| *n == 1);
                if one_pass && !base.trace.same_view.is_empty() && base.trace.cross_view.is_empty()
                {
                    return fail(msg!(
                        "one view goes once through the networks, so the loss is a single term comparing it with itself",
                        "una sola vista pasa una vez por las redes, así que la pérdida es un único término que la compara consigo misma"
                    ));
                }
                return skip(msg!(
                    "only one view reaches the networks, so swapping views means nothing here (see distinct_views)",
                    "solo una vista llega a las redes, así que intercambiar las vistas no significa nada aquí (ver distinct_views)"
                ));
            }
            let cross = !base.trace.cross_view.is_empty();
            // `D(z1, sg(z2))` with no predictor is symmetric in value, but only view 1 is
            // ever the online side: the loss calls must pair the views both ways.
            let pairs: Vec<(u32, u32)> = base
                .trace
                .loss_calls
                .iter()
                .map(|c| c.views)
                .filter(|(a, b)| a != b)
                .collect();
            let one_direction = pairs
                .first()
                .filter(|(a, b)| !pairs.iter().any(|(x, y)| x == b && y == a))
                .map(|(a, b)| (view_number(*a), view_number(*b)));
            let same = !base.trace.same_view.is_empty();
            // Symmetry is judged on the roles of D's arguments: where a term forgot the
            // predictor that another term applies (`D(p1, z2) + D(z2, z1)`), the loss is
            // compared under a swap with the predictor as the identity, so that only the
            // pairing of views and the weights count (the predictor is
            // `predictor_on_encoder`'s business).
            let by_roles =
                !called_predictors(base).is_empty() && base.trace.terms_without_predictor > 0;
            let unequal = unequal_direction_weights(base, None);
            let identity = Knobs {
                predictor_identity: Some(1.0),
                ..Knobs::default()
            };
            let swap = Knobs {
                swap_views: true,
                ..Knobs::default()
            };
            let losses = if by_roles {
                loss_of_run(runs, "roles", body, rubric, identity).and_then(|l| {
                    let both = Knobs {
                        swap_views: true,
                        ..identity
                    };
                    Ok((l, loss_of_run(runs, "roles swap", body, rubric, both)?))
                })
            } else {
                loss_of_run(runs, "swap", body, rubric, swap).map(|s| (l, s))
            };
            let (l, s) = match losses {
                Ok(pair) => pair,
                Err(why) => return skip(why),
            };
            if !close(l, s) {
                return fail(msg!(
                    "the loss changes when the views are swapped ({l:.6} → {s:.6})",
                    "la pérdida cambia al intercambiar las vistas ({l:.6} → {s:.6})"
                ));
            }
            if !cross || same {
                return fail(msg!(
                    "the loss is unchanged under a swap ({l:.6}) but pairs a view with itself",
                    "la pérdida no cambia al intercambiar las vistas ({l:.6}) pero empareja una vista consigo misma"
                ));
            }
            // Each D is symmetric in value once the predictor is the identity, so a
            // swap cannot see unequal weights there: the weights of the calls can.
            if let Some((w1, w2)) = unequal {
                return fail(msg!(
                    "the loss crosses the views both ways, but with unequal weights ({w1:.2} and {w2:.2} of it)",
                    "la pérdida cruza las vistas en ambos sentidos, pero con pesos distintos ({w1:.2} y {w2:.2} de ella)"
                ));
            }
            if let Some((a, b)) = one_direction {
                return fail(msg!(
                    "the loss is unchanged in value when the views are swapped ({l:.6}), but its terms compare view {a} with view {b} in that direction only",
                    "la pérdida no cambia de valor al intercambiar las vistas ({l:.6}), pero sus términos comparan la vista {a} con la {b} solo en ese sentido"
                ));
            }
            if by_roles {
                return pass(msg!(
                    "with the predictor as the identity (a term lacks it), the loss is unchanged when the views are swapped ({l:.6}) and pairs different views",
                    "con el predictor como identidad (a un término le falta), la pérdida no cambia al intercambiar las vistas ({l:.6}) y empareja vistas distintas"
                ));
            }
            pass(msg!(
                "the loss is unchanged when the views are swapped ({l:.6}) and pairs different views",
                "la pérdida no cambia al intercambiar las vistas ({l:.6}) y empareja vistas distintas"
            ))
        }
        "cls_cross_view" => token_pairing(base, super::value::Token::Cls, "[CLS]"),
        "patch_same_view" => patch_same_view(base),
        "negative_cosine" => {
            if let Some(why) = views_through_different_encoders(base) {
                return skip(why);
            }
            let without_predictor = called_predictors(base).is_empty();
            let one = get_run(
                runs,
                "identity1",
                body,
                rubric,
                Knobs {
                    same_views: true,
                    predictor_identity: Some(1.0),
                    ..Knobs::default()
                },
            );
            let Some(l1) = first_loss(one) else {
                return skip(halted(one));
            };
            // Without a predictor to scale, the prediction is the first argument of each
            // loss call (`D(z1, z2.detach())`), scaled there.
            let (name, scaled) = if without_predictor {
                (
                    "loss input ×3",
                    Knobs {
                        loss_input_scale: Some(3.0),
                        ..Knobs::default()
                    },
                )
            } else {
                (
                    "identity3",
                    Knobs {
                        predictor_identity: Some(3.0),
                        ..Knobs::default()
                    },
                )
            };
            let three = get_run(
                runs,
                name,
                body,
                rubric,
                Knobs {
                    same_views: true,
                    ..scaled
                },
            );
            let Some(l3) = first_loss(three) else {
                return skip(halted(three));
            };
            let Some(l) = first_loss(&runs["base"]) else {
                return skip(msg!("no loss", "no hay pérdida"));
            };
            // A negative cosine, or a loss equivalent to one (the MSE of normalized
            // vectors, 2 − 2·cos): unchanged when the prediction is scaled, and lowest when
            // prediction and target are the same.
            if !close(l1, l3) {
                fail(msg!(
                    "the loss changes when the prediction is scaled ×3 ({l1:.4} → {l3:.4}): it is not a cosine",
                    "la pérdida cambia al escalar la predicción ×3 ({l1:.4} → {l3:.4}): no es un coseno"
                ))
            } else if l <= l1 + 1e-6 {
                fail(msg!(
                    "different views give a loss ({l:.4}) no larger than identical ones ({l1:.4}): similarity is rewarded the wrong way",
                    "vistas distintas dan una pérdida ({l:.4}) no mayor que vistas idénticas ({l1:.4}): la similitud se premia al revés"
                ))
            } else {
                pass(msg!(
                    "identical prediction and target give the lowest loss ({l1:.4}), unchanged when the prediction is scaled",
                    "predicción y objetivo idénticos dan la pérdida más baja ({l1:.4}), que no cambia al escalar la predicción"
                ))
            }
        }
        "step_after_backward" => {
            let first = &base.trace.backwards[0];
            let step = base
                .trace
                .steps
                .iter()
                .find(|s| s.iteration == first.iteration && s.order > first.order);
            match step {
                Some(s) if !s.moved.is_empty() => {
                    let (step, back) = (s.line, first.line);
                    pass(msg!(
                        "the update at line {step} follows backward() at line {back} and moves the weights",
                        "la actualización de la línea {step} sigue a backward() de la línea {back} y mueve los pesos"
                    ))
                }
                // A learning rate that warms up from zero moves nothing in the first
                // iteration; the same update moves the weights later.
                Some(s)
                    if base.trace.steps.iter().any(|later| {
                        later.line == s.line && later.order > s.order && !later.moved.is_empty()
                    }) =>
                {
                    let (step, back) = (s.line, first.line);
                    pass(msg!(
                        "the update at line {step} follows backward() at line {back}; it moves the weights from the second iteration on (the first has a learning rate of zero, a warm-up)",
                        "la actualización de la línea {step} sigue a backward() de la línea {back}; mueve los pesos a partir de la segunda iteración (la primera tiene tasa de aprendizaje cero, un calentamiento)"
                    ))
                }
                Some(s) => {
                    let step = s.line;
                    fail(msg!(
                        "the update at line {step} moves no weights",
                        "la actualización de la línea {step} no mueve ningún peso"
                    ))
                }
                None => {
                    let (back, first_iteration) = (first.line, first.iteration);
                    // `optimizer.step()` then `loss.backward()`: the step ran with none of
                    // this loss's gradients, whatever the rest of the run would do.
                    if let Some(s) = base
                        .trace
                        .steps
                        .iter()
                        .find(|s| s.iteration == first_iteration && s.order < first.order)
                    {
                        let step = s.line;
                        return fail_seen(msg!(
                            "the update at line {step} runs before backward() at line {back}, with none of this loss's gradients",
                            "la actualización de la línea {step} se ejecuta antes de backward() de la línea {back}, sin ningún gradiente de esta pérdida"
                        ));
                    }
                    // `if (it + 1) % accum_steps == 0: step()`: gradients accumulated
                    // over several iterations, then one step that moves the weights,
                    // seen in this run or, where this one never steps, in a longer
                    // loader's (the first iteration, as found above, steps neither before
                    // nor after its backward).
                    let accumulated = |run: &Run| {
                        run.trace
                            .steps
                            .iter()
                            .find(|s| {
                                !s.moved.is_empty()
                                    && run.trace.backwards.iter().any(|b| b.order < s.order)
                            })
                            .map(|s| (s.line, s.iteration))
                    };
                    let mut found = accumulated(base);
                    if found.is_none() && base.trace.steps.is_empty() {
                        let long = Knobs {
                            long_loader: true,
                            ..Knobs::default()
                        };
                        found = accumulated(get_run(runs, "long loader", body, rubric, long));
                    }
                    if let Some((step, iteration)) = found {
                        let iterations = iteration.saturating_sub(first_iteration) + 1;
                        return pass(msg!(
                            "the update at line {step} follows the backward() calls at line {back} of {iterations} iterations (gradient accumulation) and moves the weights",
                            "la actualización de la línea {step} sigue a las llamadas a backward() de la línea {back} de {iterations} iteraciones (acumulación de gradientes) y mueve los pesos"
                        ));
                    }
                    fail(msg!(
                        "no update step follows backward() at line {back} in the same iteration",
                        "ningún paso de actualización sigue a backward() de la línea {back} en la misma iteración"
                    ))
                }
            }
        }
        "masked_student" => masked_student(base),
        "teacher_no_grad" => {
            let teachers = nets_with_role(base, "teacher");
            if teachers.is_empty() {
                return skip(msg!(
                    "no network plays the teacher",
                    "ninguna red hace de profesor"
                ));
            }
            let g: f64 = base
                .trace
                .backwards
                .iter()
                .flat_map(|b| {
                    teachers
                        .iter()
                        .map(|t| b.grads.get(t).copied().unwrap_or(0.0))
                })
                .sum();
            // An optimizer that holds the teacher's trainable weights would move them as
            // soon as anything gives them a gradient, or by its weight decay: the rule
            // asks for the teacher out of the optimizer, or frozen in it.
            // A teacher built from parts (an answer's `MultiCropWrapper` copied) holds its
            // weights in those parts.
            let teacher_parts: Vec<usize> = base
                .harness
                .nets
                .iter()
                .filter(|n| teachers.contains(&n.id))
                .flat_map(|n| base.harness.ids_within(n))
                .collect();
            let holding = base
                .trace
                .steps
                .iter()
                .find(|s| s.holds.iter().any(|n| teacher_parts.contains(n)));
            if g > 0.0 {
                fail(msg!(
                    "the teacher receives gradient at backward() (Σ|g| = {g:.3e})",
                    "el profesor recibe gradiente en backward() (Σ|g| = {g:.3e})"
                ))
            } else if let Some(step) = holding {
                let line = step.line;
                fail(msg!(
                    "no gradient reaches the teacher, but the optimizer stepped at line {line} holds its trainable (unfrozen) parameters",
                    "ningún gradiente llega al profesor, pero el optimizador que avanza en la línea {line} contiene sus parámetros entrenables (no congelados)"
                ))
            } else {
                pass(msg!(
                    "no gradient reaches the teacher",
                    "ningún gradiente llega al profesor"
                ))
            }
        }
        "ema_teacher" => ema_teacher(base),
        "generator_fools_discriminator" => gan_bias(body, rubric, runs, GanProbe::Generator),
        "discriminator_targets" => gan_bias(body, rubric, runs, GanProbe::Discriminator),
        "detached_fakes" => detached_fakes(body, rubric, runs),
        "cycle_consistency" => cycle(body, rubric, runs),
        "separate_updates" => separate_updates(body, rubric, runs),
        other => skip(msg!(
            "unknown property `{other}`",
            "propiedad desconocida `{other}`"
        )),
    }
}

fn distinct_views(base: &Run) -> Measured {
    let it = base.trace.backwards[0].iteration;
    let roles = ["encoder", "student", "teacher"];
    let mut by_net: BTreeMap<usize, Vec<&super::value::Tagged>> = BTreeMap::new();
    for c in base.trace.net_calls.iter().filter(|c| c.iteration == it) {
        let Some(net) = base.harness.nets.get(c.net) else {
            continue;
        };
        let role = base.harness.role_of(net);
        if role.as_deref().is_some_and(|r| roles.contains(&r))
            && let Some(i) = &c.input
        {
            by_net.entry(c.net).or_default().push(i);
        }
    }
    // The rule asks for two augmentations of the batch: whether one encoder or two
    // embed them is encoder_predictor's question, not this one's.
    let inputs: Vec<&super::value::Tagged> = by_net.values().flatten().copied().collect();
    // `encoder(torch.cat([x1, x2]))`: one input holding two views, whose halves differ.
    for x in &inputs {
        let bits = (x.views & !MARKS).count_ones();
        let rows = x.t.size().first().copied().unwrap_or(0);
        if bits >= 2
            && rows >= 2
            && rows % 2 == 0
            && let Ok(halves) = x.t.f_chunk(2, 0)
            && !halves[0].allclose(&halves[1], 1e-6, 1e-6, false)
        {
            return pass(msg!(
                "the networks receive two different augmented views of the batch, joined in one batch",
                "las redes reciben dos vistas aumentadas distintas del lote, unidas en un solo lote"
            ));
        }
    }
    for (i, a) in inputs.iter().enumerate() {
        for b in &inputs[i + 1..] {
            let views_differ = a.views & !MARKS != b.views & !MARKS
                && a.views & !MARKS != 0
                && b.views & !MARKS != 0;
            let values_differ = a.t.size() != b.t.size() || !a.t.allclose(&b.t, 1e-6, 1e-6, false);
            if views_differ && values_differ {
                return pass(msg!(
                    "the networks receive two different augmented views of the batch",
                    "las redes reciben dos vistas aumentadas distintas del lote"
                ));
            }
        }
    }
    fail(msg!(
        "the networks never receive two different augmented views of the same batch",
        "las redes nunca reciben dos vistas aumentadas distintas del mismo lote"
    ))
}

/// Why a view swap or an identical pair of views cannot isolate the loss's form: each
/// view goes through an encoder of its own, so both change the embeddings, not only the
/// pairing. `None` when one encoder embeds the views.
fn views_through_different_encoders(base: &Run) -> Option<Msg> {
    let it = base.trace.backwards[0].iteration;
    // For each single view, the encoders it goes through (an encoder made of parts
    // sends every view through all of them).
    let mut by_view: BTreeMap<u32, std::collections::BTreeSet<usize>> = BTreeMap::new();
    for c in base.trace.net_calls.iter().filter(|c| c.iteration == it) {
        let Some(view) = c.input.as_ref().map(|i| i.views & !MARKS) else {
            continue;
        };
        let is_encoder = base
            .harness
            .nets
            .get(c.net)
            .and_then(|n| base.harness.role_of(n))
            .as_deref()
            == Some("encoder");
        if is_encoder && view != 0 && view & (view - 1) == 0 {
            by_view.entry(view).or_default().insert(c.net);
        }
    }
    let sets: Vec<_> = by_view.values().collect();
    let disjoint = sets
        .iter()
        .enumerate()
        .any(|(i, a)| sets[i + 1..].iter().any(|b| a.is_disjoint(b)));
    disjoint.then(|| {
        msg!(
            "each view goes through an encoder of its own, so changing the views changes the embeddings too and the loss's form cannot be measured apart (see predictor_on_encoder)",
            "cada vista pasa por un codificador propio, así que cambiar las vistas cambia también las representaciones y la forma de la pérdida no se puede medir aparte (ver predictor_on_encoder)"
        )
    })
}

/// How many different views the networks receive in the first trained iteration.
fn views_reaching_networks(base: &Run) -> usize {
    let it = base.trace.backwards[0].iteration;
    base.trace
        .net_calls
        .iter()
        .filter(|c| c.iteration == it)
        .filter_map(|c| c.input.as_ref().map(|i| i.views & !MARKS))
        // Each view an input holds, joined ones too (`encoder(torch.cat([x1, x2]))`).
        .flat_map(|v| (0..32).map(|b| 1u32 << b).filter(move |bit| v & bit != 0))
        .collect::<std::collections::BTreeSet<u32>>()
        .len()
}

/// Tag bits that are not views: masked, generated.
pub const MARKS: u32 = MASKED | GENERATED | DOMAIN_A | DOMAIN_B;
/// The domain of an image: the loader's first or second images, and generated images
/// of the other domain than their input.
pub const DOMAIN_A: u32 = 1 << 28;
pub const DOMAIN_B: u32 = 1 << 27;
pub const MASKED: u32 = 1 << 31;
pub const GENERATED: u32 = 1 << 30;

fn predictor_on_encoder(base: &Run) -> Measured {
    let it = base.trace.backwards[0].iteration;
    let calls: Vec<_> = base
        .trace
        .net_calls
        .iter()
        .filter(|c| c.iteration == it)
        .collect();
    let role = |id: usize| {
        base.harness
            .nets
            .get(id)
            .and_then(|n| base.harness.role_of(n))
    };
    // The encoder is the network that plays it, or else whatever network makes what the
    // predictor takes (`f = lambda x: proj_head(resnet(x))`, an architecture and a head
    // that no name calls an encoder).
    let feeds_predictor = |c: &&&super::interp::NetCall| {
        let Some(out) = c.output.as_ref() else {
            return false;
        };
        calls
            .iter()
            .filter(|p| role(p.net).as_deref() == Some("predictor"))
            .any(|p| p.input.as_ref().is_some_and(|i| i.origin == out.origin))
    };
    for enc in calls.iter().filter(|c| {
        role(c.net).as_deref() == Some("encoder")
            || (role(c.net).as_deref() != Some("predictor") && feeds_predictor(c))
    }) {
        // One encoder, used for every input (the architecture; which views it is given
        // is `distinct_views`' business), whose outputs the predictor takes.
        // A batch of joined views (`encoder(torch.cat([x1, x2]))`) counts once per view.
        let views_in = |t: &super::value::Tagged| (t.views & !MARKS).count_ones().max(1) as usize;
        let encoded: Vec<&super::value::Tagged> = calls
            .iter()
            .filter(|c| c.net == enc.net)
            .filter_map(|c| c.output.as_ref())
            .collect();
        let outputs: Vec<u32> = encoded.iter().map(|o| o.origin).collect();
        let predicted: usize = calls
            .iter()
            .filter(|c| role(c.net).as_deref() == Some("predictor"))
            .filter_map(|c| c.input.as_ref())
            .filter(|i| outputs.contains(&i.origin))
            .map(views_in)
            .sum();
        let encoded: usize = encoded.iter().map(|o| views_in(o)).sum();
        // With a single view (`two_views`' failure, not this rule's), one encoder
        // output that the predictor takes is the whole architecture.
        let single_view = views_reaching_networks(base) < 2 && predicted >= 1;
        if (encoded >= 2 && predicted >= 2) || single_view {
            return pass(msg!(
                "one encoder embeds every input and the predictor takes its outputs",
                "un mismo codificador procesa todas las entradas y el predictor toma sus salidas"
            ));
        }
    }
    fail(msg!(
        "the predictor is not applied to the outputs of one shared encoder",
        "el predictor no se aplica a las salidas de un codificador compartido"
    ))
}

fn token_pairing(base: &Run, token: super::value::Token, what: &str) -> Measured {
    let cross: Vec<(u32, u32)> = base
        .trace
        .loss_calls
        .iter()
        .filter(|c| c.token == token && c.views.0 != c.views.1)
        .map(|c| c.views)
        .collect();
    let same = base
        .trace
        .loss_calls
        .iter()
        .filter(|c| c.token == token && c.views.0 == c.views.1)
        .count();
    let both = cross.iter().any(|(a, b)| cross.contains(&(*b, *a)));
    let unequal = unequal_direction_weights(base, Some(token));
    if same > 0 {
        fail(msg!(
            "the {what} loss compares a view with itself ({same} comparison(s))",
            "la pérdida {what} compara una vista consigo misma ({same} comparación(es))"
        ))
    } else if cross.is_empty() {
        fail(msg!(
            "the {what} loss never compares two different views",
            "la pérdida {what} nunca compara dos vistas distintas"
        ))
    } else if !both {
        fail(msg!(
            "the {what} loss pairs the views in one direction only",
            "la pérdida {what} empareja las vistas en una sola dirección"
        ))
    } else if let Some((w1, w2)) = unequal {
        fail(msg!(
            "the {what} loss crosses the views both ways, but with unequal weights ({w1:.2} and {w2:.2} of it)",
            "la pérdida {what} cruza las vistas en ambos sentidos, pero con pesos distintos ({w1:.2} y {w2:.2} de ella)"
        ))
    } else {
        pass(msg!(
            "the {what} loss pairs each view with the other, in both directions",
            "la pérdida {what} empareja cada vista con la otra, en ambas direcciones"
        ))
    }
}

/// iBOT's patch loss: each view's masked student patches against the same view's
/// teacher patches, for both views.
fn patch_same_view(base: &Run) -> Measured {
    use super::value::Token;
    let patch: Vec<(u32, u32)> = base
        .trace
        .loss_calls
        .iter()
        .filter(|c| c.token == Token::Patch)
        .map(|c| c.views)
        .collect();
    let covered: std::collections::BTreeSet<u32> = patch
        .iter()
        .filter(|(a, b)| a == b)
        .map(|(a, _)| *a)
        .collect();
    let crossed = patch.iter().filter(|(a, b)| a != b).count();
    if patch.is_empty() {
        fail(msg!(
            "no loss compares the patch tokens of an augmented view",
            "ninguna pérdida compara los tokens de parche de una vista aumentada"
        ))
    } else if crossed > 0 {
        fail(msg!(
            "the patch loss compares patches of different views ({crossed} comparison(s))",
            "la pérdida de parches compara parches de vistas distintas ({crossed} comparación(es))"
        ))
    } else if covered.len() < 2 {
        fail(msg!(
            "the patch loss covers one view only",
            "la pérdida de parches cubre una sola vista"
        ))
    } else if let Some((w1, w2)) = unequal_view_weights(base, &covered) {
        fail(msg!(
            "the patch loss covers both views, but with unequal weights ({w1:.2} and {w2:.2} of it)",
            "la pérdida de parches cubre ambas vistas, pero con pesos distintos ({w1:.2} y {w2:.2} de ella)"
        ))
    } else {
        pass(msg!(
            "the patch loss compares each view's student patches with the same view's teacher patches, for both views",
            "la pérdida de parches compara los parches del estudiante de cada vista con los del profesor en la misma vista, para ambas vistas"
        ))
    }
}

/// The summed weight of the loss calls that `which` selects, among those that were
/// weighed (a loss written out in operations is recorded but not weighed); `None` when
/// none was.
fn weighed(base: &Run, which: impl Fn(&super::interp::LossCall) -> bool) -> Option<f64> {
    let weights: Vec<f64> = base
        .trace
        .loss_calls
        .iter()
        .filter(|c| which(c))
        .filter_map(|c| c.weight)
        .collect();
    (!weights.is_empty()).then(|| weights.iter().sum())
}

/// The weights of the two directions of the first cross-view loss call (of one token
/// kind, when given), as shares of their sum, where both were weighed and they differ.
fn unequal_direction_weights(base: &Run, token: Option<super::value::Token>) -> Option<(f64, f64)> {
    let of_kind = |c: &super::interp::LossCall| token.is_none_or(|t| c.token == t);
    let (a, b) = base
        .trace
        .loss_calls
        .iter()
        .find(|c| of_kind(c) && c.views.0 != c.views.1)?
        .views;
    let direction = |dir: (u32, u32)| weighed(base, |c| of_kind(c) && c.views == dir);
    let (w1, w2) = (direction((a, b))?, direction((b, a))?);
    unequal(w1, w2)
}

/// The weights of the first two views' same-view patch terms, where both were weighed
/// and they differ.
fn unequal_view_weights(
    base: &Run,
    covered: &std::collections::BTreeSet<u32>,
) -> Option<(f64, f64)> {
    let weight = |view: u32| {
        weighed(base, |c| {
            c.token == super::value::Token::Patch && c.views == (view, view)
        })
    };
    let mut views = covered.iter();
    let (w1, w2) = (weight(*views.next()?)?, weight(*views.next()?)?);
    unequal(w1, w2)
}

/// Two weights that differ, as shares of their sum. A weight that is not positive says
/// the toy values, not the answer, went astray: then nothing is concluded.
fn unequal(w1: f64, w2: f64) -> Option<(f64, f64)> {
    (w1 > 0.0 && w2 > 0.0 && !close(w1, w2)).then_some(shares(w1, w2))
}

/// Two weights as their shares of their sum (0.7 and 0.3), which reads the same however
/// many iterations and nested loss calls added to each.
fn shares(w1: f64, w2: f64) -> (f64, f64) {
    let total = w1 + w2;
    if total.abs() < 1e-12 {
        (w1, w2)
    } else {
        (w1 / total, w2 / total)
    }
}

fn masked_student(base: &Run) -> Measured {
    let it = base.trace.backwards[0].iteration;
    let mut student_masked = std::collections::BTreeSet::new();
    let mut teacher_clean = std::collections::BTreeSet::new();
    for c in base.trace.net_calls.iter().filter(|c| c.iteration == it) {
        let Some(net) = base.harness.nets.get(c.net) else {
            continue;
        };
        let Some(i) = &c.input else { continue };
        let view = i.views & !MARKS;
        // A part of the student (`student["vit"](u, mask=m)`) is the student.
        let masked = c.masked || i.views & MASKED != 0;
        if masked && base.harness.within_role(net, "student") {
            student_masked.insert(view);
        } else if !masked && base.harness.within_role(net, "teacher") {
            teacher_clean.insert(view);
        }
    }
    // One masked view is enough (iBOT's answer key masks one global view); what
    // matters is that the student's inputs are masked and the teacher's are not.
    if !student_masked.is_empty() && !teacher_clean.is_empty() {
        let (masked, whole) = (student_masked.len(), teacher_clean.len());
        pass(msg!(
            "the student sees {masked} masked view(s), the teacher {whole} whole view(s)",
            "el estudiante ve {masked} vista(s) enmascarada(s) y el profesor {whole} vista(s) completa(s)"
        ))
    } else if student_masked.is_empty() {
        fail(msg!(
            "the student never receives a masked view",
            "el estudiante nunca recibe una vista enmascarada"
        ))
    } else {
        fail(msg!(
            "the teacher never receives an unmasked view",
            "el profesor nunca recibe una vista sin máscara"
        ))
    }
}

fn ema_teacher(base: &Run) -> Measured {
    let teachers = nets_with_role(base, "teacher");
    let students = nets_with_role(base, "student");
    if teachers.is_empty() {
        return skip(msg!(
            "no network plays the teacher",
            "ninguna red hace de profesor"
        ));
    }
    let Some(after) = base.trace.snapshots.get(1) else {
        return skip(msg!(
            "the loop did not finish an iteration",
            "el bucle no terminó ninguna iteración"
        ));
    };
    type Snapshot = HashMap<usize, Vec<Vec<f32>>>;
    // (before, after) windows. Over the first iteration, before is its start, or for
    // networks made during it the moment of the first backward pass, or, when an
    // optimizer step moved the teacher too, the moment after that step. Over the second
    // iteration: an EMA at the start of each iteration first acts there, once the toy
    // networks have their weights.
    let mut windows: Vec<(&Snapshot, &Snapshot)> = base
        .trace
        .snapshots
        .first()
        .into_iter()
        .chain(base.trace.before_first_backward.as_ref())
        .chain(base.trace.after_first_iteration_step.as_ref())
        .map(|before| (before, after))
        .collect();
    if let Some(end) = base.trace.snapshots.get(2) {
        windows.push((after, end));
    }
    let mut fitted = Vec::new();
    for t in &teachers {
        for (before, after) in &windows {
            let (Some(tb), Some(ta)) = (before.get(t).filter(|p| !p.is_empty()), after.get(t))
            else {
                continue;
            };
            for s in &students {
                // The student after the update (EMA after the step) or before it.
                for s_params in [after.get(s), before.get(s)].into_iter().flatten() {
                    if let Some(lambda) = fit_lambda(tb, ta, s_params) {
                        fitted.push(lambda);
                    }
                }
            }
        }
    }
    // Strictly inside (0, 1), beyond float noise: a copy fits λ = 0, no update λ = 1.
    let tolerance = 1e-5;
    if let Some(lambda) = fitted
        .iter()
        .find(|l| **l > tolerance && **l < 1.0 - tolerance)
    {
        let rest = 1.0 - lambda;
        return pass(msg!(
            "teacher = {lambda:.4}·teacher + {rest:.4}·student after an iteration",
            "profesor = {lambda:.4}·profesor + {rest:.4}·estudiante tras una iteración"
        ));
    }
    // A teacher that starts as a copy of a student nothing trains (a frozen student)
    // keeps the student's weights under an EMA and under a copy alike: no λ shows.
    let indeterminate = windows.iter().all(|(before, after)| {
        teachers.iter().all(|t| {
            students
                .iter()
                .any(|s| match (before.get(t), after.get(t), after.get(s)) {
                    (Some(tb), Some(ta), Some(sa)) => same_weights(tb, ta) && same_weights(ta, sa),
                    _ => false,
                })
        })
    });
    if fitted.is_empty() && indeterminate {
        return skip(msg!(
            "the teacher and the student kept the same weights through the iteration (nothing trained the student), so no blend can be measured",
            "el profesor y el estudiante mantuvieron los mismos pesos durante la iteración (nada entrenó al estudiante), así que no se puede medir ninguna mezcla"
        ));
    }
    // A teacher that never moves while the student becomes a blend of itself and the
    // teacher: the EMA is written the other way round.
    let still = fitted.iter().all(|l| *l >= 1.0 - tolerance);
    let reversed = still.then(|| {
        windows.iter().find_map(|(before, after)| {
            teachers.iter().find_map(|t| {
                students.iter().find_map(|s| {
                    let (sb, sa, ta) = (before.get(s)?, after.get(s)?, after.get(t)?);
                    fit_lambda(sb, sa, ta).filter(|l| *l > tolerance && *l < 1.0 - tolerance)
                })
            })
        })
    });
    if let Some(Some(lambda)) = reversed {
        let rest = 1.0 - lambda;
        return fail(msg!(
            "the update is reversed: the student becomes {lambda:.4}·student + {rest:.4}·teacher and the teacher never moves",
            "la actualización está invertida: el estudiante pasa a ser {lambda:.4}·estudiante + {rest:.4}·profesor y el profesor no se mueve"
        ));
    }
    match fitted.first() {
        Some(lambda) => fail(msg!(
            "the teacher follows the student with λ = {lambda:.4}, outside (0, 1)",
            "el profesor sigue al estudiante con λ = {lambda:.4}, fuera de (0, 1)"
        )),
        None => fail(msg!(
            "the teacher's weights after an iteration are not a blend of its weights before and the student's",
            "los pesos del profesor tras una iteración no son una mezcla de sus pesos anteriores y los del estudiante"
        )),
    }
}

/// Whether two networks' parameters are equal, to float noise.
fn same_weights(a: &[Vec<f32>], b: &[Vec<f32>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(u, v)| (u - v).abs() <= 1e-6 * u.abs().max(1.0))
        })
}

/// The λ with `after = λ·before + (1 − λ)·student`, when one λ fits every parameter.
fn fit_lambda(before: &[Vec<f32>], after: &[Vec<f32>], student: &[Vec<f32>]) -> Option<f64> {
    if before.len() != student.len() || before.len() != after.len() {
        return None;
    }
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for ((b, a), s) in before.iter().zip(after).zip(student) {
        if b.len() != s.len() || a.len() != b.len() {
            return None;
        }
        for i in 0..b.len() {
            let d = f64::from(b[i] - s[i]);
            num += f64::from(a[i] - s[i]) * d;
            den += d * d;
        }
    }
    if den < 1e-12 {
        return None;
    }
    let lambda = num / den;
    let mut residual = 0.0f64;
    let mut scale = 0.0f64;
    for ((b, a), s) in before.iter().zip(after).zip(student) {
        for i in 0..b.len() {
            let pred = lambda * f64::from(b[i]) + (1.0 - lambda) * f64::from(s[i]);
            residual += (f64::from(a[i]) - pred).powi(2);
            scale += f64::from(a[i]).powi(2);
        }
    }
    (residual <= 1e-8 * scale.max(1.0)).then_some(lambda)
}

/// Whether a discriminator scored a real (not generated) image between the previous
/// backward pass and this one: what tells a discriminator loss from a generator loss.
fn scores_real(run: &Run, b: &super::interp::BackwardEvent) -> bool {
    let previous = run
        .trace
        .backwards
        .iter()
        .map(|x| x.order)
        .filter(|o| *o < b.order)
        .max()
        .unwrap_or(0);
    run.trace.net_calls.iter().any(|c| {
        c.order > previous
            && c.order < b.order
            && run
                .harness
                .nets
                .get(c.net)
                .and_then(|n| run.harness.role_of(n))
                .as_deref()
                == Some("discriminator")
            && c.input.as_ref().is_some_and(|i| i.views & GENERATED == 0)
    })
}

/// Whether the backward `b` is (or holds) the discriminators' loss: it scores real
/// images with a discriminator. When the generators' loss scores them too (a
/// relativistic GAN), the backward that gives the generators gradient which only their
/// optimizer applies is theirs, if another backward of the iteration scores real images
/// and a discriminator's optimizer applies it.
fn trains_discriminators(run: &Run, b: &super::interp::BackwardEvent) -> bool {
    let decided = run.discriminators_backwards.get_or_init(|| {
        let discs = nets_with_role(run, "discriminator");
        let gens = nets_with_role(run, "generator");
        let applied_to = |x: &super::interp::BackwardEvent, nets: &[usize]| {
            nets.iter().any(|n| stepped_into(run, x, *n))
        };
        let backwards = &run.trace.backwards;
        backwards
            .iter()
            .map(|b| {
                let generators_only = gens.iter().any(|g| b.changes(*g))
                    && applied_to(b, &gens)
                    && !applied_to(b, &discs);
                scores_real(run, b)
                    && (!generators_only
                        || !backwards.iter().any(|x| {
                            x.order != b.order
                                && x.iteration == b.iteration
                                && scores_real(run, x)
                                && applied_to(x, &discs)
                        }))
            })
            .collect()
    });
    run.trace
        .backwards
        .iter()
        .position(|x| x.order == b.order)
        .is_some_and(|i| decided[i])
}

/// Whether an optimizer step moves `net` after the backward `b` and before any later
/// backward changes that net's gradient: whether the step applies `b`'s gradient.
fn stepped_into(run: &Run, b: &super::interp::BackwardEvent, net: usize) -> bool {
    let next_change = run
        .trace
        .backwards
        .iter()
        .filter(|x| x.order > b.order && x.changes(net))
        .map(|x| x.order)
        .min()
        .unwrap_or(u64::MAX);
    run.trace
        .steps
        .iter()
        .any(|s| s.order > b.order && s.order < next_change && s.moved.contains(&net))
}

/// The discriminator calls between the backward pass `index` and the one before it.
fn segment_calls<'a>(run: &'a Run, index: usize) -> Vec<&'a super::interp::NetCall> {
    let b = &run.trace.backwards[index];
    let previous = index
        .checked_sub(1)
        .map_or(0, |i| run.trace.backwards[i].order);
    run.trace
        .net_calls
        .iter()
        .filter(|c| c.order > previous && c.order < b.order)
        .filter(|c| {
            run.harness
                .nets
                .get(c.net)
                .and_then(|n| run.harness.role_of(n))
                .as_deref()
                == Some("discriminator")
        })
        .collect()
}

fn domain_name(d: u32) -> &'static str {
    if d & DOMAIN_A != 0 { "A" } else { "B" }
}

/// A discriminator must judge one domain: in its own loss it scores real and fake
/// images of that domain, and the generators' loss asks it about fakes of that domain.
fn wrong_domain(base: &Run, probe: GanProbe, backwards: &[usize]) -> Option<Msg> {
    let domains = DOMAIN_A | DOMAIN_B;
    let name = |id: usize| net_label(base, id);
    // Each discriminator's domain: the real images it scores in a discriminator loss...
    let mut real_home: HashMap<usize, u32> = HashMap::new();
    for (i, b) in base.trace.backwards.iter().enumerate() {
        if !trains_discriminators(base, b) {
            continue;
        }
        for c in segment_calls(base, i) {
            if let Some(inp) = &c.input
                && inp.views & GENERATED == 0
                && inp.views & domains != 0
            {
                real_home.entry(c.net).or_insert(inp.views & domains);
            }
        }
    }
    // ...unless most of the images it judges in the first iteration, real and generated,
    // are of the other domain: `D_B(real_A)` copied into D_B's loss beside
    // `D_B(fake_B)`, with the generators' loss asking D_B about `fake_B`, is a slip in
    // the discriminator's loss, not a D_B that judges domain A.
    let it = base.trace.backwards.first().map_or(0, |b| b.iteration);
    let mut seen: HashMap<usize, (u32, u32)> = HashMap::new();
    for c in base.trace.net_calls.iter().filter(|c| c.iteration == it) {
        if !real_home.contains_key(&c.net) {
            continue;
        }
        let Some(inp) = &c.input else { continue };
        let count = seen.entry(c.net).or_default();
        match inp.views & domains {
            DOMAIN_A => count.0 += 1,
            DOMAIN_B => count.1 += 1,
            _ => {}
        }
    }
    // A name that says the domain its real images are of settles it, whatever the
    // generated images it is shown (`D_A` trained on real A but asked about G_AB's fakes:
    // the generators' loss is what is wrong).
    let named = |net: usize| match crate::checks::common::domain_of_name(&name(net)) {
        Some(crate::checks::common::Dom::A) => DOMAIN_A,
        Some(crate::checks::common::Dom::B) => DOMAIN_B,
        None => 0,
    };
    let home: HashMap<usize, u32> = real_home
        .iter()
        .map(|(net, real)| {
            let majority = match seen.get(net) {
                _ if named(*net) == *real => *real,
                Some((a, b)) if a > b => DOMAIN_A,
                Some((a, b)) if b > a => DOMAIN_B,
                _ => *real,
            };
            (*net, majority)
        })
        .collect();
    for c in backwards.iter().flat_map(|i| segment_calls(base, *i)) {
        let Some(inp) = &c.input else { continue };
        let d = inp.views & domains;
        let Some(h) = home.get(&c.net) else { continue };
        if d == 0 || d == *h {
            continue;
        }
        let (kind, tipo) = if inp.views & GENERATED != 0 {
            ("generated", "generadas")
        } else {
            ("real", "reales")
        };
        let (net, home, asked) = (name(c.net), domain_name(*h), domain_name(d));
        return Some(match probe {
            GanProbe::Generator => msg!(
                "{net} judges domain {home} but the generators' loss asks it about {kind} images of domain {asked}",
                "{net} juzga el dominio {home} pero la pérdida de los generadores le pregunta por imágenes {tipo} del dominio {asked}"
            ),
            GanProbe::Discriminator => msg!(
                "{net} judges domain {home} but scores {kind} images of domain {asked} in its loss",
                "{net} juzga el dominio {home} pero puntúa imágenes {tipo} del dominio {asked} en su pérdida"
            ),
        });
    }
    None
}

fn is_generator_backward(run: &Run, b: &super::interp::BackwardEvent, gens: &[usize]) -> bool {
    !trains_discriminators(run, b) && gens.iter().any(|g| b.changes(*g))
}

/// Every discriminators' backward of the first iteration (one per discriminator, or one
/// for both) must leave the generators' gradients as they were. In one backward of both
/// losses, the discriminators' terms must.
fn detached_fakes(
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    runs: &mut HashMap<String, Run>,
) -> Measured {
    let roles = term_roles(body, rubric, runs);
    let base = &runs["base"];
    let gens = nets_with_role(base, "generator");
    let it = base.trace.backwards[0].iteration;
    let backwards: Vec<(usize, &super::interp::BackwardEvent)> = base
        .trace
        .backwards
        .iter()
        .enumerate()
        .filter(|(_, b)| b.iteration == it && trains_discriminators(base, b))
        .collect();
    if backwards.is_empty() {
        return skip(msg!(
            "no backward() in the first iteration scores real images with a discriminator",
            "ningún backward() de la primera iteración puntúa imágenes reales con un discriminador"
        ));
    }
    for (i, b) in &backwards {
        let to_generators = |grads: &HashMap<usize, f64>| -> f64 {
            gens.iter()
                .map(|g| grads.get(g).copied().unwrap_or(0.0))
                .sum()
        };
        let line = b.line;
        match roles.get(i) {
            Some(r) if is_joint(r) && r.len() == b.terms.len() => {
                let leak: f64 = b
                    .terms
                    .iter()
                    .zip(r)
                    .filter(|(_, role)| trains_discriminator(**role))
                    .map(|(t, _)| to_generators(&t.grads))
                    .sum();
                if leak > 0.0 {
                    return fail(msg!(
                        "the discriminators' terms of the backward() at line {line} also give the generators gradient (Σ|g| = {leak:.3e}): the fakes are not detached",
                        "los términos de los discriminadores del backward() de la línea {line} también dan gradiente a los generadores (Σ|g| = {leak:.3e}): las imágenes falsas no están separadas del grafo"
                    ));
                }
            }
            _ => {
                let leak = to_generators(&b.delta);
                if leak > 0.0 {
                    return fail(msg!(
                        "the discriminators' backward() at line {line} also changes the generators' gradients (Σ|Δg| = {leak:.3e}): the fakes are not detached",
                        "el backward() de los discriminadores en la línea {line} también cambia los gradientes de los generadores (Σ|Δg| = {leak:.3e}): las imágenes falsas no están separadas del grafo"
                    ));
                }
            }
        }
    }
    let lines: Vec<String> = backwards.iter().map(|(_, b)| b.line.to_string()).collect();
    let lines = lines.join(", ");
    pass(msg!(
        "the discriminators' backward() at line {lines} leaves the generators' gradients unchanged",
        "el backward() de los discriminadores en la línea {lines} deja intactos los gradientes de los generadores"
    ))
}

/// One step moves only the generators and another only the discriminators, and no
/// backward carries both losses (which would drive each step by both).
fn separate_updates(
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    runs: &mut HashMap<String, Run>,
) -> Measured {
    let roles = term_roles(body, rubric, runs);
    let base = &runs["base"];
    let mut joint: Vec<usize> = roles
        .iter()
        .filter(|(_, r)| is_joint(r))
        .map(|(i, _)| *i)
        .collect();
    joint.sort_unstable();
    if let Some(b) = joint.first().and_then(|i| base.trace.backwards.get(*i)) {
        let line = b.line;
        return fail(msg!(
            "the backward() at line {line} carries the generators' and the discriminators' losses together, so the steps after it are driven by both",
            "el backward() de la línea {line} lleva juntas las pérdidas de los generadores y de los discriminadores, así que los pasos que le siguen los mueven ambas"
        ));
    }
    // Gradients accumulated over more iterations than the loader has: the steps are
    // read in a longer loader's run.
    let key = if runs["base"].trace.steps.is_empty() {
        let long = Knobs {
            long_loader: true,
            ..Knobs::default()
        };
        get_run(runs, "long loader", body, rubric, long);
        "long loader"
    } else {
        "base"
    };
    let run = &runs[key];
    let gens = nets_with_role(run, "generator");
    let discs = called_discriminators(run);
    let Some(it) = run.trace.steps.first().map(|s| s.iteration) else {
        return fail(msg!(
            "no optimizer step follows the backward() calls",
            "ningún paso del optimizador sigue a las llamadas a backward()"
        ));
    };
    let moves =
        |s: &super::interp::StepEvent, nets: &[usize]| s.moved.iter().any(|m| nets.contains(m));
    // Each step of that iteration applies the backward calls since the step before it
    // (several steps in a row share the calls before the first of them).
    let mut block: Vec<&super::interp::BackwardEvent> = Vec::new();
    let mut previous = 0;
    for s in &run.trace.steps {
        let since: Vec<_> = run
            .trace
            .backwards
            .iter()
            .filter(|b| b.order > previous && b.order < s.order)
            .collect();
        previous = s.order;
        if !since.is_empty() {
            block = since;
        }
        if s.iteration != it {
            continue;
        }
        let generators_loss = block.iter().any(|b| is_generator_backward(run, b, &gens));
        let discriminators_loss = block.iter().any(|b| trains_discriminators(run, b));
        let line = s.line;
        if moves(s, &gens) && !moves(s, &discs) && discriminators_loss && !generators_loss {
            return fail(msg!(
                "the step at line {line} moves the generators after the discriminators' backward() alone",
                "el paso de la línea {line} mueve los generadores tras el backward() de los discriminadores solamente"
            ));
        }
        if moves(s, &discs) && !moves(s, &gens) && generators_loss && !discriminators_loss {
            return fail(msg!(
                "the step at line {line} moves the discriminators after the generators' backward() alone",
                "el paso de la línea {line} mueve los discriminadores tras el backward() de los generadores solamente"
            ));
        }
    }
    let steps: Vec<_> = run
        .trace
        .steps
        .iter()
        .filter(|s| s.iteration == it)
        .collect();
    let g_only = steps.iter().any(|s| moves(s, &gens) && !moves(s, &discs));
    let d_only = steps.iter().any(|s| moves(s, &discs) && !moves(s, &gens));
    // A discriminator whose loss is back-propagated must be stepped too (one that has no
    // loss at all is what `discriminator_targets` reports).
    let unstepped = discs.iter().find(|d| {
        let has_loss = run
            .trace
            .backwards
            .iter()
            .any(|b| trains_discriminators(run, b) && b.changes(**d));
        has_loss && !run.trace.steps.iter().any(|s| s.moved.contains(d))
    });
    match (g_only, d_only, unstepped) {
        (true, true, None) => pass(msg!(
            "one step moves only the generators, another only the discriminators",
            "un paso mueve solo los generadores y otro solo los discriminadores"
        )),
        (false, _, _) => fail(msg!(
            "no step moves the generators without also moving the discriminators",
            "ningún paso mueve los generadores sin mover también los discriminadores"
        )),
        (true, false, _) => fail(msg!(
            "no step moves the discriminators without also moving the generators",
            "ningún paso mueve los discriminadores sin mover también los generadores"
        )),
        (true, true, Some(d)) => {
            let d = net_label(run, *d);
            fail(msg!(
                "no step moves {d}: its optimizer is never stepped",
                "ningún paso mueve a {d}: su optimizador nunca se actualiza"
            ))
        }
    }
}

/// A network's name as the answer writes it: its first alias, else its own name.
fn net_label(run: &Run, id: usize) -> String {
    let own = run.harness.nets.get(id).map(|n| n.name.clone());
    run.harness
        .aliases
        .get(&id)
        .and_then(|a| a.first().cloned())
        .or(own)
        .unwrap_or_default()
}

/// The discriminators a run called on images: `NLayerDiscriminator()` called twice
/// makes two, and the name itself, never called on images, is only their maker.
fn called_discriminators(run: &Run) -> Vec<usize> {
    nets_with_role(run, "discriminator")
        .into_iter()
        .filter(|d| run.trace.net_calls.iter().any(|c| c.net == *d))
        .collect()
}

/// What a term of a loss written as a sum does, measured by how it moves when the
/// discriminators score images as more real.
#[derive(Clone, Copy, PartialEq, Debug)]
enum TermRole {
    /// Falls when real images score higher: a discriminator's loss.
    Discriminator,
    /// Rises when fakes score higher, and does not judge real images: a
    /// discriminator's term on fakes where its backward also judges real images, and
    /// otherwise a generators' loss with the wrong target (which
    /// `generator_adversarial` judges), as the static grader reads it.
    FakeTarget,
    /// Falls when fakes score higher: the generators' adversarial loss.
    Generator,
    /// Does not depend on the discriminators (a cycle or identity term).
    Neither,
}

/// One backward of the generators' and the discriminators' losses together.
fn is_joint(roles: &[TermRole]) -> bool {
    roles.contains(&TermRole::Discriminator) && roles.contains(&TermRole::Generator)
}

/// Whether a term of a joint backward trains the discriminators.
fn trains_discriminator(role: TermRole) -> bool {
    matches!(role, TermRole::Discriminator | TermRole::FakeTarget)
}

/// Which images a score-shift run scores as more real.
#[derive(Clone, Copy)]
enum Shift {
    Real,
    Fake,
}

/// The run in which discriminator `d` scores real (or generated) images as more real,
/// the one run of its kind every GAN probe shares.
fn shifted_run<'a>(
    runs: &'a mut HashMap<String, Run>,
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    shift: Shift,
    d: usize,
) -> &'a Run {
    let (key, knobs) = match shift {
        Shift::Real => (
            format!("real_up_{d}"),
            Knobs {
                real_score_shift: 0.5,
                shift_only: Some(d),
                ..Knobs::default()
            },
        ),
        Shift::Fake => (
            format!("fake_up_{d}"),
            Knobs {
                fake_score_shift: 0.5,
                shift_only: Some(d),
                ..Knobs::default()
            },
        ),
    };
    get_run(runs, &key, body, rubric, knobs)
}

/// The roles of the terms of every first-iteration backward whose loss is a sum, by the
/// backward's index, from the runs that shift each discriminator's scores.
fn term_roles(
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    runs: &mut HashMap<String, Run>,
) -> HashMap<usize, Vec<TermRole>> {
    let discs = called_discriminators(&runs["base"]);
    let base = &runs["base"];
    let it = base.trace.backwards[0].iteration;
    let sums: Vec<(usize, Vec<f64>)> = base
        .trace
        .backwards
        .iter()
        .enumerate()
        .filter(|(_, b)| b.iteration == it && b.terms.len() >= 2)
        .map(|(i, b)| (i, b.terms.iter().map(|t| t.value).collect()))
        .collect();
    if sums.is_empty() {
        return HashMap::new();
    }
    let mut real_moves: HashMap<usize, Vec<f64>> = HashMap::new();
    let mut fake_moves: HashMap<usize, Vec<f64>> = HashMap::new();
    for d in discs {
        for (shift, moves) in [
            (Shift::Real, &mut real_moves),
            (Shift::Fake, &mut fake_moves),
        ] {
            let run = shifted_run(runs, body, rubric, shift, d);
            for (i, values) in &sums {
                let shifted = run.trace.backwards.get(*i).map(|b| &b.terms);
                let total = moves.entry(*i).or_insert_with(|| vec![0.0; values.len()]);
                for (k, v0) in values.iter().enumerate() {
                    if let Some(t) = shifted.and_then(|ts| ts.get(k)) {
                        total[k] += t.value - v0;
                    }
                }
            }
        }
    }
    let base = &runs["base"];
    let gens = nets_with_role(base, "generator");
    // A term that falls when fakes score higher but gives the generators no gradient
    // (`criterion(D_A(fake.detach()), ones)`) cannot train them: it is a discriminator's
    // term with its target swapped.
    let reaches_generators = |i: usize, k: usize| {
        gens.is_empty()
            || base.trace.backwards[i].terms.get(k).is_none_or(|t| {
                gens.iter()
                    .any(|g| t.grads.get(g).is_some_and(|x| *x > 0.0))
            })
    };
    sums.iter()
        .map(|(i, values)| {
            let roles = (0..values.len())
                .map(|k| {
                    let real = real_moves.get(i).map_or(0.0, |m| m[k]);
                    let fake = fake_moves.get(i).map_or(0.0, |m| m[k]);
                    // The larger response decides: the other may be the echo of an
                    // earlier step that the shift changed.
                    if real.abs().max(fake.abs()) < 1e-6 {
                        TermRole::Neither
                    } else if fake.abs() >= real.abs() {
                        if fake > 0.0 && real < -1e-6 {
                            TermRole::Discriminator
                        } else if fake > 0.0 || !reaches_generators(*i, k) {
                            TermRole::FakeTarget
                        } else {
                            TermRole::Generator
                        }
                    } else if real < 0.0 {
                        TermRole::Discriminator
                    } else {
                        TermRole::Neither
                    }
                })
                .collect();
            (*i, roles)
        })
        .collect()
}

/// The loss a GAN probe reads from a run's backward `i`: all of it, or, for one backward
/// of both losses, the terms of the side probed.
fn part_loss(
    run: &Run,
    i: usize,
    roles: &HashMap<usize, Vec<TermRole>>,
    probe: GanProbe,
) -> Option<f64> {
    let b = run.trace.backwards.get(i)?;
    match roles.get(&i) {
        Some(r) if is_joint(r) && b.terms.len() == r.len() => Some(
            b.terms
                .iter()
                .zip(r)
                .filter(|(_, role)| {
                    trains_discriminator(**role) == (probe == GanProbe::Discriminator)
                })
                .map(|(t, _)| t.value)
                .sum(),
        ),
        _ => Some(b.loss),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum GanProbe {
    Generator,
    Discriminator,
}

/// Shifts the discriminators' scores and reads how the matching backward's loss moves.
fn gan_bias(
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    runs: &mut HashMap<String, Run>,
    probe: GanProbe,
) -> Measured {
    let roles = term_roles(body, rubric, runs);
    let discs = called_discriminators(&runs["base"]);
    let base = &runs["base"];
    let gens = nets_with_role(base, "generator");
    let it = base.trace.backwards[0].iteration;
    let part = |run: &Run, i: usize| part_loss(run, i, &roles, probe);
    // The backwards of the first iteration that this probe reads.
    let probed = |run: &Run| -> Vec<usize> {
        run.trace
            .backwards
            .iter()
            .enumerate()
            .filter(|(i, b)| {
                b.iteration == it
                    && match probe {
                        // One backward of both losses counts by its generators' terms.
                        GanProbe::Generator => {
                            is_generator_backward(run, b, &gens)
                                || roles.get(i).is_some_and(|r| is_joint(r))
                        }
                        GanProbe::Discriminator => {
                            trains_discriminators(run, b) && discs.iter().any(|d| b.changes(*d))
                        }
                    }
            })
            .map(|(i, _)| i)
            .collect()
    };
    let pick = |run: &Run| -> Option<(usize, f64)> {
        let i = *probed(run).first()?;
        Some((i, part(run, i)?))
    };
    // Every discriminator's loss is checked for a domain mix-up, not only the first.
    if let Some(problem) = wrong_domain(base, probe, &probed(base)) {
        return fail(problem);
    }
    let Some((index, l0)) = pick(base) else {
        return skip(match probe {
            GanProbe::Generator => msg!(
                "no backward() gives the generators a gradient",
                "ningún backward() da gradiente a los generadores"
            ),
            GanProbe::Discriminator => msg!(
                "no backward() gives only the discriminators a gradient",
                "ningún backward() da gradiente solo a los discriminadores"
            ),
        });
    };
    // Owned, since the shifted runs below borrow the runs again.
    let names: HashMap<usize, String> = discs.iter().map(|&id| (id, net_label(base, id))).collect();
    let name = |id: usize| names.get(&id).cloned().unwrap_or_default();
    // Each discriminator's own backward in the first iteration: the first that changes
    // its gradient after it scored real images, or else the first that changes its
    // gradient and not the generators' (both losses computed before either backward).
    let own_backward: HashMap<usize, (usize, f64)> = discs
        .iter()
        .filter_map(|d| {
            let backwards = || {
                base.trace
                    .backwards
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.iteration == it && b.changes(*d))
            };
            let generators_untouched =
                |b: &&super::interp::BackwardEvent| gens.iter().all(|g| !b.changes(*g));
            backwards()
                .find(|(_, b)| trains_discriminators(base, b))
                .or_else(|| backwards().find(|(_, b)| generators_untouched(b)))
                .and_then(|(i, _)| Some((*d, (i, part(base, i)?))))
        })
        .collect();
    match probe {
        // Scoring one discriminator's fakes as more real must lower the generators'
        // loss, for each discriminator: a loss that asks only one of them about its
        // fakes covers one direction.
        GanProbe::Generator => {
            let mut lowered = Vec::new();
            for d in &discs {
                let up = shifted_run(runs, body, rubric, Shift::Fake, *d);
                let Some(l1) = part_loss(up, index, &roles, probe) else {
                    return skip(halted(up));
                };
                if l1 >= l0 - 1e-7 {
                    let d = name(*d);
                    return fail(msg!(
                        "scoring {d}'s fakes as more real does not lower the generators' loss ({l0:.4} → {l1:.4}): it does not ask {d} about its fakes",
                        "que {d} puntúe sus falsas como más reales no baja la pérdida de los generadores ({l0:.4} → {l1:.4}): no se le pregunta a {d} por sus falsas"
                    ));
                }
                lowered.push(format!("{} {l0:.4} → {l1:.4}", name(*d)));
            }
            let lowered = lowered.join(", ");
            pass(msg!(
                "scoring each discriminator's fakes as more real lowers the generators' loss ({lowered})",
                "que cada discriminador puntúe sus falsas como más reales baja la pérdida de los generadores ({lowered})"
            ))
        }
        // Each discriminator's own loss must fall when it scores its real images higher
        // and rise when it scores its fakes higher.
        GanProbe::Discriminator => {
            let mut checked = Vec::new();
            for d in &discs {
                let Some(&(i, l0)) = own_backward.get(d) else {
                    let d = name(*d);
                    return fail(msg!(
                        "no backward() trains {d} on real and generated images",
                        "ningún backward() entrena a {d} con imágenes reales y generadas"
                    ));
                };
                let mut shifted = |shift: Shift| {
                    let run = shifted_run(runs, body, rubric, shift, *d);
                    part_loss(run, i, &roles, probe).ok_or_else(|| halted(run))
                };
                let lr = match shifted(Shift::Real) {
                    Ok(l) => l,
                    Err(why) => return skip(why),
                };
                let lf = match shifted(Shift::Fake) {
                    Ok(l) => l,
                    Err(why) => return skip(why),
                };
                if !(lr < l0 - 1e-7 && lf > l0 + 1e-7) {
                    let d = name(*d);
                    return fail(msg!(
                        "{d}'s loss does not reward its real and punish its fake scores (real up: {l0:.4} → {lr:.4}; fake up: {l0:.4} → {lf:.4})",
                        "la pérdida de {d} no premia sus puntuaciones reales ni castiga las falsas (reales al alza: {l0:.4} → {lr:.4}; falsas al alza: {l0:.4} → {lf:.4})"
                    ));
                }
                let d = name(*d);
                checked.push(msg!(
                    "{d} real up {l0:.4} → {lr:.4}, fake up → {lf:.4}",
                    "{d} reales al alza {l0:.4} → {lr:.4}, falsas al alza → {lf:.4}"
                ));
            }
            let en = checked
                .iter()
                .map(|m| m.en.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let es = checked
                .iter()
                .map(|m| m.es.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            pass(msg!(
                "each discriminator's loss rewards its real and punishes its fake scores ({en})",
                "la pérdida de cada discriminador premia sus puntuaciones reales y castiga las falsas ({es})"
            ))
        }
    }
}

/// Where the generators' loss is a sum, its cycle terms are those that vanish when each
/// generator undoes the other (a translation and its inverse) and not when both move
/// images the same way; an identity loss (`G_BA(real_A)` against `real_A`) vanishes in
/// neither. Both reconstructions must be among them: a problem is returned when the
/// cycle terms depend on the images of one domain only. `None` when the loss has no
/// term that reads as a cycle, and the whole loss is measured instead.
fn cycle_terms_cover_both(
    body: &[crate::ir::Stmt],
    rubric: &Rubric,
    runs: &mut HashMap<String, Run>,
    index: usize,
) -> Option<Msg> {
    let shifted = |inverse_shift: bool| Knobs {
        shifted_generators: 0.5,
        inverse_shift,
        constant_discriminators: true,
        input_grad: true,
        ..Knobs::default()
    };
    let values = |run: &Run| -> Option<Vec<f64>> {
        let b = run.trace.backwards.get(index)?;
        (b.terms.len() >= 2).then(|| b.terms.iter().map(|t| t.value).collect())
    };
    let undone = values(get_run(runs, "cycle_inverse", body, rubric, shifted(true)))?;
    let moved = values(get_run(runs, "cycle_same", body, rubric, shifted(false)))?;
    let bent = runs.get("cycle_bent")?.trace.backwards.get(index)?;
    if undone.len() != moved.len() || bent.terms.len() != moved.len() {
        return None;
    }
    let cycles: Vec<usize> = (0..moved.len())
        .filter(|&k| undone[k].abs() < 1e-5 && moved[k].abs() > 1e-5)
        .collect();
    if cycles.is_empty() {
        return None;
    }
    let from_a = cycles.iter().any(|&k| bent.terms[k].input_grads.0 > 0.0);
    let from_b = cycles.iter().any(|&k| bent.terms[k].input_grads.1 > 0.0);
    match (from_a, from_b) {
        (true, true) => None,
        (false, _) => Some(msg!(
            "the generators' loss has no A → B → A reconstruction term: its terms that vanish when each generator undoes the other depend on domain B's images only (an identity term vanishes in neither case)",
            "la pérdida de los generadores no tiene término de reconstrucción A → B → A: sus términos que se anulan cuando cada generador deshace al otro solo dependen de las imágenes del dominio B (un término de identidad no se anula en ningún caso)"
        )),
        (true, false) => Some(msg!(
            "the generators' loss has no B → A → B reconstruction term: its terms that vanish when each generator undoes the other depend on domain A's images only (an identity term vanishes in neither case)",
            "la pérdida de los generadores no tiene término de reconstrucción B → A → B: sus términos que se anulan cuando cada generador deshace al otro solo dependen de las imágenes del dominio A (un término de identidad no se anula en ningún caso)"
        )),
    }
}

fn cycle(body: &[crate::ir::Stmt], rubric: &Rubric, runs: &mut HashMap<String, Run>) -> Measured {
    // One backward of both losses holds the generators' loss too; with the
    // discriminators held constant, its discriminators' terms give the images no
    // gradient, so the measurement below reads the generators' terms alone.
    let roles = term_roles(body, rubric, runs);
    let base = &runs["base"];
    let gens = nets_with_role(base, "generator");
    let it = base.trace.backwards[0].iteration;
    let Some(index) = base.trace.backwards.iter().enumerate().position(|(i, b)| {
        b.iteration == it
            && (is_generator_backward(base, b, &gens) || roles.get(&i).is_some_and(|r| is_joint(r)))
    }) else {
        return skip(msg!(
            "no backward() gives the generators a gradient",
            "ningún backward() da gradiente a los generadores"
        ));
    };
    let probe =
        |run: &Run| -> Option<(f64, f64)> { run.trace.backwards.get(index).map(|b| b.input_grads) };
    let bent = get_run(
        runs,
        "cycle_bent",
        body,
        rubric,
        Knobs {
            bent_generators: true,
            constant_discriminators: true,
            input_grad: true,
            ..Knobs::default()
        },
    );
    let Some((ga, gb)) = probe(bent) else {
        return skip(halted(bent));
    };
    let identity = get_run(
        runs,
        "cycle_identity",
        body,
        rubric,
        Knobs {
            identity_generators: true,
            constant_discriminators: true,
            input_grad: true,
            ..Knobs::default()
        },
    );
    let Some((ia, ib)) = probe(identity) else {
        return skip(halted(identity));
    };
    if let Some(problem) = cycle_terms_cover_both(body, rubric, runs, index) {
        return fail(problem);
    }
    if ga <= 0.0 || gb <= 0.0 {
        let missing = if ga <= 0.0 {
            "A → B → A"
        } else {
            "B → A → B"
        };
        return fail(msg!(
            "with the discriminators held constant, the generators' loss does not depend on the {missing} reconstruction",
            "con los discriminadores fijos, la pérdida de los generadores no depende de la reconstrucción {missing}"
        ));
    }
    if ia > 1e-9 || ib > 1e-9 {
        return fail(msg!(
            "the reconstruction term does not vanish when both generators are identities",
            "el término de reconstrucción no se anula cuando ambos generadores son la identidad"
        ));
    }
    pass(msg!(
        "the generators' loss depends on both reconstructions and vanishes for identity generators",
        "la pérdida de los generadores depende de ambas reconstrucciones y se anula con generadores identidad"
    ))
}
