//! Agreement between the tool and a human grader: per rule, the agreement rate, Cohen's
//! κ and the confusion counts; for totals, the mean absolute difference and the share of
//! answers within half a point; and the answers where the two differ most. This is how
//! an instructor decides whether to trust the tool on a new exam.

use crate::msg::{Msg, msg};
use std::collections::BTreeMap;

/// A human grade: points for one rule, or the answer's total.
#[derive(Clone, Debug, PartialEq)]
pub enum HumanGrade {
    Rule {
        answer: String,
        rule: String,
        points: f64,
    },
    Total {
        answer: String,
        points: f64,
    },
}

/// Reads `answer,rule,points` or `answer,points` rows (a header row, blank lines and
/// `#` comments are skipped). Errors name the line.
pub fn parse_csv(text: &str) -> Result<Vec<HumanGrade>, Msg> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<String> = line
            .split(',')
            .map(|c| c.trim().trim_matches('"').to_string())
            .collect();
        let line_number = i + 1;
        let number = |s: &str| {
            s.parse::<f64>().map_err(|_| {
                msg!(
                    "line {line_number}: `{s}` is not a number of points",
                    "línea {line_number}: `{s}` no es un número de puntos"
                )
            })
        };
        match cells.as_slice() {
            [a, r, p] => match number(p) {
                Ok(points) => out.push(HumanGrade::Rule {
                    answer: a.clone(),
                    rule: r.clone(),
                    points,
                }),
                Err(_) if i == 0 => continue,
                Err(e) => return Err(e),
            },
            [a, p] => match number(p) {
                Ok(points) => out.push(HumanGrade::Total {
                    answer: a.clone(),
                    points,
                }),
                Err(_) if i == 0 => continue,
                Err(e) => return Err(e),
            },
            _ => {
                let found = cells.len();
                return Err(msg!(
                    "line {line_number}: expected `answer,rule,points` or `answer,points`, found {found} cells",
                    "línea {line_number}: se esperaba `answer,rule,points` o `answer,points` y hay {found} celdas"
                ));
            }
        }
    }
    Ok(out)
}

/// Pass/fail counts of one rule: (tool, human) = (pass, pass), (pass, fail), ...
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Confusion {
    pub both_pass: usize,
    pub tool_only: usize,
    pub human_only: usize,
    pub both_fail: usize,
}

impl Confusion {
    pub fn add(&mut self, tool: bool, human: bool) {
        match (tool, human) {
            (true, true) => self.both_pass += 1,
            (true, false) => self.tool_only += 1,
            (false, true) => self.human_only += 1,
            (false, false) => self.both_fail += 1,
        }
    }

    pub fn n(&self) -> usize {
        self.both_pass + self.tool_only + self.human_only + self.both_fail
    }

    pub fn agreement(&self) -> f64 {
        if self.n() == 0 {
            1.0
        } else {
            (self.both_pass + self.both_fail) as f64 / self.n() as f64
        }
    }

    /// Cohen's κ. When chance agreement is certain (both always say the same thing), κ is
    /// 1 if they agree and 0 otherwise.
    pub fn kappa(&self) -> f64 {
        let n = self.n() as f64;
        if n == 0.0 {
            return 1.0;
        }
        let po = self.agreement();
        let tool_yes = (self.both_pass + self.tool_only) as f64 / n;
        let human_yes = (self.both_pass + self.human_only) as f64 / n;
        let pe = tool_yes * human_yes + (1.0 - tool_yes) * (1.0 - human_yes);
        if (1.0 - pe).abs() < 1e-12 {
            return if po == 1.0 { 1.0 } else { 0.0 };
        }
        (po - pe) / (1.0 - pe)
    }
}

/// The tool's verdict on one answer: points per rule and the total.
pub struct ToolGrade {
    pub rules: BTreeMap<String, (f64, f64)>,
    pub total: f64,
}

pub struct Agreement {
    pub per_rule: Vec<(String, Confusion)>,
    pub mean_abs_diff: f64,
    pub within_half: f64,
    /// (answer, tool total, human total), largest difference first.
    pub largest: Vec<(String, f64, f64)>,
    pub unmatched: Vec<String>,
}

