use std::process::ExitCode;

fn main() -> ExitCode {
    scaffold::interrupt::install();
    let status = scaffold::jinja::on_render_stack(|| scaffold::cli::run(std::env::args_os()));
    scaffold::cli::output::finish(status)
}
