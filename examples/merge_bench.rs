//! How long the 3-way merge of `scaffold update` takes on a large file where
//! every line changed, the case that used to be quadratic (77 s for 5 MB).
//! Prints figures; asserts nothing.
//!
//!     cargo run --release --example merge_bench [MEGABYTES]

use std::fmt::Write as _;
use std::time::Instant;

use scaffold::merge::{self, ConflictStyle, Ours, PlanInput};
use scaffold::tree::{File, Tree};

fn text(lines: usize, tag: &str) -> String {
    let mut out = String::new();
    for index in 0..lines {
        let _ = writeln!(
            out,
            "line {index:08} of the file, {tag} version, with some words"
        );
    }
    out
}

fn one(path: &str, contents: &str) -> Tree {
    let mut tree = Tree::new();
    tree.insert(path.to_owned(), File::new(contents, false));
    tree
}

fn main() {
    let megabytes: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(5);
    let lines = megabytes * 1_000_000 / 60;
    let base = text(lines, "base");
    let theirs = text(lines, "template's");
    let cases = [
        (
            "the project edited one line",
            base.replacen("line 00000010", "edited", 1),
        ),
        (
            "the project changed every line too",
            text(lines, "project's"),
        ),
    ];
    println!(
        "{lines} lines, {} MB, the template changed every line",
        base.len() / 1_000_000
    );
    for (name, ours_text) in cases {
        for style in [ConflictStyle::Inline, ConflictStyle::Rej] {
            let ours = Ours {
                files: one("big.txt", &ours_text),
                ..Ours::default()
            };
            let started = Instant::now();
            let plan = merge::plan(&PlanInput {
                base: &one("big.txt", &base),
                theirs: &one("big.txt", &theirs),
                ours: &ours,
                answers_file: ".copier-answers.yml",
                base_answers_file: ".copier-answers.yml",
                skip_if_exists: &|_| false,
                style,
                context_lines: 1,
            });
            println!(
                "{name:<36} {style:<7} {:>8.2} s  ({} conflict)",
                started.elapsed().as_secs_f64(),
                plan.conflicts(),
                style = format!("{style:?}"),
            );
        }
    }
}
