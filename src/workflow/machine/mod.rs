//! The workflow state machine: pure functions that decide, inside one engine transaction,
//! what a request does to graphs, runs and states, and return the commands to commit.

pub mod graph;
pub mod overlay;
pub mod render;
pub mod runs;
pub mod transitions;
pub mod unites;

#[cfg(test)]
mod tests;
