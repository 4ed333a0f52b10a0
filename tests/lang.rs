//! Every message in the user's language: `--lang`, or else the locale (`LC_ALL`, then
//! `LC_MESSAGES`, then `LANG`). Error paths are where untranslated text hides, so each
//! is run in both languages.

use std::process::{Command, Output};

/// Runs the binary with exactly the given locale variables set.
fn run_with_locale(locale: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pseudograde"));
    for name in ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"] {
        cmd.env_remove(name);
    }
    for (name, value) in locale {
        cmd.env(name, value);
    }
    cmd.args(args).output().expect("the binary runs")
}

/// One way of choosing the language: the locale variables, and extra arguments.
type LanguageChoice = (
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pseudograde-lang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A rubric whose first rule's pass feedback lacks its Spanish text, and the line of it.
/// Tests run in parallel, so each names its own copy with `tag`.
fn rubric_missing_spanish(tag: &str) -> (std::path::PathBuf, usize) {
    let text = std::fs::read_to_string("rubrics/simsiam.toml").unwrap();
    let broken = text.replacen(
        ", es = \"Se generan dos aumentaciones distintas del batch.\" }",
        " }",
        1,
    );
    assert_ne!(broken, text, "the Spanish text to remove was not found");
    let line = broken
        .lines()
        .position(|l| l.contains("Two different augmentations"))
        .unwrap()
        + 1;
    let path = scratch(&format!("{tag}_missing_es.toml"));
    std::fs::write(&path, broken).unwrap();
    (path, line)
}

/// The error paths: (what, arguments, Spanish text expected, English text expected).
fn error_cases(tag: &str) -> Vec<(&'static str, Vec<String>, String, String)> {
    let empty = scratch(&format!("{tag}_empty.py"));
    std::fs::write(&empty, "  \n").unwrap();
    let (bad_rubric, line) = rubric_missing_spanish(tag);
    let unclosed = scratch(&format!("{tag}_unclosed.toml"));
    std::fs::write(&unclosed, "id = \"simsiam\ntotal = 3.5\n").unwrap();
    let answer = "fixtures/simsiam/seed_student.py".to_string();
    let s = |x: &str| x.to_string();
    vec![
        (
            "missing answer",
            vec![
                s("check"),
                s("--rubric"),
                s("simsiam"),
                s("no/such/answer.py"),
            ],
            s("no/such/answer.py: no se puede leer: no existe ese archivo o carpeta"),
            s("no/such/answer.py: cannot read it: no such file or folder"),
        ),
        (
            "empty answer",
            vec![
                s("check"),
                s("--rubric"),
                s("simsiam"),
                empty.to_string_lossy().to_string(),
            ],
            s("la respuesta está vacía"),
            s("the answer is empty"),
        ),
        (
            "unknown rubric id",
            vec![s("check"), s("--rubric"), s("simsiamm"), answer.clone()],
            s("rúbrica no válida: simsiamm: no es una rúbrica incorporada ni un archivo legible"),
            s("invalid rubric: simsiamm: not a built-in rubric and not a readable file"),
        ),
        (
            "rubric that is not TOML",
            vec![
                s("check"),
                s("--rubric"),
                unclosed.to_string_lossy().to_string(),
                answer.clone(),
            ],
            format!(
                "rúbrica no válida: {}:1:14: TOML no válido:",
                unclosed.display()
            ),
            format!("invalid rubric: {}:1:14: ", unclosed.display()),
        ),
        (
            "rubric without Spanish",
            vec![
                s("check"),
                s("--rubric"),
                bad_rubric.to_string_lossy().to_string(),
                answer,
            ],
            format!("{tag}_missing_es.toml:{line}:"),
            format!("{tag}_missing_es.toml:{line}:"),
        ),
    ]
}

#[test]
fn error_paths_speak_spanish_with_lang_es_or_a_spanish_locale() {
    let spanish_runs: [LanguageChoice; 3] = [
        (&[("LANG", "C")], &["--lang", "es"]),
        (&[("LANG", "es_ES.UTF-8")], &[]),
        (&[("LC_MESSAGES", "es_AR.UTF-8"), ("LANG", "C")], &[]),
    ];
    for (locale, lang_args) in spanish_runs {
        for (what, args, spanish, english) in error_cases("es") {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend(lang_args);
            let out = run_with_locale(locale, &all);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{what} {locale:?}: {err}");
            assert!(err.starts_with("pseudograde: "), "{what}: {err}");
            assert!(err.contains(&spanish), "{what} {locale:?}: {err}");
            if spanish != english {
                assert!(!err.contains(&english), "{what} {locale:?}: {err}");
            }
        }
    }
    // The rubric error is in Spanish beyond its location: the field and the fix.
    let (bad_rubric, _) = rubric_missing_spanish("es");
    let out = run_with_locale(
        &[("LANG", "es_ES.UTF-8")],
        &["rubrics", "validate", bad_rubric.to_str().unwrap()],
    );
    let err = stderr(&out);
    assert!(
        err.contains("rúbrica no válida")
            && err.contains("falta el campo `es`")
            && err.contains("ayuda: todo título, comentario y pista necesita `en` y `es`"),
        "{err}"
    );
}

#[test]
fn error_paths_speak_english_in_the_c_locale_and_when_asked() {
    let english_runs: [LanguageChoice; 3] = [
        (&[("LANG", "C")], &[]),
        (&[], &[]),
        // LC_ALL wins over LANG.
        (&[("LC_ALL", "C"), ("LANG", "es_ES.UTF-8")], &[]),
    ];
    for (locale, lang_args) in english_runs {
        for (what, args, spanish, english) in error_cases("en") {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend(lang_args);
            let out = run_with_locale(locale, &all);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{what}: {err}");
            assert!(err.contains(&english), "{what} {locale:?}: {err}");
            if spanish != english {
                assert!(!err.contains(&spanish), "{what} {locale:?}: {err}");
            }
        }
    }
    let (bad_rubric, _) = rubric_missing_spanish("en");
    let out = run_with_locale(
        &[("LANG", "es_ES.UTF-8")],
        &[
            "--lang",
            "en",
            "rubrics",
            "validate",
            bad_rubric.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("invalid rubric") && err.contains("missing field `es`"),
        "{err}"
    );
}

#[test]
fn reports_and_tool_output_follow_the_language() {
    let spanish = [("LANG", "es_ES.UTF-8")];
    let english = [("LANG", "C")];
    let answer = "fixtures/simsiam/no_stop_gradient.py";
    let check = |locale: &[(&str, &str)]| {
        stdout(&run_with_locale(
            locale,
            &["check", "--rubric", "simsiam", answer],
        ))
    };
    let es = check(&spanish);
    assert!(
        es.contains("(rúbrica)")
            && es.contains("puntuación: 2.5 / 3.5")
            && es.contains("Stop-gradient en la rama objetivo")
            && es.contains("MAL"),
        "{es}"
    );
    let en = check(&english);
    assert!(
        en.contains("(rubric)") && en.contains("score: 2.5 / 3.5") && en.contains("FAIL"),
        "{en}"
    );

    // The global option works after the subcommand as well as before it.
    let listed = stdout(&run_with_locale(
        &english,
        &["rubrics", "list", "--lang", "es"],
    ));
    assert!(
        listed.contains("Bucle de entrenamiento de SimSiam (3.5 puntos, 6 reglas)"),
        "{listed}"
    );

    let tested = stdout(&run_with_locale(&spanish, &["test", "docs/examples/byol"]));
    assert!(tested.contains("3 correctos, 0 fallidos"), "{tested}");

    let explained = run_with_locale(&spanish, &["explain", "no_such_thing"]);
    assert!(
        stderr(&explained).contains("no hay ninguna comprobación, regla ni lint"),
        "{}",
        stderr(&explained)
    );
}

#[test]
fn the_batch_summary_and_gradebook_reasons_follow_the_language() {
    let root = scratch("batch");
    let _ = std::fs::remove_dir_all(&root);
    let answers = root.join("answers");
    std::fs::create_dir_all(&answers).unwrap();
    std::fs::copy(
        "fixtures/simsiam/no_stop_gradient.py",
        answers.join("alice.py"),
    )
    .unwrap();
    std::fs::write(answers.join("empty.py"), "").unwrap();
    for (lang, out_name) in [("es", "out_es"), ("en", "out_en")] {
        let out = root.join(out_name);
        let run = run_with_locale(
            &[("LANG", "C")],
            &[
                "grade",
                "--lang",
                lang,
                "--rubric",
                "simsiam",
                answers.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        let html = std::fs::read_to_string(out.join("summary.html")).unwrap();
        let book = std::fs::read_to_string(out.join("gradebook.csv")).unwrap();
        if lang == "es" {
            assert!(
                html.contains("<html lang=\"es\">")
                    && html.contains("1 respuesta calificada, 1 no se pudo leer")
                    && html.contains("Distribución de notas")
                    && html.contains("la respuesta está vacía"),
                "{html}"
            );
            assert!(
                stderr(&run).contains("1 respuesta calificada, 1 no se pudo leer; resultados en"),
                "{}",
                stderr(&run)
            );
            // The gradebook's header and status are keys that scripts read.
            assert!(
                book.starts_with("answer,") && book.contains(",error,la respuesta está vacía"),
                "{book}"
            );
        } else {
            assert!(
                html.contains("<html lang=\"en\">")
                    && html.contains("1 answer graded, 1 could not be read"),
                "{html}"
            );
            assert!(book.contains(",error,the answer is empty"), "{book}");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
