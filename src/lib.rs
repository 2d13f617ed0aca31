#![warn(missing_docs)]
//! extjwt: a terminal console and CLI for the external JWT signers of an OpenZiti controller.
//!
//! The folder layout is the architecture: [`model`] (types and validation, no I/O), [`store`]
//! (SQLite), [`verify`] (token checks), [`interchange`] (import/export) and [`cli`] (the scripting commands).

pub mod cli;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod interchange;
pub mod logging;
pub mod model;
pub mod store;
pub mod text;
pub mod tui;
pub mod verify;
