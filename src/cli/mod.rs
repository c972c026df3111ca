//! The command line's half of the binary (declared by `main.rs`; the library never sees
//! it): [`args`] turns arguments into a `Config`, [`output`] writes what is not the report
//! (errors, progress, files) and decides the exit status; [`rules`] is the `rules`
//! command.

pub mod args;
pub mod output;
pub mod rules;
