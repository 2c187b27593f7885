//! The `tmkit` binary: parse arguments, dispatch to a subcommand, map the
//! outcome to an exit code (0 success, 1 the work failed, 2 bad usage). A
//! closed output pipe (`tmkit segment big.txt | head`) ends the run quietly.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    // Ctrl-C, SIGTERM or SIGHUP: remove the temporary files of outputs being
    // written (their destinations stay as they were), then end as a shell
    // expects of an interrupted command. The `ctrlc` crate runs this on its
    // own thread rather than inside the signal handler, so it may lock the
    // registry and remove files, which a raw handler (signal-hook's
    // low-level API) must not do.
    let _ = ctrlc::set_handler(|| {
        // A server stops gracefully on the first signal (it exits by itself).
        if cli::serve::interrupt() {
            return;
        }
        tmkit::files::remove_temporaries();
        std::process::exit(130);
    });
    let args = cli::parse();
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
