//! The `tmkit` binary: parse arguments, dispatch to a subcommand, map the
//! outcome to an exit code (0 success, 1 the work failed, 2 bad usage). A
//! closed output pipe (`tmkit segment big.txt | head`) ends the run quietly.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            cli::report_error(&err);
            if cli::is_usage_error(&err) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
