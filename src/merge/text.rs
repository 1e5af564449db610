//! The line merge of three texts, shaped like `git merge-file` (which Copier
//! runs): two diffs from the base (imara-diff's Myers with its heuristics, so
//! a file where every line changed merges in near-linear time), changes that
//! overlap or touch become clashes, clashes are narrowed to the lines the two
//! sides really disagree on, and clashes a few lines apart are joined.

use std::ops::Range;

use imara_diff::{Algorithm, Diff, InternedInput, Token};

/// The markers Copier writes (`git merge-file -L "before updating" ...`).
const OURS_MARKER: &str = "<<<<<<< before updating";
const MIDDLE_MARKER: &str = "=======";
const THEIRS_MARKER: &str = ">>>>>>> after updating";

/// One stretch of the merged file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chunk {
    /// Lines both sides agree on (ranges into base, ours and theirs).
    Agreed(Range<usize>),
    /// Only the project changed these base lines: its lines win.
    Ours {
        base: Range<usize>,
        ours: Range<usize>,
    },
    /// Only the template changed them (or both the same way): its lines win.
    Theirs {
        base: Range<usize>,
        theirs: Range<usize>,
    },
    /// Both changed them differently.
    Clash {
        base: Range<usize>,
        ours: Range<usize>,
        theirs: Range<usize>,
        /// The project's own changes in this stretch (its `.rej` hunk).
        project: Vec<Change>,
    },
}

/// Three texts split into lines, and how they line up.
pub struct TextMerge<'a> {
    base: Vec<&'a str>,
    ours: Vec<&'a str>,
    theirs: Vec<&'a str>,
    ours_tokens: Vec<Token>,
    theirs_tokens: Vec<Token>,
    tokens: u32,
    chunks: Vec<Chunk>,
}

/// A changed stretch of base lines, and the side's lines replacing it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    base: Range<usize>,
    side: Range<usize>,
}

fn changes(input: &InternedInput<&str>) -> Vec<Change> {
    let mut diff = Diff::compute(Algorithm::Myers, input);
    diff.postprocess_lines(input);
    diff.hunks()
        .map(|hunk| Change {
            base: hunk.before.start as usize..hunk.before.end as usize,
            side: hunk.after.start as usize..hunk.after.end as usize,
        })
        .collect()
}

