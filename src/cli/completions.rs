//! `tmkit completions <shell>`: print a completion script for bash, zsh, fish,
//! PowerShell or elvish.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

/// Arguments of `tmkit completions`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  tmkit completions bash > ~/.local/share/bash-completion/completions/tmkit\n  tmkit completions zsh > ~/.zfunc/_tmkit\n  tmkit completions fish > ~/.config/fish/completions/tmkit.fish"
)]
pub struct Args {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the script to stdout.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "tmkit", &mut out);
    let mut stdout = super::common::stdout();
    std::io::Write::write_all(&mut stdout, &out)?;
    std::io::Write::flush(&mut stdout)?;
    Ok(ExitCode::SUCCESS)
}
