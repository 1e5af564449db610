//! scaffold: render production-ready Rust services from Copier-format
//! templates, deterministically, and keep them in step with the template.
//!
//! The pipeline, one module a step: [`source`] -> [`spec`] -> [`answers`] ->
//! [`render`] -> [`tree`] -> [`disk`] or [`merge`]. [`generate`] strings them
//! together for `scaffold new`, [`update`] for `scaffold update`, `diff` and
//! `check`, [`smoke`] renders and checks every combination a template
//! declares (CI); [`cli`] is the command line on top.

pub mod answers;
pub mod cli;
pub mod disk;
mod error;
pub mod generate;
pub mod git;
pub mod interrupt;
pub mod jinja;
pub mod merge;
pub mod prompt;
pub mod render;
pub mod smoke;
pub mod source;
pub mod spec;
pub mod tasks;
pub mod tree;
pub mod update;
mod yaml11;
/// The former name of [`disk`], kept while callers move over.
pub use disk as write;

pub use error::Error;
