//! The `hoptrace` command line. Every subcommand drives the headless library; no subcommand
//! runs the bundled demo.

use std::process::ExitCode;

use clap::Parser;

mod cli;

// Imports allocate on a reader thread and free on the writer thread; glibc's allocator serialises
// that on arena locks, mimalloc does not (measured: see benches/import.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `hoptrace … | head`: a reader that closes the pipe early ends the output quietly (exit 141,
/// as a shell reports SIGPIPE) instead of a panic message.
fn quiet_on_broken_pipe() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // One line: the reason, with its causes (a cause its parent already quotes is not
            // repeated).
            let mut line = String::new();
            for cause in e.chain().map(ToString::to_string) {
                if !line.contains(&cause) {
                    if !line.is_empty() {
                        line.push_str(": ");
                    }
                    line.push_str(&cause);
                }
            }
            eprintln!("hoptrace: error: {line}");
            ExitCode::FAILURE
        }
    }
}
