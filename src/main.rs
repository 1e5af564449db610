use std::process::ExitCode;

fn main() -> ExitCode {
    scaffold::cli::run(std::env::args_os())
}
