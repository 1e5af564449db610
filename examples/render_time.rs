//! Times rendering the builtin template with the WebSocket module on, from
//! spec loading to the finished in-memory tree (no disk writes).
//!
//!     cargo run --release --example render_time [ITERATIONS]

use std::time::{Duration, Instant};

use scaffold::answers::{AnswerInput, DataItem};
use scaffold::generate::render_with;
use scaffold::source::{DEFAULT_BUILTIN, Source};
use scaffold::spec::Spec;

fn render_once() -> usize {
    let source = Source::builtin(DEFAULT_BUILTIN).expect("builtin template");
    let spec = Spec::load(&source).expect("builtin spec");
    let input = AnswerInput {
        folder_name: "bench".into(),
        data: vec![DataItem::parse("websocket_module=enabled").expect("KEY=VALUE")],
        defaults: true,
        ..AnswerInput::default()
    };
    render_with(source, spec, input, None)
        .expect("render")
        .tree
        .len()
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(200);
    let files = render_once();
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(render_once());
            start.elapsed()
        })
        .collect();
    samples.sort();
    let total: Duration = samples.iter().sum();
    let percentile = |p: usize| samples[(samples.len() * p / 100).min(samples.len() - 1)];
    println!(
        "rendered the builtin service with the websocket module ({files} files) {iterations} times"
    );
    println!(
        "mean {:.2} ms  p50 {:.2} ms  p95 {:.2} ms  max {:.2} ms",
        total.as_secs_f64() * 1000.0 / f64::from(u32::try_from(iterations).unwrap_or(u32::MAX)),
        percentile(50).as_secs_f64() * 1000.0,
        percentile(95).as_secs_f64() * 1000.0,
        samples[samples.len() - 1].as_secs_f64() * 1000.0
    );
}
