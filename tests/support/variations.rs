//! Variations of fixture answers that keep their meaning: blank lines, comment lines,
//! trailing comments and spaces, spacing after commas, two-space indentation and
//! Windows line endings. They make a large exam from a few dozen answers, for the
//! benchmark of `pseudograde grade` and for the test that `grade` agrees with `check`.
//!
//! Names are never changed: the tool reads roles from names where structure cannot
//! decide (`target`, `teacher`), so a renaming could change a verdict. Every edit
//! leaves string literals alone (lines with a quote are never edited, and nothing is
//! inserted inside a triple-quoted string) and leaves a line ending in `\` as it is,
//! since a space or comment after it would break the continuation.
//!
//! Shared by `benches/exam.rs` and `tests/exam_variations.rs` through `#[path]`.

use std::path::{Path, PathBuf};

/// A small deterministic generator (SplitMix64), so a seed always gives the same exam
/// without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `1 / n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const COMMENTS: &[&str] = &[
    "# my answer",
    "# see the lecture notes",
    "# (written in the exam)",
];

/// A line that holds no string literal, comment, LaTeX or continuation: editing its
/// spacing or adding a comment after it cannot change what it means.
fn plain(line: &str) -> bool {
    !line.contains(['"', '\'', '#', '$', '\\']) && !line.trim().is_empty()
}

/// For each line, whether it lies inside a triple-quoted string (opened on an earlier
/// line), where an inserted line would become part of the string.
fn inside_triple_quotes(lines: &[&str]) -> Vec<bool> {
    let mut inside = false;
    lines
        .iter()
        .map(|l| {
            let was = inside;
            if (l.matches("\"\"\"").count() + l.matches("'''").count()) % 2 == 1 {
                inside = !inside;
            }
            was
        })
        .collect()
}

/// Halves the indentation when every indented line uses a multiple of four spaces and
/// no tab, so the blocks stay the same; other answers are returned unchanged.
fn two_space_indent(lines: &[String]) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    if lines.iter().any(|l| {
        l.starts_with('\t') || indent(l) % 4 != 0 || l.contains("\"\"\"") || l.contains("'''")
    }) {
        return lines.to_vec();
    }
    lines
        .iter()
        .map(|l| {
            let n = indent(l);
            format!("{}{}", " ".repeat(n / 2), &l[n..])
        })
        .collect()
}

/// One variation of `text`, drawn from `seed`.
pub fn vary(text: &str, seed: u64) -> String {
    let mut rng = Rng(seed);
    let lines: Vec<&str> = text.lines().collect();
    let in_string = inside_triple_quotes(&lines);
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 8);
    let commas = rng.one_in(2);
    for (i, line) in lines.iter().enumerate() {
        let continued = i > 0 && lines[i - 1].trim_end().ends_with('\\');
        let can_insert = !in_string[i] && !continued;
        if can_insert && rng.one_in(6) {
            out.push(String::new());
        }
        if can_insert && !line.trim().is_empty() && rng.one_in(8) {
            let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
            out.push(format!("{indent}{}", rng.pick(COMMENTS)));
        }
        let mut edited = line.to_string();
        if plain(line) && !in_string[i] {
            if commas {
                edited = edited.replace(", ", ",");
            } else {
                edited = edited.replace(",", ", ").replace(",  ", ", ");
            }
            if rng.one_in(7) {
                edited.push_str("  ");
                edited.push_str(rng.pick(COMMENTS));
            } else if rng.one_in(7) {
                edited.push_str("   ");
            }
        }
        out.push(edited);
    }
    if rng.one_in(3) {
        out = two_space_indent(&out);
    }
    let newline = if rng.one_in(4) { "\r\n" } else { "\n" };
    let mut varied = out.join(newline);
    varied.push_str(newline);
    varied
}

/// Writes `count` answers into `dir`: each fixture of `sources` once as it is, then
/// variations of them in turn. Returns, for each answer written, its path and the
/// fixture it came from.
pub fn write_exam(sources: &[PathBuf], count: usize, dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).expect("the exam folder can be created");
    let texts: Vec<String> = sources
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("fixtures are UTF-8 text"))
        .collect();
    (0..count)
        .map(|i| {
            let k = i % sources.len();
            let stem = sources[k].file_stem().unwrap().to_string_lossy();
            let text = if i < sources.len() {
                texts[k].clone()
            } else {
                vary(&texts[k], i as u64)
            };
            let path = dir.join(format!("{i:04}_{stem}.py"));
            std::fs::write(&path, text).expect("the exam folder is writable");
            (path, sources[k].clone())
        })
        .collect()
}

/// The answers of a rubric's fixture folder, in a stable order.
pub fn fixture_answers(rubric: &str) -> Vec<PathBuf> {
    let mut answers: Vec<PathBuf> = std::fs::read_dir(Path::new("fixtures").join(rubric))
        .expect("the fixture folder exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    answers.sort();
    answers
}
