//! `--exec`: the answers run on toy tensors through libtorch. Without the `exec`
//! feature the flag is refused; with it, the seeds and hostile answers are run.

use std::process::Command;

fn pseudograde() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pseudograde"));
    c.env("LC_ALL", "C");
    c
}

#[cfg(not(feature = "exec"))]
#[test]
fn exec_without_the_feature_says_how_to_build_it() {
    let out = pseudograde()
        .args([
            "check",
            "--rubric",
            "simsiam",
            "--exec",
            "fixtures/simsiam/seed_student.py",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scripts/setup-libtorch.sh"), "{err}");
    assert!(err.contains("--features exec"), "{err}");
}

#[cfg(feature = "exec")]
mod with_libtorch {
    use super::pseudograde;
    use serde_json::Value;
    use std::time::{Duration, Instant};

    fn exec_json(rubric: &str, file: &str) -> Value {
        let out = pseudograde()
            .args([
                "check", "--rubric", rubric, "--exec", "--format", "json", file,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn check<'a>(report: &'a Value, property: &str) -> &'a Value {
        report["exec"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["property"] == property)
            .unwrap_or_else(|| panic!("no `{property}` in {report:#}"))
    }

    #[test]
    fn the_seed_students_simsiam_answer_is_confirmed_property_by_property() {
        let r = exec_json("simsiam", "fixtures/simsiam/seed_student.py");
        assert_eq!(r["exec"]["status"], "confirmed", "{:#}", r["exec"]);
        // Every rule of the rubric has a measured property, and each agrees with the
        // static verdict (all rules pass for this answer).
        for rule in r["rules"].as_array().unwrap() {
            let measured: Vec<&Value> = r["exec"]["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["rule"] == rule["id"])
                .collect();
            assert!(!measured.is_empty(), "no property for {}", rule["id"]);
            assert!(
                measured.iter().all(|c| c["result"] == "pass"),
                "{measured:#?}"
            );
        }
    }

    #[test]
    fn a_missing_stop_gradient_is_measured_as_gradient_reaching_the_encoder() {
        let r = exec_json("simsiam", "fixtures/simsiam/no_stop_gradient.py");
        let c = check(&r, "stop_gradient");
        assert_eq!(c["result"], "fail", "{c:#}");
        assert!(
            c["detail"]
                .as_str()
                .unwrap()
                .contains("still receives gradient")
        );
        let static_verdict = r["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == "stop_gradient")
            .unwrap();
        assert_eq!(static_verdict["passed"], false);
    }

    /// Without a predictor there is nothing to cut but the loss's online argument: the
    /// answer that detaches its targets passes, the same answer without `.detach()` fails.
    #[test]
    fn without_a_predictor_the_stop_gradient_is_measured_on_the_targets() {
        let detached = std::fs::read_to_string("fixtures/simsiam/no_predictor.py").unwrap();
        assert!(detached.contains("z2.detach()") && detached.contains("z1.detach()"));
        let attached = detached.replace(".detach()", "");
        let file = std::env::temp_dir().join(format!("pg-no-pred-{}.py", std::process::id()));
        std::fs::write(&file, attached).unwrap();
        for (path, want) in [
            ("fixtures/simsiam/no_predictor.py", "pass"),
            (file.to_str().unwrap(), "fail"),
        ] {
            let r = exec_json("simsiam", path);
            let c = check(&r, "stop_gradient");
            assert_eq!(c["result"], want, "{path}: {c:#}");
        }
        let _ = std::fs::remove_file(&file);
    }

    /// An answer that freezes its student has a loss PyTorch cannot back-propagate: the
    /// run says so at the line and still measures what the other lines mean, except the
    /// EMA, which a student that never moves cannot show.
    #[test]
    fn a_backward_on_nothing_trained_is_noted_and_the_run_goes_on() {
        let frozen = "fixtures/ibot/b11_student_frozen_teacher_in_moduledict_optimizer.py";
        let text = std::fs::read_to_string(frozen).unwrap();
        let freeze = "nets[\"s\"].requires_grad_(False)";
        assert!(text.contains(freeze));
        let trained = std::env::temp_dir().join(format!("pg-trained-{}.py", std::process::id()));
        std::fs::write(&trained, text.replace(freeze, "pass")).unwrap();

        let r = exec_json("ibot", frozen);
        let reason = r["exec"]["reason"].as_str().unwrap();
        assert!(
            reason.contains("line 24") && reason.contains("PyTorch raises"),
            "{reason}"
        );
        assert_eq!(check(&r, "cls_cross_view")["result"], "pass", "{r:#}");
        assert_eq!(check(&r, "teacher_no_grad")["result"], "fail", "{r:#}");
        assert_eq!(check(&r, "ema_teacher")["result"], "skipped", "{r:#}");

        let r = exec_json("ibot", trained.to_str().unwrap());
        let reason = r["exec"]["reason"].as_str().unwrap();
        assert!(!reason.contains("PyTorch raises"), "{reason}");
        assert_eq!(check(&r, "ema_teacher")["result"], "pass", "{r:#}");
        let _ = std::fs::remove_file(&trained);
    }

    #[test]
    fn a_one_term_loss_changes_when_the_views_are_swapped() {
        let r = exec_json("simsiam", "fixtures/simsiam/one_term_only.py");
        let c = check(&r, "swap_symmetric");
        assert_eq!(c["result"], "fail", "{c:#}");
        assert!(c["detail"].as_str().unwrap().contains("swapped"));
    }

    #[test]
    fn the_ibot_answer_key_is_contradicted_on_nothing_and_its_asymmetry_is_measured() {
        let r = exec_json("ibot", "fixtures/ibot/seed_answer_key.py");
        let contradicted: Vec<&Value> = r["exec"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                let rule = r["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["id"] == c["rule"])
                    .unwrap();
                c["result"] != "skipped"
                    && (c["result"] == "pass") != rule["passed"].as_bool().unwrap()
            })
            .collect();
        assert!(contradicted.is_empty(), "{contradicted:#?}");
        assert_ne!(r["exec"]["status"], "contradicted");
        // The key pairs one view with itself: measured, the [CLS] loss never compares
        // two different views.
        let cls = check(&r, "cls_cross_view");
        assert_eq!(cls["result"], "fail", "{cls:#}");
        assert!(
            cls["detail"]
                .as_str()
                .unwrap()
                .contains("never compares two different views")
        );
    }

    #[test]
    fn the_seed_students_ibot_and_cyclegan_answers_are_confirmed() {
        for rubric in ["ibot", "cyclegan"] {
            let r = exec_json(rubric, &format!("fixtures/{rubric}/seed_student.py"));
            assert_eq!(
                r["exec"]["status"], "confirmed",
                "{rubric}: {:#}",
                r["exec"]
            );
        }
    }

    /// The answer keys that earn every rule are confirmed on every property, the
    /// transcription's quirks (`lambda_cycle = 10.0,`, a tuple in Python) included.
    #[test]
    fn the_simsiam_and_cyclegan_answer_keys_are_confirmed_on_every_property() {
        for rubric in ["simsiam", "cyclegan"] {
            let r = exec_json(rubric, &format!("fixtures/{rubric}/seed_answer_key.py"));
            assert_eq!(
                r["exec"]["status"], "confirmed",
                "{rubric}: {:#}",
                r["exec"]
            );
            let checks = r["exec"]["checks"].as_array().unwrap();
            let rules = r["rules"].as_array().unwrap();
            for rule in rules {
                assert!(
                    checks
                        .iter()
                        .any(|c| c["rule"] == rule["id"] && c["result"] == "pass"),
                    "{rubric}: no passing property for {}: {:#}",
                    rule["id"],
                    r["exec"]
                );
            }
        }
    }

    /// A stand-in that is no number (here the undefined loss `H`) used as a tensor once
    /// recursed until the stack overflowed and the process aborted.
    #[test]
    fn a_loss_stand_in_used_as_a_tensor_is_refused_with_the_reason() {
        let file = std::env::temp_dir().join(format!("pg-stand-{}.py", std::process::id()));
        std::fs::write(
            &file,
            "for x in loader:\n    loss = 0.5 * H + 1\n    loss.backward()\n",
        )
        .unwrap();
        let r = exec_json("ibot", file.to_str().unwrap());
        assert_eq!(r["exec"]["status"], "not_run", "{:#}", r["exec"]);
        let reason = r["exec"]["reason"].as_str().unwrap();
        assert!(
            reason.contains("line 2") && reason.contains("`H`"),
            "{reason}"
        );
        let _ = std::fs::remove_file(&file);
    }

    /// `**` once lowered as `*`, so a dict spread positionally gave its keys and a
    /// tensor spread as keywords was iterated; `**` now passes a dict's entries as
    /// keywords and refuses anything that is no mapping, at its line.
    #[test]
    fn keyword_splat_passes_a_dicts_entries_and_refuses_a_tensor() {
        let file = std::env::temp_dir().join(format!("pg-splat-{}.py", std::process::id()));
        let answer = |spread: &str| {
            format!(
                "def D(p, z):\n    return -F.cosine_similarity(p, z.detach(), dim=-1).mean()\n\
                 for x in loader:\n    x1, x2 = aug(x), aug(x)\n\
                 \x20   p1, p2, z1, z2 = h(f(x1)), h(f(x2)), f(x1), f(x2)\n\
                 \x20   loss = D(**{spread}) / 2 + D(p2, z1) / 2\n\
                 \x20   opt.zero_grad()\n    loss.backward()\n    opt.step()\n"
            )
        };
        std::fs::write(&file, answer("dict(p=p1, z=z2)")).unwrap();
        let r = exec_json("simsiam", file.to_str().unwrap());
        assert_eq!(r["exec"]["status"], "confirmed", "{:#}", r["exec"]);
        std::fs::write(&file, answer("p1")).unwrap();
        let r = exec_json("simsiam", file.to_str().unwrap());
        assert_eq!(r["exec"]["status"], "not_run", "{:#}", r["exec"]);
        let reason = r["exec"]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("line 6") && reason.contains("`**` spreads a mapping"),
            "{reason}"
        );
        let _ = std::fs::remove_file(&file);
    }

    /// `torch.autograd.grad` gives a gradient penalty its gradient; asked for the
    /// gradient of a tensor that needs none, or of an input the outputs never used, the
    /// run ends at that line with PyTorch's reason (libtorch's own error there once
    /// crashed the process).
    #[test]
    fn autograd_grad_measures_a_penalty_and_refuses_what_pytorch_refuses() {
        let file = std::env::temp_dir().join(format!("pg-agrad-{}.py", std::process::id()));
        let answer = |grad: &str| {
            format!(
                "def D(p, z):\n    return -F.cosine_similarity(p, z.detach(), dim=-1).mean()\n\
                 for x in loader:\n    x1, x2 = aug(x), aug(x)\n\
                 \x20   a = torch.ones(4, 3).requires_grad_(True)\n\
                 \x20   b = torch.ones(4, 3)\n\
                 \x20   g, = {grad}\n\
                 \x20   p1, p2, z1, z2 = h(f(x1)), h(f(x2)), f(x1), f(x2)\n\
                 \x20   penalty = ((g - 2) ** 2).mean()\n\
                 \x20   loss = D(p1, z2) / 2 + D(p2, z1) / 2\n\
                 \x20   opt.zero_grad()\n    loss.backward()\n    opt.step()\n"
            )
        };
        for (grad, want) in [
            (
                "torch.autograd.grad((a * a).sum(), a, create_graph=True)",
                None,
            ),
            (
                "torch.autograd.grad((b * 2).sum(), b)",
                Some("does not require grad"),
            ),
            (
                "torch.autograd.grad((a * 2).sum(), torch.ones(1).requires_grad_(True))",
                Some("not used"),
            ),
        ] {
            std::fs::write(&file, answer(grad)).unwrap();
            let r = exec_json("simsiam", file.to_str().unwrap());
            match want {
                None => assert_eq!(r["exec"]["status"], "confirmed", "{grad}: {:#}", r["exec"]),
                Some(why) => {
                    assert_eq!(r["exec"]["status"], "not_run", "{grad}: {:#}", r["exec"]);
                    let reason = r["exec"]["reason"].as_str().unwrap();
                    assert!(
                        reason.starts_with("line 7") && reason.contains(why),
                        "{reason}"
                    );
                }
            }
        }
        let _ = std::fs::remove_file(&file);
    }

    /// tch frees a `Scalar` argument before it reads the op's error, so a failed
    /// `F.normalize`, `masked_fill` or `lerp_` once panicked and the run ended as
    /// "stopped unexpectedly"; each now ends at its line with torch's reason.
    #[test]
    fn ops_with_a_number_argument_that_fail_say_why_at_their_line() {
        let cases = [
            (
                "normalize",
                "z = F.normalize(torch.ones(4), dim=1)",
                "out of range",
            ),
            (
                "masked_fill",
                "z = torch.ones(4, 3).masked_fill(torch.ones(5, 2) > 0, 0.0)",
                "line 3",
            ),
            (
                "lerp",
                "z = torch.ones(4, 3)\n    z.lerp_(torch.ones(5, 2), 0.5)",
                "line 4",
            ),
        ];
        for (name, line, reason) in cases {
            let file =
                std::env::temp_dir().join(format!("pg-scalar-{name}-{}.py", std::process::id()));
            std::fs::write(
                &file,
                format!("import torch\nfor x in loader:\n    {line}\n    z.sum().backward()\n"),
            )
            .unwrap();
            let r = exec_json("simsiam", file.to_str().unwrap());
            assert_eq!(r["exec"]["status"], "not_run", "{name}: {:#}", r["exec"]);
            let why = r["exec"]["reason"].as_str().unwrap();
            assert!(why.starts_with("line "), "{name}: {why}");
            assert!(why.contains(reason), "{name}: {why}");
            assert!(!why.contains("unexpectedly"), "{name}: {why}");
            let _ = std::fs::remove_file(&file);
        }
    }

    /// A `LightningModule` never writes its loop: `trainer.fit` runs `training_step` and,
    /// with automatic optimization, backward and the step on the loss it returns. A
    /// module that forgets to return the loss is never updated, and the run says so.
    #[test]
    fn a_lightning_module_is_trained_by_trainer_fit_as_lightning_would() {
        let module = |returned: &str| {
            format!(
                "import pytorch_lightning as pl\n\
                 class SimSiam(pl.LightningModule):\n\
                 \x20   def __init__(self):\n\
                 \x20       super().__init__()\n\
                 \x20       self.encoder = encoder\n\
                 \x20       self.predictor = predictor\n\
                 \x20   def training_step(self, batch, batch_idx):\n\
                 \x20       (x1, x2), _ = batch\n\
                 \x20       z1, z2 = self.encoder(x1), self.encoder(x2)\n\
                 \x20       p1, p2 = self.predictor(z1), self.predictor(z2)\n\
                 \x20       loss = -0.5 * (F.cosine_similarity(p1, z2.detach()).mean()\n\
                 \x20                      + F.cosine_similarity(p2, z1.detach()).mean())\n\
                 \x20       {returned}\n\
                 \x20   def configure_optimizers(self):\n\
                 \x20       opt = torch.optim.SGD(self.parameters(), lr=0.05)\n\
                 \x20       return [opt], [torch.optim.lr_scheduler.CosineAnnealingLR(opt, 100)]\n\
                 trainer = pl.Trainer(max_epochs=10)\n\
                 trainer.fit(SimSiam(), train_dataloaders=DataLoader(dataset, batch_size=256))\n"
            )
        };
        let dir = std::env::temp_dir().join(format!("pg-lightning-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let returning = dir.join("returns_the_loss.py");
        std::fs::write(&returning, module("return {\"loss\": loss}")).unwrap();
        let r = exec_json("simsiam", returning.to_str().unwrap());
        for property in ["stop_gradient", "swap_symmetric", "step_after_backward"] {
            assert_eq!(check(&r, property)["result"], "pass", "{:#}", r["exec"]);
        }

        let silent = dir.join("returns_nothing.py");
        std::fs::write(&silent, module("self.log(\"loss\", loss)")).unwrap();
        let r = exec_json("simsiam", silent.to_str().unwrap());
        assert_eq!(
            check(&r, "step_after_backward")["result"],
            "fail",
            "{:#}",
            r["exec"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// MMSelfSup's runner calls `model.forward_train(img)` on a model the answer's class
    /// describes but never makes: the undefined `model` is an instance of the one class
    /// with that method, and its loss is measured (here with the stop-gradient forgotten).
    #[test]
    fn an_undefined_model_whose_method_one_class_defines_is_an_instance_of_it() {
        let file = std::env::temp_dir().join(format!("pg-instance-{}.py", std::process::id()));
        std::fs::write(
            &file,
            "class SimSiam(nn.Module):\n\
             \x20   def __init__(self, encoder, predictor):\n\
             \x20       super().__init__()\n\
             \x20       self.encoder, self.predictor = encoder, predictor\n\
             \x20   def forward_train(self, img):\n\
             \x20       z1, z2 = self.encoder(img[0]), self.encoder(img[1])\n\
             \x20       p1, p2 = self.predictor(z1), self.predictor(z2)\n\
             \x20       loss = -0.5 * (F.cosine_similarity(p1, z2).mean() + F.cosine_similarity(p2, z1).mean())\n\
             \x20       return dict(loss=loss)\n\
             for data_batch in data_loader:\n\
             \x20   losses = model.forward_train(data_batch['img'])\n\
             \x20   optimizer.zero_grad()\n\
             \x20   losses['loss'].backward()\n\
             \x20   optimizer.step()\n",
        )
        .unwrap();
        let r = exec_json("simsiam", file.to_str().unwrap());
        assert_eq!(
            check(&r, "stop_gradient")["result"],
            "fail",
            "{:#}",
            r["exec"]
        );
        assert_eq!(
            check(&r, "swap_symmetric")["result"],
            "pass",
            "{:#}",
            r["exec"]
        );
        let _ = std::fs::remove_file(&file);
    }

    /// timm's and lightly's ViTs return one token sequence with the [CLS] token first:
    /// `tokens[:, 0]` is the [CLS] token and `tokens[:, 1:]` the patch tokens, so the
    /// pairing of an answer written that way is measured, right or wrong.
    #[test]
    fn a_token_sequence_sliced_at_the_cls_token_is_measured_as_cls_and_patches() {
        let answer = |patch_pairs: &str| {
            format!(
                "teacher = copy.deepcopy(student)\n\
                 teacher.requires_grad_(False)\n\
                 opt = torch.optim.SGD(student.parameters(), lr=0.1)\n\
                 for (u, v), (m_u, m_v) in loader:\n\
                 \x20   su, sv = student(u, mask=m_u), student(v, mask=m_v)\n\
                 \x20   with torch.no_grad():\n\
                 \x20       tu, tv = teacher(u), teacher(v)\n\
                 \x20   loss_cls = (H(su[:, 0], tv[:, 0]) + H(sv[:, 0], tu[:, 0])) / 2\n\
                 \x20   loss_patch = {patch_pairs}\n\
                 \x20   loss = loss_cls + loss_patch\n\
                 \x20   opt.zero_grad()\n\
                 \x20   loss.backward()\n\
                 \x20   opt.step()\n"
            )
        };
        let dir = std::env::temp_dir().join(format!("pg-token-seq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let same = dir.join("same_view.py");
        std::fs::write(
            &same,
            answer("(H(su[:, 1:], tu[:, 1:]) + H(sv[:, 1:], tv[:, 1:])) / 2"),
        )
        .unwrap();
        let r = exec_json("ibot", same.to_str().unwrap());
        for property in ["cls_cross_view", "patch_same_view"] {
            assert_eq!(check(&r, property)["result"], "pass", "{:#}", r["exec"]);
        }
        let crossed = dir.join("cross_view.py");
        std::fs::write(
            &crossed,
            answer("(H(su[:, 1:], tv[:, 1:]) + H(sv[:, 1:], tu[:, 1:])) / 2"),
        )
        .unwrap();
        let r = exec_json("ibot", crossed.to_str().unwrap());
        assert_eq!(
            check(&r, "patch_same_view")["result"],
            "fail",
            "{:#}",
            r["exec"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// With `--lang es` the measurements are reported in Spanish, in the text report and
    /// in the JSON report's `exec` object; the property names and rule ids stay keys.
    #[test]
    fn measurements_are_reported_in_spanish() {
        let file = "fixtures/simsiam/one_term_only.py";
        let json = pseudograde()
            .args([
                "--lang", "es", "check", "--rubric", "simsiam", "--exec", "--format", "json", file,
            ])
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&json.stdout).unwrap();
        let c = check(&r, "swap_symmetric");
        assert_eq!(c["result"], "fail");
        let detail = c["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("la pérdida cambia al intercambiar las vistas"),
            "{detail}"
        );
        let text = pseudograde()
            .args([
                "--lang", "es", "check", "--rubric", "simsiam", "--exec", file,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("ejecución: "), "{text}");
        assert!(
            text.contains("swap_symmetric (symmetric_loss): la pérdida cambia"),
            "{text}"
        );
        assert!(!text.contains("the loss changes"), "{text}");
    }

    #[test]
    fn runs_are_deterministic() {
        let a = exec_json("simsiam", "fixtures/simsiam/seed_student.py");
        let b = exec_json("simsiam", "fixtures/simsiam/seed_student.py");
        assert_eq!(a["exec"], b["exec"]);
    }

    /// Each hostile answer ends in `not_run` with its reason, quickly, and touches
    /// nothing.
    #[test]
    fn hostile_answers_end_in_not_run_with_the_reason() {
        let dir = std::env::temp_dir().join(format!("pg-exec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let marker = dir.join("touched");
        let cases = [
            ("loop", "while True:\n    pass\n".to_string(), "loop budget"),
            (
                "alloc",
                "x = torch.zeros(10**10)\n".to_string(),
                "over the budget",
            ),
            (
                "os",
                format!("import os\nos.system(\"touch {}\")\n", marker.display()),
                "`os` reaches outside",
            ),
            // The answer's `os.environ` is its own dict; any other use of `os` is refused.
            (
                "environ",
                format!(
                    "import os\nos.environ[\"HOME\"] = \"/\"\nos.system(\"touch {}\")\n",
                    marker.display()
                ),
                "line 3: `os` reaches outside",
            ),
            (
                "open",
                "print(open(\"/etc/passwd\").read())\n".to_string(),
                "`open` reaches outside",
            ),
            // A folder for outputs is not made, and the next use of `os` stops the run.
            (
                "makedirs",
                format!(
                    "import os\nos.makedirs(\"{}\", exist_ok=True)\nos.system(\"touch {}\")\n",
                    dir.join("made").display(),
                    marker.display()
                ),
                "line 3: `os` reaches outside",
            ),
            // The environment is a launcher's for one process, not the machine's.
            (
                "environment",
                "import os\nrank = int(os.environ[\"LOCAL_RANK\"])\nhome = os.environ[\"HOME\"]\n"
                    .to_string(),
                "line 3: the dict has no key `HOME`",
            ),
            (
                "recursion",
                "def f(n):\n    return f(n + 1)\nf(0)\n".to_string(),
                "runaway recursion",
            ),
        ];
        for (name, code, reason) in cases {
            let file = dir.join(format!("{name}.py"));
            std::fs::write(&file, code).unwrap();
            let start = Instant::now();
            let r = exec_json("simsiam", file.to_str().unwrap());
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{name} took {:?}",
                start.elapsed()
            );
            assert_eq!(r["exec"]["status"], "not_run", "{name}: {:#}", r["exec"]);
            let why = r["exec"]["reason"].as_str().unwrap();
            assert!(why.contains(reason), "{name}: {why}");
            assert!(why.starts_with("line "), "{name}: {why}");
        }
        assert!(!marker.exists(), "student code touched the file system");
        assert!(!dir.join("made").exists(), "student code made a folder");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn grade_with_exec_puts_the_measurements_in_each_answers_report() {
        let dir = std::env::temp_dir().join(format!("pg-exec-grade-{}", std::process::id()));
        let input = dir.join("answers");
        std::fs::create_dir_all(&input).unwrap();
        std::fs::copy(
            "fixtures/simsiam/seed_student.py",
            input.join("seed_student.py"),
        )
        .unwrap();
        let out = dir.join("out");
        let status = pseudograde()
            .args(["grade", "--rubric", "simsiam", "--exec"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(out.join("reports/seed_student.json")).unwrap(),
        )
        .unwrap();
        let alone = exec_json("simsiam", "fixtures/simsiam/seed_student.py");
        assert_eq!(report["exec"]["status"], "confirmed");
        assert_eq!(report["exec"]["checks"], alone["exec"]["checks"]);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_text_report_names_a_contradicted_property() {
        // The static analysis reads this answer's `p1 * z2` loss as symmetric while
        // running it shows otherwise, or agrees: whichever, the text must say which
        // property disagrees when the status is `contradicted`.
        let out = pseudograde()
            .args([
                "check",
                "--rubric",
                "simsiam",
                "--exec",
                "fixtures/simsiam/ho_same_view_typo.py",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let json = exec_json("simsiam", "fixtures/simsiam/ho_same_view_typo.py");
        if json["exec"]["status"] == "contradicted" {
            assert!(text.contains("contradicts the static verdict"), "{text}");
        } else {
            assert!(!text.contains("contradicts the static verdict"), "{text}");
        }
        assert!(text.contains("exec: "), "{text}");
    }
}
