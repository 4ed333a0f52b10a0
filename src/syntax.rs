//! Parsing and lowering: normalized text → tree-sitter tree → [`ir`](crate::ir).
//!
//! Parsing never fails. Lines that tree-sitter cannot read are isolated one by one: a line
//! that does not parse on its own is set aside as `unparsed` (replaced by `pass`, or by a
//! block opener when an indented block follows it) and the answer is parsed again, so one
//! bad line does not swallow its neighbours. What still fails is lowered as
//! [`Stmt::Unparsed`](crate::ir::Stmt::Unparsed).

use crate::ir::*;
use crate::normalize::Normalized;
use std::rc::Rc;
use tree_sitter::{Node, Parser, Tree};

/// Deeper expressions or blocks than this are not lowered (they become `Unknown`), which
/// bounds the recursion of every later pass.
pub const MAX_DEPTH: usize = 120;

/// How many times lines are set aside and the answer parsed again.
const MAX_REPARSES: usize = 4;

pub struct Parsed {
    pub body: Vec<Stmt>,
    /// Number of ERROR or MISSING nodes left in the final tree.
    pub error_nodes: usize,
    /// Whether some code was nested too deeply to be lowered.
    pub too_deep: bool,
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled tree-sitter-python grammar matches the tree-sitter runtime");
    parser
}

/// Parses the normalized answer, setting aside unreadable lines, and lowers it.
pub fn parse(norm: &mut Normalized) -> Parsed {
    let mut parser = new_parser();
    let mut tree = parser.parse(&norm.text, None);
    for _ in 0..MAX_REPARSES {
        let Some(t) = &tree else { break };
        if !t.root_node().has_error() {
            break;
        }
        let lines = error_lines(t);
        let mut changed = false;
        let text_lines: Vec<String> = norm.text.split('\n').map(str::to_string).collect();
        for line0 in lines {
            let Some(line) = text_lines.get(line0) else {
                continue;
            };
            if norm.unparsed.contains_key(&(line0 as u32 + 1))
                || line.trim().is_empty()
                || line.trim() == "pass"
            {
                continue;
            }
            if parses_alone(&mut parser, line) {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let next_deeper = text_lines[line0 + 1..]
                .iter()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.len() - l.trim_start().len() > indent);
            let replacement = format!(
                "{}{}",
                " ".repeat(indent),
                if next_deeper { "if True:" } else { "pass" }
            );
            let original = norm.original_lines.get(line0).cloned().unwrap_or_default();
            norm.unparsed
                .insert(line0 as u32 + 1, original.trim().to_string());
            norm.replace_line(line0, &replacement);
            changed = true;
        }
        if !changed {
            break;
        }
        tree = parser.parse(&norm.text, None);
    }
    let Some(tree) = tree else {
        return Parsed {
            body: Vec::new(),
            error_nodes: 1,
            too_deep: false,
        };
    };
    let lines: Vec<&str> = norm.text.split('\n').collect();
    let mut lower = Lower {
        src: norm.text.as_bytes(),
        lines: &lines,
        norm,
        too_deep: false,
        errors: 0,
    };
    let body = lower.block(tree.root_node(), 0);
    Parsed {
        body,
        error_nodes: lower.errors,
        too_deep: lower.too_deep,
    }
}

fn parses_alone(parser: &mut Parser, line: &str) -> bool {
    let mut snippet = line.trim().to_string();
    if snippet.ends_with(':') {
        snippet.push_str("\n    pass");
    }
    parser
        .parse(&snippet, None)
        .is_some_and(|t| !t.root_node().has_error())
}

/// The 0-based lines touched by ERROR or MISSING nodes.
fn error_lines(tree: &Tree) -> Vec<usize> {
    let mut out = std::collections::BTreeSet::new();
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            let (s, e) = (node.start_position().row, node.end_position().row);
            for l in s..=e.min(s + 50) {
                out.insert(l);
            }
            continue;
        }
        if node.has_error() {
            for child in node.children(&mut cursor) {
                stack.push(child);
            }
        }
    }
    out.into_iter().collect()
}

struct Lower<'a> {
    src: &'a [u8],
    lines: &'a [&'a str],
    norm: &'a Normalized,
    too_deep: bool,
    errors: usize,
}

