//! `tmkit man`: write the manual pages, generated from the same argument
//! definitions as `--help` (clap_mangen), so they never drift from the binary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory;
use tmkit::files::AtomicFile;

/// Arguments of `tmkit man`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tmkit man | man -l -                          read the manual now
  tmkit man --out-dir ~/.local/share/man/man1   install tmkit.1 and one page per subcommand
  sudo tmkit man --out-dir /usr/local/share/man/man1

`cargo install` installs only the binary; run the second line once afterwards
(that folder is on man's default path on most systems; `mandb` refreshes the index).")]
pub struct Args {
    /// Write tmkit.1 and tmkit-<command>.1 for every subcommand into this folder
    /// (created if needed) instead of tmkit.1 to standard output.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Renders the pages.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = args.out_dir else {
        let mut out = super::common::stdout();
        clap_mangen::Man::new(cmd).render(&mut out)?;
        std::io::Write::flush(&mut out)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let mut pending = vec![cmd];
    while let Some(cmd) = pending.pop() {
        pending.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let man = clap_mangen::Man::new(cmd);
        let path = dir.join(man.get_filename());
        let mut file = AtomicFile::create(&path)?;
        man.render(&mut file)
            .map_err(|e| tmkit::Error::io(&path, e))?;
        file.commit()?;
    }
    Ok(ExitCode::SUCCESS)
}
