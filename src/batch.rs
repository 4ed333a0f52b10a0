//! Grading a folder of answers (`pseudograde grade`): every answer found, graded in
//! parallel, written as a gradebook, one JSON report and one Gradescope `results.json`
//! per answer, and a self-contained `summary.html`. Output does not depend on `--jobs`,
//! every file is written atomically, and an answer that cannot be read is a row with
//! status `error` and the reason: the batch never stops on one bad file.

use crate::grade::{self, Report};
use crate::msg::{Lang, Msg, msg, tr};
use crate::rubric::Rubric;
use crate::{atomic_write, report, source};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One answer found under the folder: its id (path relative to the folder, without
/// extension) and its text, or why it cannot be graded.
pub struct Answer {
    pub id: String,
    pub path: PathBuf,
    pub text: Result<String, Msg>,
}

pub enum Row {
    Graded(String, Box<Report>),
    Error(String, Msg),
}

impl Row {
    /// The answer's id.
    pub fn id(&self) -> &str {
        match self {
            Row::Graded(id, _) | Row::Error(id, _) => id,
        }
    }
}

/// Every file under `dir` (hidden ones aside), in a stable order.
pub fn find(dir: &Path) -> Vec<Answer> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let relative: Vec<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .to_string()
        })
        .collect();
    let without_extension = |rel: &String| {
        Path::new(rel)
            .with_extension("")
            .to_string_lossy()
            .to_string()
    };
    // An answer's id is its path without the extension (`alice/q9`), unless two files
    // share it (`alice/q9.py` and `alice/q9.txt`): those keep their extensions, so every
    // row of the gradebook names one file.
    let mut stems: HashMap<String, usize> = HashMap::new();
    for rel in &relative {
        *stems.entry(without_extension(rel)).or_default() += 1;
    }
    files
        .into_iter()
        .zip(relative)
        .map(|(p, rel)| {
            let stem = without_extension(&rel);
            let id = if stems[&stem] > 1 { rel } else { stem };
            let text = read_answer(&p);
            Answer { id, path: p, text }
        })
        .collect()
}

/// The answer in a file: the whole text, the fenced code of a Markdown file (prose lines
/// kept blank so lines still match the file), or the code cells of a notebook.
fn read_answer(p: &Path) -> Result<String, Msg> {
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext == "ipynb" {
        let bytes = std::fs::read(p).map_err(|e| crate::source::ReadError::Io(e).message())?;
        let nb: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| msg!("not a notebook: {e}", "no es un cuaderno: {e}"))?;
        let cells = nb["cells"]
            .as_array()
            .ok_or_else(|| msg!("a notebook without cells", "un cuaderno sin celdas"))?;
        let mut code = String::new();
        for c in cells.iter().filter(|c| c["cell_type"] == "code") {
            match &c["source"] {
                serde_json::Value::Array(lines) => lines
                    .iter()
                    .filter_map(|l| l.as_str())
                    .for_each(|l| code.push_str(l)),
                serde_json::Value::String(s) => code.push_str(s),
                _ => {}
            }
            code.push('\n');
        }
        return source::decode(code.into_bytes()).map_err(|e| e.message());
    }
    let text = source::read(&p.to_string_lossy()).map_err(|e| e.message())?;
    if ext == "md" || ext == "markdown" {
        let mut inside = false;
        let mut code = Vec::new();
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                inside = !inside;
                code.push(String::new());
            } else {
                code.push(if inside {
                    line.to_string()
                } else {
                    String::new()
                });
            }
        }
        let code = code.join("\n");
        if code.trim().is_empty() {
            return Err(msg!(
                "the Markdown file has no fenced code",
                "el archivo Markdown no tiene bloques de código"
            ));
        }
        return Ok(code);
    }
    Ok(text)
}

