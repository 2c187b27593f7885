//! Streams a TMX file through the library reader and counts what it holds:
//! the bare parsing cost of a whole file (every unit built, nothing else
//! done), which `bench/tmx.sh` times next to the commands.
//!
//! Run: `cargo run --release --example tmx_read -- FILE.tmx`

use std::path::PathBuf;
use std::process::ExitCode;

use tmkit::tmx::{TmxReader, Tu};

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: tmx_read FILE.tmx");
        return ExitCode::from(2);
    };
    let mut reader = match TmxReader::open(&path) {
        Ok(reader) => reader,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut units, mut variants, mut parts) = (0u64, 0u64, 0u64);
    let mut tu = Tu::default();
    while let Some(result) = reader.next_into(&mut tu) {
        if let Err(e) = result {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
        units += 1;
        variants += tu.tuvs.len() as u64;
        parts += tu
            .tuvs
            .iter()
            .map(|v| v.seg.parts.len() as u64)
            .sum::<u64>();
    }
    println!("{units} units, {variants} variants, {parts} segment parts");
    ExitCode::SUCCESS
}