impl<'a> TextMerge<'a> {
    /// Lines up `ours` and `theirs` against `base`. Changes of the two sides
    /// clash when they overlap or are fewer than `context` lines apart
    /// (Copier's `--context-lines`; at least 1, so touching changes clash).
    pub fn new(base: &'a str, ours: &'a str, theirs: &'a str, context: usize) -> Self {
        let mut input = InternedInput::new(base, ours);
        let ours_changes = changes(&input);
        let ours_tokens = std::mem::take(&mut input.after);
        input.update_after(imara_diff::sources::lines(theirs));
        let theirs_changes = changes(&input);
        let theirs_tokens = std::mem::take(&mut input.after);
        let lookup = |tokens: &[Token]| -> Vec<&'a str> {
            tokens.iter().map(|token| input.interner[*token]).collect()
        };
        let mut merge = Self {
            base: lookup(&input.before),
            ours: lookup(&ours_tokens),
            theirs: lookup(&theirs_tokens),
            ours_tokens,
            theirs_tokens,
            tokens: input.interner.num_tokens(),
            chunks: Vec::new(),
        };
        merge.chunks = merge.line_up(&ours_changes, &theirs_changes, context.max(1));
        merge
    }

    fn line_up(&self, ours: &[Change], theirs: &[Change], context: usize) -> Vec<Chunk> {
        let (mut next_ours, mut next_theirs) = (0, 0);
        // The end of each side's last change, in the base and in the side.
        let (mut ours_anchor, mut theirs_anchor) = ((0, 0), (0, 0));
        let mut done = 0;
        let mut chunks = Vec::new();
        loop {
            let start = match (ours.get(next_ours), theirs.get(next_theirs)) {
                (None, None) => break,
                (Some(a), None) => a.base.start,
                (None, Some(b)) => b.base.start,
                (Some(a), Some(b)) => a.base.start.min(b.base.start),
            };
            if done < start {
                chunks.push(Chunk::Agreed(done..start));
            }
            let mut end = start;
            let (first_ours, first_theirs) = (next_ours, next_theirs);
            loop {
                let joins = |change: Option<&Change>| {
                    change.is_some_and(|c| c.base.start < end + context || c.base.start == start)
                };
                if joins(ours.get(next_ours)) {
                    end = end.max(ours[next_ours].base.end);
                    next_ours += 1;
                } else if joins(theirs.get(next_theirs)) {
                    end = end.max(theirs[next_theirs].base.end);
                    next_theirs += 1;
                } else {
                    break;
                }
            }
            // Where `start..end` of the base sits in a side: beside its own
            // changes, or shifted as after its last change (`anchor`).
            let side_range = |changes: &[Change], anchor: (usize, usize)| match changes {
                [] => (
                    anchor.1 + (start - anchor.0)..anchor.1 + (end - anchor.0),
                    anchor,
                ),
                [first, .., last] | [first @ last] => (
                    first.side.start - (first.base.start - start)
                        ..last.side.end + (end - last.base.end),
                    (last.base.end, last.side.end),
                ),
            };
            let (ours_range, ours_after) = side_range(&ours[first_ours..next_ours], ours_anchor);
            let (theirs_range, theirs_after) =
                side_range(&theirs[first_theirs..next_theirs], theirs_anchor);
            let base = start..end;
            chunks.push(if first_theirs == next_theirs {
                Chunk::Ours {
                    base,
                    ours: ours_range,
                }
            } else if first_ours == next_ours
                || self.ours_tokens[ours_range.clone()] == self.theirs_tokens[theirs_range.clone()]
            {
                Chunk::Theirs {
                    base,
                    theirs: theirs_range,
                }
            } else {
                Chunk::Clash {
                    base,
                    ours: ours_range,
                    theirs: theirs_range,
                    project: ours[first_ours..next_ours].to_vec(),
                }
            });
            (ours_anchor, theirs_anchor) = (ours_after, theirs_after);
            done = end;
        }
        if done < self.base.len() {
            chunks.push(Chunk::Agreed(done..self.base.len()));
        }
        chunks
    }

    /// How many stretches clash (before narrowing them).
    pub fn clashes(&self) -> usize {
        self.chunks
            .iter()
            .filter(|chunk| matches!(chunk, Chunk::Clash { .. }))
            .count()
    }

    /// The merged text where nothing clashes, taking the project's lines where they do.
    pub fn keeping_ours(&self) -> String {
        self.resolve(|_, ours, _, out| Self::push(out, &self.ours, ours))
    }

    /// The merged text with the template's lines wherever the two clash
    /// (Copier's `--conflict rej`, whose `.rej` holds the project's side).
    pub fn keeping_theirs(&self) -> String {
        self.resolve(|_, _, theirs, out| Self::push(out, &self.theirs, theirs))
    }

    fn resolve(
        &self,
        mut clash: impl FnMut(&Range<usize>, &Range<usize>, &Range<usize>, &mut String),
    ) -> String {
        let mut out = String::new();
        for chunk in &self.chunks {
            match chunk {
                Chunk::Agreed(base) => Self::push(&mut out, &self.base, base),
                Chunk::Ours { ours, .. } => Self::push(&mut out, &self.ours, ours),
                Chunk::Theirs { theirs, .. } => Self::push(&mut out, &self.theirs, theirs),
                Chunk::Clash {
                    base, ours, theirs, ..
                } => clash(base, ours, theirs, &mut out),
            }
        }
        out
    }

    fn push(out: &mut String, lines: &[&str], range: &Range<usize>) {
        for line in &lines[range.clone()] {
            out.push_str(line);
        }
    }

    /// The merged text with Copier's conflict markers, and how many conflicts
    /// it holds: each clash narrowed to the lines the two sides disagree on,
    /// and clashes joined when at most three lines, or lines without a letter
    /// or digit, stand between them (as `git merge-file` does).
    pub fn with_markers(&self) -> (String, usize) {
        let mut pieces: Vec<Piece<'_>> = Vec::new();
        for chunk in &self.chunks {
            match chunk {
                Chunk::Agreed(base) => pieces.push(Piece::Lines(&self.base[base.clone()])),
                Chunk::Ours { ours, .. } => pieces.push(Piece::Change(&self.ours[ours.clone()])),
                Chunk::Theirs { theirs, .. } => {
                    pieces.push(Piece::Change(&self.theirs[theirs.clone()]));
                }
                Chunk::Clash { ours, theirs, .. } => self.narrow(ours, theirs, &mut pieces),
            }
        }
        let pieces = join_close_clashes(pieces);
        let mut out = String::new();
        let mut conflicts = 0;
        for piece in &pieces {
            match piece {
                Piece::Lines(lines) | Piece::Change(lines) => {
                    lines.iter().for_each(|l| out.push_str(l));
                }
                Piece::Clash(ours, theirs) => {
                    conflicts += 1;
                    out.push_str(OURS_MARKER);
                    out.push('\n');
                    push_lines(&mut out, ours);
                    out.push_str(MIDDLE_MARKER);
                    out.push('\n');
                    push_lines(&mut out, theirs);
                    out.push_str(THEIRS_MARKER);
                    out.push('\n');
                }
            }
        }
        (out, conflicts)
    }

    /// Splits one clash where ours and theirs share lines.
    fn narrow<'s>(
        &'s self,
        ours: &Range<usize>,
        theirs: &Range<usize>,
        pieces: &mut Vec<Piece<'s>>,
    ) {
        let mut diff = Diff::default();
        diff.compute_with(
            Algorithm::Myers,
            &self.ours_tokens[ours.clone()],
            &self.theirs_tokens[theirs.clone()],
            self.tokens,
        );
        let (mut at_ours, mut at_theirs) = (ours.start, theirs.start);
        for hunk in diff.hunks() {
            let ours_from = ours.start + hunk.before.start as usize;
            let theirs_from = theirs.start + hunk.after.start as usize;
            if at_ours < ours_from {
                pieces.push(Piece::Lines(&self.ours[at_ours..ours_from]));
            }
            let ours_to = ours.start + hunk.before.end as usize;
            let theirs_to = theirs.start + hunk.after.end as usize;
            pieces.push(Piece::Clash(
                self.ours[ours_from..ours_to].to_vec(),
                self.theirs[theirs_from..theirs_to].to_vec(),
            ));
            (at_ours, at_theirs) = (ours_to, theirs_to);
        }
        let _ = at_theirs;
        if at_ours < ours.end {
            pieces.push(Piece::Lines(&self.ours[at_ours..ours.end]));
        }
    }

    /// The project's side of each clash as unified-diff hunks against the
    /// base, as `git apply --reject` leaves them in `FILE.rej` for Copier:
    /// `context` lines around the project's changes, and git's default
    /// function line (the nearest line above starting with a letter, `_`
    /// or `$`) after the header.
    pub fn rejected_hunks(&self, path: &str, context: usize) -> String {
        let mut out = format!("diff a/{path} b/{path}\t(rejected hunks)\n");
        for chunk in &self.chunks {
            let Chunk::Clash { project, .. } = chunk else {
                continue;
            };
            let (Some(first), Some(last)) = (project.first(), project.last()) else {
                continue;
            };
            let lead = first.base.start.min(context);
            let trail = (self.base.len() - last.base.end).min(context);
            let old_start = first.base.start - lead;
            let new_start = first.side.start - lead;
            let old_len = last.base.end + trail - old_start;
            let new_len = last.side.end + trail - new_start;
            out.push_str(&format!(
                "@@ -{} +{} @@{}\n",
                hunk_range(old_start, old_len),
                hunk_range(new_start, new_len),
                self.function_line(old_start)
            ));
            let mut at = old_start;
            for change in project {
                Self::push_hunk_lines(&mut out, ' ', &self.base[at..change.base.start]);
                Self::push_hunk_lines(&mut out, '-', &self.base[change.base.clone()]);
                Self::push_hunk_lines(&mut out, '+', &self.ours[change.side.clone()]);
                at = change.base.end;
            }
            Self::push_hunk_lines(&mut out, ' ', &self.base[at..last.base.end + trail]);
        }
        out
    }

    fn push_hunk_lines(out: &mut String, sign: char, lines: &[&str]) {
        for line in lines {
            out.push(sign);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }

    /// ` LINE` for the nearest base line above `start` that git's default
    /// rule takes as a function line, cut to 80 bytes as git cuts it.
    fn function_line(&self, start: usize) -> String {
        let found = self.base[..start].iter().rev().find(|line| {
            line.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        });
        let Some(line) = found else {
            return String::new();
        };
        let mut end = line.len().min(80);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!(" {}", line[..end].trim_end())
    }
}