/// Grades every answer on `jobs` threads; rows come back in the answers' order. With
/// `progress`, a bar on the terminal counts the answers graded; with `exec`, each answer
/// is also run on toy tensors and its report carries the `exec` object.
pub fn grade_all(
    answers: &[Answer],
    rubric: &Rubric,
    jobs: usize,
    progress: bool,
    exec: bool,
) -> Vec<Row> {
    let bar = if progress {
        indicatif::ProgressBar::new(answers.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    // The bar has no words, so it needs no translation: answers graded out of all,
    // and the time left.
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} · {eta}") {
        bar.set_style(style);
    }
    let work = || {
        answers
            .par_iter()
            .inspect(|_| bar.inc(1))
            .map(|a| match &a.text {
                Ok(t) => {
                    let mut report = grade::grade(&a.path.to_string_lossy(), t, rubric);
                    if exec {
                        report.exec = crate::exec::run_if_available(t, rubric, &report);
                    }
                    Row::Graded(a.id.clone(), Box::new(report))
                }
                Err(e) => Row::Error(a.id.clone(), e.clone()),
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The gradebook CSV: its header and status words are keys that spreadsheets and
/// scripts read, so only the error reasons are in `lang`.
pub fn gradebook(rows: &[Row], rubric: &Rubric, lang: Lang) -> String {
    let mut out = String::from("answer");
    for r in &rubric.rules {
        out.push(',');
        out.push_str(&r.id);
    }
    out.push_str(",total,status,error\n");
    for row in rows {
        match row {
            Row::Graded(id, rep) => {
                out.push_str(&csv_cell(id));
                for r in &rep.rules {
                    let _ = write!(out, ",{}", r.points);
                }
                let _ = writeln!(out, ",{},graded,", rep.score);
            }
            Row::Error(id, why) => {
                out.push_str(&csv_cell(id));
                out.push_str(&",".repeat(rubric.rules.len()));
                let _ = writeln!(out, ",,error,{}", csv_cell(why.get(lang)));
            }
        }
    }
    out
}

/// "3 answers graded, 1 could not be read", in the singular where a count is one; the
/// summary and the command's last line both say it.
pub fn count_phrase(graded: usize, errors: usize, lang: Lang) -> String {
    let graded = match (graded, lang) {
        (1, Lang::En) => "1 answer graded".to_string(),
        (1, Lang::Es) => "1 respuesta calificada".to_string(),
        (n, Lang::En) => format!("{n} answers graded"),
        (n, Lang::Es) => format!("{n} respuestas calificadas"),
    };
    let errors = match (errors, lang) {
        (1, Lang::En) => "1 could not be read".to_string(),
        (1, Lang::Es) => "1 no se pudo leer".to_string(),
        (n, Lang::En) => format!("{n} could not be read"),
        (n, Lang::Es) => format!("{n} no se pudieron leer"),
    };
    format!("{graded}, {errors}")
}

/// A file name for an answer id (`alice/q9` → `alice_q9`).
fn file_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The report file name of each row, in the rows' order: its id's [`file_stem`], with a
/// number added where two ids make the same one (`a/b` and `a_b`), so no report
/// overwrites another. The summary's links and the files written both come from here.
fn report_stems(rows: &[Row]) -> Vec<String> {
    let mut used = HashSet::new();
    rows.iter()
        .map(|row| {
            let base = file_stem(row.id());
            let mut stem = base.clone();
            let mut n = 1;
            while !used.insert(stem.clone()) {
                n += 1;
                stem = format!("{base}-{n}");
            }
            stem
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar chart as inline SVG: one bar per (label, value in 0..=max). With `track`, a
/// light bar behind each one shows the whole scale, so 90% reads as nearly full.
fn bars(items: &[(String, f64)], max: f64, unit: &str, decimals: usize, track: bool) -> String {
    let (w, bar_h, gap, label_w) = (560.0, 20.0, 6.0, 180.0);
    let scale = w - label_w - 100.0;
    let h = items.len() as f64 * (bar_h + gap) + gap;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" font-size="13">"#
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = gap + i as f64 * (bar_h + gap);
        let len = if max > 0.0 { scale * v / max } else { 0.0 };
        if track {
            let _ = write!(
                svg,
                r##"<rect x="{label_w}" y="{y}" width="{scale}" height="{bar_h}" fill="#e4e9f2"/>"##
            );
        }
        // Labels are centred on their bar's middle line, whatever the font's size.
        let _ = write!(
            svg,
            r##"<text x="0" y="{ty}" dominant-baseline="central">{l}</text><rect x="{label_w}" y="{y}" width="{len:.1}" height="{bar_h}" fill="#4a7bd0"/><text x="{tx:.1}" y="{ty}" dominant-baseline="central">{v:.decimals$}{unit}</text>"##,
            ty = y + bar_h / 2.0,
            l = escape(label),
            tx = label_w + if track { scale } else { len } + 4.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The fewest decimals, up to three, that write every score exactly, so a column of
/// scores lines up: 3.00, 3.25, 3.50 rather than 3, 3.25, 3.5.
fn score_decimals<'a>(scores: impl Iterator<Item = &'a f64> + Clone) -> usize {
    (0..3)
        .find(|&d| {
            let unit = 10f64.powi(d as i32);
            scores
                .clone()
                .all(|s| ((s * unit).round() - s * unit).abs() < 1e-6)
        })
        .unwrap_or(3)
}

pub fn summary_html(rows: &[Row], rubric: &Rubric, lang: Lang) -> String {
    let graded: Vec<(&String, &Report)> = rows
        .iter()
        .filter_map(|r| {
            if let Row::Graded(id, rep) = r {
                Some((id, rep.as_ref()))
            } else {
                None
            }
        })
        .collect();
    let errors = rows.len() - graded.len();
    // Score distribution in half-point bins.
    let bins = (rubric.total * 2.0).ceil() as usize + 1;
    let mut counts = vec![0.0; bins];
    for (_, r) in &graded {
        counts[((r.score * 2.0).round() as usize).min(bins - 1)] += 1.0;
    }
    let dist: Vec<(String, f64)> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let points = i as f64 / 2.0;
            (tr!(lang, "{points:.1} points", "{points:.1} puntos"), *c)
        })
        .collect();
    let max_count = counts.iter().cloned().fold(0.0, f64::max);
    let rates: Vec<(String, f64)> = rubric
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let passed = graded.iter().filter(|(_, rep)| rep.rules[i].passed).count() as f64;
            (
                r.id.clone(),
                if graded.is_empty() {
                    0.0
                } else {
                    100.0 * passed / graded.len() as f64
                },
            )
        })
        .collect();
    let mut lint_counts: std::collections::BTreeMap<&str, usize> = Default::default();
    // Answers that raise each lint (an answer with five undefined names counts once).
    for (_, r) in &graded {
        let mut names: Vec<&str> = r.lints.iter().map(|l| l.name).collect();
        names.sort();
        names.dedup();
        for n in names {
            *lint_counts.entry(n).or_default() += 1;
        }
    }
    let mut lints: Vec<(&str, usize)> = lint_counts.into_iter().collect();
    lints.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mean = if graded.is_empty() {
        0.0
    } else {
        graded.iter().map(|(_, r)| r.score).sum::<f64>() / graded.len() as f64
    };
    let (code, title, n, total) = (
        tr!(lang, "en", "es"),
        escape(rubric.title.get(lang)),
        graded.len(),
        rubric.total,
    );
    let counts = count_phrase(n, errors, lang);
    let counts_line = tr!(
        lang,
        "{counts}; mean score {mean:.2} / {total}.",
        "{counts}; nota media {mean:.2} / {total}."
    );
    let mut html = format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:60em}}td,th{{padding:2px 8px;text-align:left}}\
         .num{{text-align:right;font-variant-numeric:tabular-nums}}.error{{color:#b00020}}</style></head><body>\
         <h1>{title}</h1><p>{counts_line}</p>"
    );
    let _ = write!(
        html,
        "<h2>{}</h2>{}",
        tr!(lang, "Score distribution", "Distribución de notas"),
        bars(
            &dist,
            max_count,
            &tr!(lang, " answers", " respuestas"),
            0,
            false
        )
    );
    let _ = write!(
        html,
        "<h2>{}</h2>{}",
        tr!(
            lang,
            "Pass rate per rule",
            "Porcentaje de aprobados por regla"
        ),
        bars(&rates, 100.0, "%", 1, true)
    );
    html.push_str(&tr!(
        lang,
        "<h2>Most common lints</h2><table><tr><th>lint</th><th class=\"num\">answers</th></tr>",
        "<h2>Lints más frecuentes</h2><table><tr><th>lint</th><th class=\"num\">respuestas</th></tr>"
    ));
    for (name, c) in lints.iter().take(10) {
        let _ = write!(html, "<tr><td>{name}</td><td class=\"num\">{c}</td></tr>");
    }
    let decimals = score_decimals(graded.iter().map(|(_, r)| &r.score));
    html.push_str(&tr!(
        lang,
        "</table><h2>Answers</h2><table><tr><th>answer</th><th class=\"num\">score / {total}</th></tr>",
        "</table><h2>Respuestas</h2><table><tr><th>respuesta</th><th class=\"num\">nota / {total}</th></tr>"
    ));
    for (row, stem) in rows.iter().zip(report_stems(rows)) {
        match row {
            Row::Graded(id, r) => {
                let _ = write!(
                    html,
                    "<tr><td><a href=\"reports/{}.json\">{}</a></td><td class=\"num\">{:.decimals$}</td></tr>",
                    stem,
                    escape(id),
                    r.score
                );
            }
            Row::Error(id, why) => {
                let _ = write!(
                    html,
                    "<tr><td>{}</td><td class=\"error\">error: {}</td></tr>",
                    escape(id),
                    escape(why.get(lang))
                );
            }
        }
    }
    html.push_str("</table></body></html>\n");
    html
}

/// Writes the gradebook, the reports and the summary under `out`.
pub fn write_outputs(rows: &[Row], rubric: &Rubric, out: &Path, lang: Lang) -> std::io::Result<()> {
    std::fs::create_dir_all(out.join("reports"))?;
    std::fs::create_dir_all(out.join("gradescope"))?;
    for (row, stem) in rows.iter().zip(report_stems(rows)) {
        if let Row::Graded(_, rep) = row {
            let json = serde_json::to_string_pretty(&report::json(rep, lang)).unwrap_or_default();
            atomic_write(
                &out.join("reports").join(format!("{stem}.json")),
                json.as_bytes(),
            )?;
            let gs =
                serde_json::to_string_pretty(&report::gradescope(rep, lang)).unwrap_or_default();
            atomic_write(
                &out.join("gradescope").join(format!("{stem}.json")),
                gs.as_bytes(),
            )?;
        }
    }
    atomic_write(
        &out.join("gradebook.csv"),
        gradebook(rows, rubric, lang).as_bytes(),
    )?;
    atomic_write(
        &out.join("summary.html"),
        summary_html(rows, rubric, lang).as_bytes(),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::score_decimals;

    #[test]
    fn scores_in_a_column_share_the_fewest_exact_decimals() {
        assert_eq!(score_decimals([3.0, 2.0].iter()), 0);
        assert_eq!(score_decimals([3.0, 3.5].iter()), 1);
        assert_eq!(score_decimals([3.0, 3.25, 3.5].iter()), 2);
        assert_eq!(score_decimals([1.0 / 3.0].iter()), 3);
    }
}