impl<'a> Lower<'a> {
    fn text(&self, n: Node) -> String {
        n.utf8_text(self.src).unwrap_or("").to_string()
    }

    fn char_col(&self, row: usize, byte_col: usize) -> usize {
        self.lines.get(row).map_or(byte_col, |l| {
            let b = byte_col.min(l.len());
            l.get(..b).map_or(b, |s| s.chars().count())
        })
    }

    fn span(&self, n: Node) -> Span {
        let (s, e) = (n.start_position(), n.end_position());
        Span {
            line: s.row as u32 + 1,
            col: self
                .norm
                .original_col(s.row, self.char_col(s.row, s.column)),
            end_line: e.row as u32 + 1,
            end_col: self
                .norm
                .original_col(e.row, self.char_col(e.row, e.column)),
        }
    }

    fn line_span(&self, line: u32) -> Span {
        let len = self
            .norm
            .original_lines
            .get(line as usize - 1)
            .map_or(1, |l| l.chars().count() as u32 + 1);
        let indent = self
            .norm
            .original_lines
            .get(line as usize - 1)
            .map_or(0, |l| {
                l.chars().take_while(|c| c.is_whitespace()).count() as u32
            });
        Span {
            line,
            col: indent + 1,
            end_line: line,
            end_col: len,
        }
    }

