//! scaffold: render production-ready Rust services from Copier-format
//! templates, deterministically, and keep them in step with the template.
//!
//! The pipeline, one module a step: [`source`] -> [`spec`] -> [`answers`] ->
//! [`render`] -> [`tree`] -> [`write`]. [`generate`] strings them together for
//! `scaffold new`; [`cli`] is the command line on top.

pub mod answers;
pub mod cli;
mod error;
mod filters;
pub mod generate;
pub mod prompt;
pub mod render;
pub mod source;
pub mod spec;
pub mod tree;
pub mod write;

pub use error::Error;
