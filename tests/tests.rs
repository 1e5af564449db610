//! scaffold's integration tests: one binary, a module per area.

mod browser;
mod cli;
mod copier_compat;
mod hostile;
mod jinja;
mod next_steps;
mod rendered;
mod smoke;
mod snapshot;
mod support;
mod update;