    fn block(&mut self, node: Node, depth: usize) -> Vec<Stmt> {
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return out;
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            self.stmt(child, depth + 1, &mut out);
        }
        out
    }

    fn body_of(&mut self, node: Node, field: &str, depth: usize) -> Vec<Stmt> {
        node.child_by_field_name(field)
            .map(|b| self.block(b, depth))
            .unwrap_or_default()
    }

    fn stmt(&mut self, n: Node, depth: usize, out: &mut Vec<Stmt>) {
        let line = n.start_position().row as u32 + 1;
        let span = self.span(n);
        if let Some(text) = self.norm.prose.get(&line)
            && matches!(n.kind(), "pass_statement")
        {
            out.push(Stmt::Prose {
                text: text.clone(),
                span: self.line_span(line),
            });
            return;
        }
        if let Some(text) = self.norm.unparsed.get(&line)
            && matches!(n.kind(), "pass_statement" | "if_statement")
        {
            out.push(Stmt::Unparsed {
                text: text.clone(),
                span: self.line_span(line),
            });
            if n.kind() == "if_statement" {
                let body = self.body_of(n, "consequence", depth);
                out.extend(body);
            }
            return;
        }
        match n.kind() {
            "expression_statement" => {
                let mut cursor = n.walk();
                let kids: Vec<Node> = n.named_children(&mut cursor).collect();
                for k in kids {
                    match k.kind() {
                        "assignment" => self.assignment(k, depth, out),
                        "augmented_assignment" => {
                            let target = self.expr_field(k, "left", depth);
                            let value = self.expr_field(k, "right", depth);
                            let op = k
                                .child_by_field_name("operator")
                                .map(|o| self.text(o))
                                .unwrap_or_default();
                            out.push(Stmt::AugAssign {
                                target,
                                op: bin_op(op.trim_end_matches('=')),
                                value,
                                span: self.span(k),
                            });
                        }
                        _ => {
                            let e = self.expr(k, depth);
                            out.push(Stmt::Expr(e));
                        }
                    }
                }
            }
            "for_statement" => {
                let target = self.expr_field(n, "left", depth);
                let iter = self.expr_field(n, "right", depth);
                let body = self.body_of(n, "body", depth);
                out.push(Stmt::For {
                    target,
                    iter,
                    body,
                    span,
                });
            }
            "while_statement" => {
                let cond = self.expr_field(n, "condition", depth);
                let body = self.body_of(n, "body", depth);
                out.push(Stmt::While { cond, body, span });
            }
            "if_statement" => out.push(self.if_stmt(n, depth)),
            "with_statement" => {
                let mut items = Vec::new();
                let mut cursor = n.walk();
                let kids: Vec<Node> = n.named_children(&mut cursor).collect();
                for clause in kids.iter().filter(|k| k.kind() == "with_clause") {
                    let mut c2 = clause.walk();
                    let items_nodes: Vec<Node> = clause.named_children(&mut c2).collect();
                    for item in items_nodes {
                        let Some(value) = item.child_by_field_name("value") else {
                            continue;
                        };
                        if value.kind() == "as_pattern" {
                            let mut c3 = value.walk();
                            let parts: Vec<Node> = value.named_children(&mut c3).collect();
                            let e = parts.first().map(|p| self.expr(*p, depth)).unwrap_or(Expr {
                                kind: ExprKind::Unknown,
                                span,
                            });
                            // `as tape`: the name inside the alias's target node.
                            let alias = value.child_by_field_name("alias").map(|a| {
                                let target = match a.kind() {
                                    "as_pattern_target" => a.named_child(0).unwrap_or(a),
                                    _ => a,
                                };
                                self.expr(target, depth)
                            });
                            items.push((e, alias));
                        } else {
                            items.push((self.expr(value, depth), None));
                        }
                    }
                }
                let body = self.body_of(n, "body", depth);
                out.push(Stmt::With { items, body, span });
            }
            "function_definition" => out.push(Stmt::Def(Rc::new(self.func(n, Vec::new(), depth)))),
            "class_definition" => {
                let name = n
                    .child_by_field_name("name")
                    .map(|x| self.text(x))
                    .unwrap_or_default();
                let bases = n
                    .child_by_field_name("superclasses")
                    .map(|s| {
                        let mut c = s.walk();
                        let kids: Vec<Node> = s.named_children(&mut c).collect();
                        kids.into_iter().map(|k| self.expr(k, depth)).collect()
                    })
                    .unwrap_or_default();
                let body = self.body_of(n, "body", depth);
                out.push(Stmt::Class(Rc::new(ClassDef {
                    name,
                    bases,
                    body,
                    span,
                })));
            }
            "decorated_definition" => {
                let mut cursor = n.walk();
                let kids: Vec<Node> = n.named_children(&mut cursor).collect();
                let decorators: Vec<Expr> = kids
                    .iter()
                    .filter(|k| k.kind() == "decorator")
                    .filter_map(|d| d.named_child(0).map(|e| self.expr(e, depth)))
                    .collect();
                if let Some(def) = n.child_by_field_name("definition") {
                    if def.kind() == "function_definition" {
                        out.push(Stmt::Def(Rc::new(self.func(def, decorators, depth))));
                    } else {
                        self.stmt(def, depth, out);
                    }
                }
            }
            "return_statement" => {
                let value = n.named_child(0).map(|e| self.expr(e, depth));
                out.push(Stmt::Return(value, span));
            }
            "block" | "module" => {
                let inner = self.block(n, depth);
                out.extend(inner);
            }
            "ERROR" => {
                self.errors += 1;
                let text = self.text(n);
                let first = text.lines().next().unwrap_or("").trim().to_string();
                out.push(Stmt::Unparsed { text: first, span });
                // Statements tree-sitter still recognised inside the error are kept.
                let mut cursor = n.walk();
                let kids: Vec<Node> = n.named_children(&mut cursor).collect();
                for k in kids {
                    if k.kind().ends_with("statement") || k.kind().ends_with("definition") {
                        self.stmt(k, depth + 1, out);
                    }
                }
            }
            // `try: (x1, x2), _ = next(it)  except StopIteration: ...`: the body is the
            // path a training step takes, then `else` and `finally`; the handlers are
            // for what goes wrong, which neither grader simulates.
            "try_statement" => {
                out.extend(self.body_of(n, "body", depth));
                let mut cursor = n.walk();
                let clauses: Vec<Node> = n.named_children(&mut cursor).collect();
                for clause in clauses {
                    match clause.kind() {
                        "else_clause" => out.extend(self.body_of(clause, "body", depth)),
                        "finally_clause" => {
                            let mut inner = clause.walk();
                            let blocks: Vec<Node> = clause
                                .named_children(&mut inner)
                                .filter(|b| b.kind() == "block")
                                .collect();
                            for b in blocks {
                                out.extend(self.block(b, depth));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "continue_statement" => out.push(Stmt::Continue),
            "break_statement" => out.push(Stmt::Break),
            // `import torch.distributed as dist`, `import random`: the names modules are
            // imported under.
            "import_statement" => {
                let mut cursor = n.walk();
                let aliases: Vec<ModuleAlias> = n
                    .named_children(&mut cursor)
                    .filter_map(|c| match c.kind() {
                        "aliased_import" => {
                            let path = c.child_by_field_name("name")?;
                            let alias = c.child_by_field_name("alias")?;
                            Some(ModuleAlias {
                                name: self.text(alias),
                                path: self.text(path),
                            })
                        }
                        // `import copy, math, random`, `import torch.nn`: the first part
                        // of the path is the name bound.
                        "dotted_name" => {
                            let text = self.text(c);
                            let root = text.split('.').next()?.trim().to_string();
                            Some(ModuleAlias {
                                name: root.clone(),
                                path: root,
                            })
                        }
                        _ => None,
                    })
                    .collect();
                out.push(if aliases.is_empty() {
                    Stmt::Other
                } else {
                    Stmt::Import(aliases)
                });
            }
            // `from lightly.models.utils import deactivate_requires_grad`, `from torch
            // import nn`: each name bound, with the module path it stands for.
            "import_from_statement" => {
                let module = n
                    .child_by_field_name("module_name")
                    .map(|m| self.text(m))
                    .unwrap_or_default();
                let mut cursor = n.walk();
                let aliases: Vec<ModuleAlias> = n
                    .children_by_field_name("name", &mut cursor)
                    .filter_map(|c| {
                        let (name, alias) = match c.kind() {
                            "aliased_import" => (
                                self.text(c.child_by_field_name("name")?),
                                self.text(c.child_by_field_name("alias")?),
                            ),
                            "dotted_name" => {
                                let name = self.text(c);
                                (name.clone(), name)
                            }
                            _ => return None,
                        };
                        Some(ModuleAlias {
                            name: alias,
                            path: format!("{module}.{name}"),
                        })
                    })
                    .collect();
                out.push(if aliases.is_empty() {
                    Stmt::Other
                } else {
                    Stmt::Import(aliases)
                });
            }
            "comment"
            | "pass_statement"
            | "global_statement"
            | "nonlocal_statement"
            | "future_import_statement" => out.push(Stmt::Other),
            _ => out.push(Stmt::Other),
        }
        if n.is_missing() {
            self.errors += 1;
        }
    }

    fn if_stmt(&mut self, n: Node, depth: usize) -> Stmt {
        let span = self.span(n);
        let cond = self.expr_field(n, "condition", depth);
        let body = self.body_of(n, "consequence", depth);
        let mut cursor = n.walk();
        let alts: Vec<Node> = n
            .children_by_field_name("alternative", &mut cursor)
            .collect();
        let mut orelse = Vec::new();
        // `elif` chains nest as ifs in the else branch, the last `else` innermost.
        let mut pending: Vec<(Expr, Vec<Stmt>, Span)> = Vec::new();
        for alt in alts {
            match alt.kind() {
                "elif_clause" => {
                    let c = self.expr_field(alt, "condition", depth);
                    let b = self.body_of(alt, "consequence", depth);
                    pending.push((c, b, self.span(alt)));
                }
                "else_clause" => orelse = self.body_of(alt, "body", depth),
                _ => {}
            }
        }
        for (c, b, s) in pending.into_iter().rev() {
            orelse = vec![Stmt::If {
                cond: c,
                body: b,
                orelse,
                span: s,
            }];
        }
        Stmt::If {
            cond,
            body,
            orelse,
            span,
        }
    }

    fn func(&mut self, n: Node, decorators: Vec<Expr>, depth: usize) -> FuncDef {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.text(x))
            .unwrap_or_default();
        let mut params = Vec::new();
        if let Some(ps) = n.child_by_field_name("parameters") {
            let mut c = ps.walk();
            let kids: Vec<Node> = ps.named_children(&mut c).collect();
            for p in kids {
                match p.kind() {
                    "identifier" => params.push(Param {
                        name: self.text(p),
                        default: None,
                    }),
                    "default_parameter" | "typed_default_parameter" => {
                        let pname = p
                            .child_by_field_name("name")
                            .map(|x| self.text(x))
                            .unwrap_or_default();
                        let default = p.child_by_field_name("value").map(|v| self.expr(v, depth));
                        params.push(Param {
                            name: pname,
                            default,
                        });
                    }
                    "typed_parameter" => {
                        let pname = p.named_child(0).map(|x| self.text(x)).unwrap_or_default();
                        params.push(Param {
                            name: pname,
                            default: None,
                        });
                    }
                    "list_splat_pattern" | "dictionary_splat_pattern" => {
                        let pname = p.named_child(0).map(|x| self.text(x)).unwrap_or_default();
                        params.push(Param {
                            name: format!("*{pname}"),
                            default: None,
                        });
                    }
                    _ => {}
                }
            }
        }
        let body = self.body_of(n, "body", depth);
        FuncDef {
            name,
            params,
            body,
            decorators,
            span: self.span(n),
        }
    }

    fn assignment(&mut self, k: Node, depth: usize, out: &mut Vec<Stmt>) {
        // `a = b = value` nests as assignment(left=a, right=assignment(left=b, right=value)).
        let mut targets = vec![self.expr_field(k, "left", depth)];
        let mut right = k.child_by_field_name("right");
        while let Some(r) = right {
            if r.kind() == "assignment" {
                targets.push(self.expr_field(r, "left", depth));
                right = r.child_by_field_name("right");
            } else {
                break;
            }
        }
        let span = self.span(k);
        match right {
            Some(r) => {
                let value = self.expr(r, depth);
                out.push(Stmt::Assign {
                    targets,
                    value,
                    span,
                });
            }
            // An annotated declaration without a value (`x: int`) assigns nothing.
            None => out.push(Stmt::Other),
        }
    }

    fn expr_field(&mut self, n: Node, field: &str, depth: usize) -> Expr {
        match n.child_by_field_name(field) {
            Some(c) => self.expr(c, depth),
            None => Expr {
                kind: ExprKind::Unknown,
                span: self.span(n),
            },
        }
    }

    /// One `for target in iter if cond` clause of a comprehension around `elt`.
    fn comprehension_clause(
        &mut self,
        elt: Expr,
        clause: Node,
        cond: Option<Node>,
        depth: usize,
    ) -> ExprKind {
        ExprKind::Comprehension {
            elt: Box::new(elt),
            target: Box::new(self.expr_field(clause, "left", depth)),
            iter: Box::new(self.expr_field(clause, "right", depth)),
            cond: cond.map(|e| Box::new(self.expr(e, depth))),
        }
    }

    fn exprs(&mut self, n: Node, depth: usize) -> Vec<Expr> {
        let mut c = n.walk();
        let kids: Vec<Node> = n
            .named_children(&mut c)
            .filter(|k| !is_trivia(k.kind()))
            .collect();
        kids.into_iter().map(|k| self.expr(k, depth)).collect()
    }

    fn expr(&mut self, n: Node, depth: usize) -> Expr {
        let span = self.span(n);
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return Expr {
                kind: ExprKind::Unknown,
                span,
            };
        }
        let d = depth + 1;
        let kind = match n.kind() {
            "identifier" => ExprKind::Name(self.text(n)),
            "attribute" => {
                let obj = self.expr_field(n, "object", d);
                let attr = n
                    .child_by_field_name("attribute")
                    .map(|a| self.text(a))
                    .unwrap_or_default();
                // `D(fake_B.detach)`: pseudocode that names `detach` without calling it
                // means the detached tensor, which is all a bound method could be there.
                let called = n.parent().is_some_and(|p| {
                    p.kind() == "call" && p.child_by_field_name("function") == Some(n)
                });
                let names_detach = strsim::damerau_levenshtein(&attr, "detach") <= 1;
                let attr_expr = ExprKind::Attr(Box::new(obj), attr);
                if names_detach && !called {
                    ExprKind::Call {
                        func: Box::new(Expr {
                            kind: attr_expr,
                            span,
                        }),
                        args: Vec::new(),
                        kwargs: Vec::new(),
                    }
                } else {
                    attr_expr
                }
            }
            "call" => {
                let func = self.expr_field(n, "function", d);
                let mut args = Vec::new();
                let mut kwargs = Vec::new();
                if let Some(a) = n.child_by_field_name("arguments") {
                    if a.kind() == "generator_expression" {
                        args.push(self.expr(a, d));
                    } else {
                        let mut c = a.walk();
                        let kids: Vec<Node> = a.named_children(&mut c).collect();
                        for k in kids {
                            match k.kind() {
                                "keyword_argument" => {
                                    let name = k
                                        .child_by_field_name("name")
                                        .map(|x| self.text(x))
                                        .unwrap_or_default();
                                    let v = self.expr_field(k, "value", d);
                                    kwargs.push((name, v));
                                }
                                kind if is_trivia(kind) => {}
                                _ => args.push(self.expr(k, d)),
                            }
                        }
                    }
                }
                ExprKind::Call {
                    func: Box::new(func),
                    args,
                    kwargs,
                }
            }
            "binary_operator" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or_default();
                ExprKind::Bin(
                    bin_op(&op),
                    Box::new(self.expr_field(n, "left", d)),
                    Box::new(self.expr_field(n, "right", d)),
                )
            }
            "unary_operator" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or_default();
                let arg = self.expr_field(n, "argument", d);
                if op == "-" {
                    ExprKind::Neg(Box::new(arg))
                } else {
                    return arg;
                }
            }
            "not_operator" => ExprKind::Not(Box::new(self.expr_field(n, "argument", d))),
            "boolean_operator" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or_default();
                ExprKind::BoolOp(
                    op == "and",
                    Box::new(self.expr_field(n, "left", d)),
                    Box::new(self.expr_field(n, "right", d)),
                )
            }
            "comparison_operator" => {
                let parts = self.exprs(n, d);
                let mut ops = Vec::new();
                let mut c = n.walk();
                for child in n.children(&mut c) {
                    if !child.is_named() {
                        ops.push(self.text(child));
                    }
                }
                let op = match ops.join(" ").as_str() {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::NotEq,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::LtE,
                    ">" => CmpOp::Gt,
                    ">=" => CmpOp::GtE,
                    "is" => CmpOp::Is,
                    "is not" => CmpOp::IsNot,
                    "in" => CmpOp::In,
                    _ => CmpOp::NotIn,
                };
                let mut it = parts.into_iter();
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => ExprKind::Compare(op, Box::new(a), Box::new(b)),
                    _ => ExprKind::Unknown,
                }
            }
            "parenthesized_expression" => {
                return n
                    .named_children(&mut n.walk())
                    .find(|k| !is_trivia(k.kind()))
                    .map(|k| self.expr(k, d))
                    .unwrap_or(Expr {
                        kind: ExprKind::Unknown,
                        span,
                    });
            }
            "tuple" | "expression_list" | "pattern_list" | "tuple_pattern" => {
                ExprKind::Tuple(self.exprs(n, d))
            }
            "list" | "list_pattern" => ExprKind::List(self.exprs(n, d)),
            "dictionary" => {
                let mut c = n.walk();
                let kids: Vec<Node> = n
                    .named_children(&mut c)
                    .filter(|k| matches!(k.kind(), "pair" | "dictionary_splat"))
                    .collect();
                // `{**teacher_params, **buffers}`: a spread dict is an entry whose key is
                // the splat (`KeywordSplat`) and whose value is the dict spread.
                ExprKind::Dict(
                    kids.into_iter()
                        .map(|p| {
                            if p.kind() == "dictionary_splat" {
                                let key = self.expr(p, d);
                                let value = p
                                    .named_child(0)
                                    .map(|inner| self.expr(inner, d))
                                    .unwrap_or(Expr {
                                        kind: ExprKind::Unknown,
                                        span,
                                    });
                                (key, value)
                            } else {
                                (self.expr_field(p, "key", d), self.expr_field(p, "value", d))
                            }
                        })
                        .collect(),
                )
            }
            "subscript" => {
                let value = self.expr_field(n, "value", d);
                let mut c = n.walk();
                let subs: Vec<Node> = n.children_by_field_name("subscript", &mut c).collect();
                let index = if subs.len() == 1 {
                    self.expr(subs[0], d)
                } else {
                    Expr {
                        kind: ExprKind::Tuple(subs.into_iter().map(|s| self.expr(s, d)).collect()),
                        span,
                    }
                };
                ExprKind::Subscript(Box::new(value), Box::new(index))
            }
            "slice" => {
                // `start:stop:step`: the expressions around the first colon.
                let mut cursor = n.walk();
                let kids: Vec<Node> = n.children(&mut cursor).collect();
                let mut bounds: [Option<Box<Expr>>; 2] = [None, None];
                let mut colons = 0;
                for k in kids {
                    if k.kind() == ":" {
                        colons += 1;
                    } else if k.is_named() && colons < 2 && bounds[colons].is_none() {
                        bounds[colons] = Some(Box::new(self.expr(k, d)));
                    }
                }
                let [start, stop] = bounds;
                ExprKind::Slice(start, stop)
            }
            "integer" | "float" => {
                let t = self.text(n).replace('_', "");
                let t = t.trim_end_matches(['j', 'J', 'l', 'L']);
                match t.parse::<f64>() {
                    Ok(v) => ExprKind::Num(v),
                    Err(_) => i64::from_str_radix(t.trim_start_matches("0x"), 16)
                        .map(|v| ExprKind::Num(v as f64))
                        .unwrap_or(ExprKind::Unknown),
                }
            }
            "string" | "concatenated_string" => ExprKind::Str(string_value(&self.text(n))),
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "none" => ExprKind::NoneLit,
            // `mask[..., None]`: Python's `...`, the builtin it names.
            "ellipsis" => ExprKind::Name("Ellipsis".into()),
            "dictionary_comprehension" => {
                // The value of the pair is what the comprehension computes per item.
                let value = n
                    .child_by_field_name("body")
                    .and_then(|p| p.child_by_field_name("value"));
                let mut c = n.walk();
                let kids: Vec<Node> = n.named_children(&mut c).collect();
                let (Some(value), Some(clause)) =
                    (value, kids.iter().find(|k| k.kind() == "for_in_clause"))
                else {
                    return Expr {
                        kind: ExprKind::Unknown,
                        span,
                    };
                };
                let elt = self.expr(value, d);
                let target = self.expr_field(*clause, "left", d);
                let iter = self.expr_field(*clause, "right", d);
                let inner = Expr {
                    kind: ExprKind::Comprehension {
                        elt: Box::new(elt),
                        target: Box::new(target),
                        iter: Box::new(iter),
                        cond: None,
                    },
                    span,
                };
                ExprKind::DictComprehension(Box::new(inner))
            }
            "list_comprehension" | "generator_expression" | "set_comprehension" => {
                // `[p for k in keys for p in nets[k].parameters()]`: each `for` clause after
                // the first nests inside the one before it, and the outer comprehension
                // splices in what the inner one gives (`Star`), so the items come out flat
                // as Python's do. An `if` clause belongs to the `for` before it.
                let mut c = n.walk();
                let kids: Vec<Node> = n.named_children(&mut c).collect();
                let mut clauses: Vec<(Node, Option<Node>)> = Vec::new();
                for k in &kids {
                    match k.kind() {
                        "for_in_clause" => clauses.push((*k, None)),
                        "if_clause" => {
                            if let Some(last) = clauses.last_mut()
                                && last.1.is_none()
                            {
                                last.1 = k.named_child(0);
                            }
                        }
                        _ => {}
                    }
                }
                let Some((innermost, innermost_cond)) = clauses.pop() else {
                    return Expr {
                        kind: ExprKind::Unknown,
                        span,
                    };
                };
                let body = self.expr_field(n, "body", d);
                let mut comprehension =
                    self.comprehension_clause(body, innermost, innermost_cond, d);
                while let Some((clause, cond)) = clauses.pop() {
                    let spliced = Expr {
                        kind: ExprKind::Star(Box::new(Expr {
                            kind: comprehension,
                            span,
                        })),
                        span,
                    };
                    comprehension = self.comprehension_clause(spliced, clause, cond, d);
                }
                comprehension
            }
            "conditional_expression" => {
                let parts = self.exprs(n, d);
                let mut it = parts.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(body), Some(test), Some(orelse)) => ExprKind::IfExp {
                        body: Box::new(body),
                        test: Box::new(test),
                        orelse: Box::new(orelse),
                    },
                    _ => ExprKind::Unknown,
                }
            }
            "lambda" => {
                let params = n
                    .child_by_field_name("parameters")
                    .map(|p| {
                        let mut c = p.walk();
                        let kids: Vec<Node> = p.named_children(&mut c).collect();
                        kids.into_iter().map(|k| self.text(k)).collect()
                    })
                    .unwrap_or_default();
                ExprKind::Lambda {
                    params,
                    body: Box::new(self.expr_field(n, "body", d)),
                }
            }
            "list_splat" | "list_splat_pattern" => match n.named_child(0) {
                Some(inner) => ExprKind::Star(Box::new(self.expr(inner, d))),
                None => ExprKind::Unknown,
            },
            "dictionary_splat" => match n.named_child(0) {
                Some(inner) => ExprKind::KeywordSplat(Box::new(self.expr(inner, d))),
                None => ExprKind::Unknown,
            },
            "keyword_argument" => return self.expr_field(n, "value", d),
            "as_pattern" => {
                return n.named_child(0).map(|k| self.expr(k, d)).unwrap_or(Expr {
                    kind: ExprKind::Unknown,
                    span,
                });
            }
            "named_expression" => return self.expr_field(n, "value", d),
            "await" => {
                return n.named_child(0).map(|k| self.expr(k, d)).unwrap_or(Expr {
                    kind: ExprKind::Unknown,
                    span,
                });
            }
            "ERROR" => {
                self.errors += 1;
                ExprKind::Unknown
            }
            _ => ExprKind::Unknown,
        };
        Expr { kind, span }
    }
}