/// `start,len` of a unified-diff hunk header, 1-based, as git writes it.
fn hunk_range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

#[derive(Debug)]
enum Piece<'a> {
    /// Lines both sides share.
    Lines(&'a [&'a str]),
    /// One side's change, merged cleanly.
    Change(&'a [&'a str]),
    Clash(Vec<&'a str>, Vec<&'a str>),
}

/// Joins two clashes when only shared lines stand between them and they are
/// at most three, or hold no letter or digit.
fn join_close_clashes(pieces: Vec<Piece<'_>>) -> Vec<Piece<'_>> {
    let mut out: Vec<Piece<'_>> = Vec::with_capacity(pieces.len());
    let mut iter = pieces.into_iter().peekable();
    while let Some(piece) = iter.next() {
        if let (Piece::Lines(between), Some(Piece::Clash(..)), Some(Piece::Clash(..))) =
            (&piece, out.last(), iter.peek())
        {
            let simple = between.len() <= 3
                || !between
                    .iter()
                    .any(|line| line.chars().any(char::is_alphanumeric));
            if simple {
                let Some(Piece::Clash(next_ours, next_theirs)) = iter.next() else {
                    unreachable!("peeked a clash")
                };
                if let Some(Piece::Clash(ours, theirs)) = out.last_mut() {
                    ours.extend_from_slice(between);
                    ours.extend(next_ours);
                    theirs.extend_from_slice(between);
                    theirs.extend(next_theirs);
                }
                continue;
            }
        }
        out.push(piece);
    }
    out
}

/// Appends `lines`, ending them with a newline so a marker starts its own line.
fn push_lines(out: &mut String, lines: &[&str]) {
    for line in lines {
        out.push_str(line);
    }
    if lines.last().is_some_and(|line| !line.ends_with('\n')) {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_apart_merge_and_changes_together_clash() {
        let merge = TextMerge::new("a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n", 1);
        assert_eq!(merge.clashes(), 0);
        assert_eq!(merge.keeping_ours(), "A\nb\nc\nd\nE\n");
        let merge = TextMerge::new("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n", 1);
        assert_eq!(merge.clashes(), 1);
        assert_eq!(
            merge.with_markers(),
            (
                "a\n<<<<<<< before updating\nB1\n=======\nB2\n>>>>>>> after updating\nc\n"
                    .to_owned(),
                1
            )
        );
        assert_eq!(merge.keeping_theirs(), "a\nB2\nc\n");
    }

    #[test]
    fn touching_changes_clash_and_more_context_makes_more_clashes() {
        let base = "1\n2\n3\n4\n5\n";
        let (ours, theirs) = ("1\nX\n3\n4\n5\n", "1\n2\nY\n4\n5\n");
        assert_eq!(TextMerge::new(base, ours, theirs, 1).clashes(), 1);
        let theirs_apart = "1\n2\n3\nY\n5\n";
        assert_eq!(TextMerge::new(base, ours, theirs_apart, 1).clashes(), 0);
        assert_eq!(TextMerge::new(base, ours, theirs_apart, 3).clashes(), 1);
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_clash() {
        let merge = TextMerge::new("a\nb\n", "a\nB\n", "a\nB\n", 1);
        assert_eq!(merge.clashes(), 0);
        assert_eq!(merge.keeping_ours(), "a\nB\n");
    }

    #[test]
    fn a_clash_is_narrowed_to_the_lines_that_differ() {
        let merge = TextMerge::new("a\nb\nc\n", "x\nsame\ny\n", "z\nsame\ny\n", 1);
        let (text, conflicts) = merge.with_markers();
        assert_eq!(conflicts, 1);
        assert_eq!(
            text,
            "<<<<<<< before updating\nx\n=======\nz\n>>>>>>> after updating\nsame\ny\n"
        );
    }

    #[test]
    fn rejected_hunks_hold_the_projects_side_with_context() {
        let merge = TextMerge::new("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n", 1);
        assert_eq!(
            merge.rejected_hunks("f.txt", 1),
            "diff a/f.txt b/f.txt\t(rejected hunks)\n@@ -1,3 +1,3 @@\n a\n-b\n+B1\n c\n"
        );
    }

    #[test]
    fn a_missing_final_newline_gets_one_before_a_marker() {
        let merge = TextMerge::new("a\nb", "a\nc", "a\nd", 1);
        assert_eq!(
            merge.with_markers().0,
            "a\n<<<<<<< before updating\nc\n=======\nd\n>>>>>>> after updating\n"
        );
    }
}