/// Compares tool and human. A rule counts as passed by the human when they gave at
/// least half its points.
pub fn compare(
    rule_order: &[String],
    tool: &BTreeMap<String, ToolGrade>,
    human: &[HumanGrade],
) -> Agreement {
    let mut per_rule: BTreeMap<String, Confusion> = BTreeMap::new();
    let mut human_totals: BTreeMap<String, f64> = BTreeMap::new();
    let mut has_total: BTreeMap<String, bool> = BTreeMap::new();
    let mut unmatched = Vec::new();
    for g in human {
        let answer = match g {
            HumanGrade::Rule { answer, .. } | HumanGrade::Total { answer, .. } => answer,
        };
        let Some(t) = tool.get(answer) else {
            if !unmatched.contains(answer) {
                unmatched.push(answer.clone());
            }
            continue;
        };
        match g {
            HumanGrade::Rule { rule, points, .. } => {
                if let Some((_, max)) = t.rules.get(rule) {
                    let tool_pass = t.rules[rule].0 >= max / 2.0;
                    per_rule
                        .entry(rule.clone())
                        .or_default()
                        .add(tool_pass, *points >= max / 2.0);
                }
                if !has_total.get(answer).copied().unwrap_or(false) {
                    *human_totals.entry(answer.clone()).or_default() += points;
                }
            }
            HumanGrade::Total { points, .. } => {
                human_totals.insert(answer.clone(), *points);
                has_total.insert(answer.clone(), true);
            }
        }
    }
    let diffs: Vec<(String, f64, f64)> = human_totals
        .iter()
        .map(|(a, h)| (a.clone(), tool[a].total, *h))
        .collect();
    let n = diffs.len().max(1) as f64;
    let mean_abs_diff = diffs.iter().map(|(_, t, h)| (t - h).abs()).sum::<f64>() / n;
    let within_half = diffs
        .iter()
        .filter(|(_, t, h)| (t - h).abs() <= 0.5 + 1e-9)
        .count() as f64
        / n;
    let mut largest = diffs;
    largest.sort_by(|a, b| {
        (b.1 - b.2)
            .abs()
            .total_cmp(&(a.1 - a.2).abs())
            .then(a.0.cmp(&b.0))
    });
    largest.retain(|(_, t, h)| (t - h).abs() > 1e-9);
    largest.truncate(10);
    let per_rule = rule_order
        .iter()
        .filter_map(|r| per_rule.get(r).map(|c| (r.clone(), *c)))
        .collect();
    Agreement {
        per_rule,
        mean_abs_diff,
        within_half,
        largest,
        unmatched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappa_matches_a_hand_computed_table() {
        // 20 answers: both pass 10, tool only 2, human only 3, both fail 5.
        // po = 15/20 = 0.75; tool yes = 12/20 = 0.6; human yes = 13/20 = 0.65;
        // pe = 0.6·0.65 + 0.4·0.35 = 0.39 + 0.14 = 0.53; κ = (0.75 − 0.53)/(1 − 0.53) = 0.468085…
        let c = Confusion {
            both_pass: 10,
            tool_only: 2,
            human_only: 3,
            both_fail: 5,
        };
        assert!((c.agreement() - 0.75).abs() < 1e-12);
        assert!((c.kappa() - 0.22 / 0.47).abs() < 1e-12);
    }

    #[test]
    fn perfect_and_constant_agreement() {
        let c = Confusion {
            both_pass: 4,
            tool_only: 0,
            human_only: 0,
            both_fail: 3,
        };
        assert_eq!(c.kappa(), 1.0);
        let all_pass = Confusion {
            both_pass: 5,
            ..Default::default()
        };
        assert_eq!(all_pass.kappa(), 1.0);
        let opposite = Confusion {
            tool_only: 2,
            human_only: 2,
            ..Default::default()
        };
        assert!(opposite.kappa() < 0.0);
    }

    #[test]
    fn totals_and_largest_differences() {
        let mk = |total: f64| ToolGrade {
            rules: BTreeMap::from([("r".to_string(), (total, 1.0))]),
            total,
        };
        let tool = BTreeMap::from([
            ("a".to_string(), mk(1.0)),
            ("b".to_string(), mk(0.0)),
            ("c".to_string(), mk(1.0)),
        ]);
        let human = parse_csv("answer,points\na,1\nb,1\nc,0.75\nzzz,1\n").unwrap();
        let ag = compare(&["r".to_string()], &tool, &human);
        // |1-1| + |0-1| + |1-0.75| = 1.25 over 3 answers; a and c are within 0.5.
        assert!((ag.mean_abs_diff - 1.25 / 3.0).abs() < 1e-12);
        assert!((ag.within_half - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(ag.largest[0].0, "b");
        assert_eq!(ag.unmatched, ["zzz"]);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = parse_csv("a,r,1\na,r,x\n").unwrap_err();
        assert!(e.en.starts_with("line 2:"), "{e:?}");
        assert!(e.es.starts_with("línea 2:"), "{e:?}");
        assert!(parse_csv("a,r,1,2\n").unwrap_err().en.contains("4 cells"));
    }
}