/// The text of a string literal: its prefix (`f`, `r`, `b`) and quotes removed.
fn string_value(literal: &str) -> String {
    let body = literal.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let quote = if body.starts_with("\"\"\"") || body.starts_with("'''") {
        3
    } else {
        1
    };
    let chars: Vec<char> = body.chars().collect();
    if chars.len() >= 2 * quote {
        chars[quote..chars.len() - quote].iter().collect()
    } else {
        body.to_string()
    }
}

fn bin_op(op: &str) -> BinOp {
    match op {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "//" => BinOp::FloorDiv,
        "%" => BinOp::Mod,
        "**" => BinOp::Pow,
        "@" => BinOp::MatMul,
        "&" => BinOp::BitAnd,
        "|" => BinOp::BitOr,
        _ => BinOp::Other,
    }
}

/// Nodes that carry no meaning between the parts of an expression: comments, and the
/// backslash that continues a line (`f(a, \` then `b)`), which the grammar keeps as a
/// node of its own.
fn is_trivia(kind: &str) -> bool {
    matches!(kind, "comment" | "line_continuation")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    #[test]
    fn bad_lines_are_set_aside_and_the_rest_is_kept() {
        let mut n = normalize("x = 1\n    = 1e-3\ny = f(x)\n");
        let p = parse(&mut n);
        assert!(n.unparsed.contains_key(&2), "{:?}", n.unparsed);
        assert!(matches!(p.body.last(), Some(Stmt::Assign { .. })));
        assert!(p.body.iter().any(|s| matches!(s, Stmt::Unparsed { .. })));
    }

    #[test]
    fn prose_lines_are_lowered_as_prose() {
        let mut n =
            normalize("for x in loader:\n    loss.backward()\n    Update Encoder and Projection\n");
        let p = parse(&mut n);
        let Stmt::For { body, .. } = &p.body[0] else {
            panic!("expected a for loop")
        };
        assert!(
            matches!(&body[1], Stmt::Prose { text, .. } if text == "Update Encoder and Projection")
        );
    }

    #[test]
    fn spans_refer_to_the_original_columns() {
        let mut n = normalize("$$z = f(x)$$");
        let p = parse(&mut n);
        let Stmt::Assign { value, .. } = &p.body[0] else {
            panic!("expected an assignment")
        };
        assert_eq!((value.span.line, value.span.col), (1, 7));
    }

    #[test]
    fn string_literals_keep_their_letters() {
        assert_eq!(string_value("\"center\""), "center");
        assert_eq!(string_value("f'fake_{i}'"), "fake_{i}");
        assert_eq!(string_value("r\"\"\"raw\"\"\""), "raw");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let src = format!("x = {}1{}", "(".repeat(5000), ")".repeat(5000));
        let mut n = normalize(&src);
        let p = parse(&mut n);
        assert!(p.too_deep);
    }
}
