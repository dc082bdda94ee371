//! The `hoptrace` command line. Every subcommand drives the headless library; no subcommand
//! runs the bundled demo.

use std::process::ExitCode;

use clap::Parser;

mod cli;

// Imports allocate on a reader thread and free on the writer thread; glibc's allocator serialises
// that on arena locks, mimalloc does not (measured: see benches/import.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // One line: the reason, with its causes.
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("hoptrace: error: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}
