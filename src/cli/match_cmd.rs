//! Placeholder while the subcommand is being built (replaced before merge).

use std::process::ExitCode;

use super::common::Context;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the subcommand.
pub fn run(_args: Args, _ctx: &Context) -> anyhow::Result<ExitCode> {
    Err(super::common::usage("this subcommand is being built"))
}
