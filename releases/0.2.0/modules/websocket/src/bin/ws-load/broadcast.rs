//! `broadcast`: N receivers join one room, one more client sends M `broadcast`
//! frames whose `data` carries a sequence number and a send timestamp; each
//! receiver computes the latency on arrival. Prints delivered, expected and
//! lost messages and the p50/p95/p99/max latency. With several `--url`s the
//! receivers are spread round-robin and the sender is on the first.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::figures::{Table, describe_counts, most_frequent, percentile_ms};
use crate::target::{
    Outcome, TEARDOWN_TIMEOUT, Target, Ws, await_setup, close_politely, describe_close,
};

type WsSink = futures_util::stream::SplitSink<Ws, Message>;

/// `ws-load broadcast`.
#[derive(clap::Args)]
pub struct Args {
    /// Receiving clients in the room (the sender is one more)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub clients: u32,
    /// Timestamped broadcasts the sender sends
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    messages: u32,
    /// Pause between two broadcasts, in milliseconds (0: as fast as the socket takes them)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    interval_ms: u64,
    /// Extra bytes of padding in each broadcast's `data`
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    payload_bytes: u32,
    /// Room the clients join
    #[arg(long, default_value = "load")]
    room: String,
    /// Connections set up at the same time
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
    /// How long to wait for late messages after the last broadcast, in milliseconds
    #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    drain_ms: u64,
}

/// State the receivers share with the run.
struct Shared {
    clock: Instant,
    /// Receivers that saw at least one warm-up broadcast.
    warm: AtomicUsize,
    /// Receivers that received every timestamped broadcast.
    complete: AtomicUsize,
}

impl Shared {
    fn micros(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

#[derive(Default)]
struct ReceiverReport {
    latencies_us: Vec<u64>,
    duplicates: usize,
    errors: usize,
    closed: Option<String>,
}

#[derive(Default)]
struct SenderReport {
    acks: usize,
    acked_deliveries: u64,
    errors: BTreeMap<String, usize>,
    closed: Option<String>,
}

/// Runs the mode and prints its figures.
pub async fn run(target: Arc<Target>, args: Args) -> Outcome<()> {
    let receivers = args.clients as usize;
    let shared = Arc::new(Shared {
        clock: Instant::now(),
        warm: AtomicUsize::new(0),
        complete: AtomicUsize::new(0),
    });
    let room: Arc<str> = Arc::from(args.room.as_str());
    // Dropping `stop` (at the end or on an early return) stops every client task.
    let (stop, stop_rx) = watch::channel(());

    let setup_started = Instant::now();
    let tasks = spawn_receivers(&target, &shared, &room, &args, &stop_rx).await?;
    let sender = target.connect_and_join(0, &room).await?;
    let setup_time = setup_started.elapsed();
    let (mut sink, stream) = sender.split();
    let acks = tokio::spawn(read_acks(stream, stop_rx));

    warm_up(&mut sink, &shared, &room, receivers).await?;
    let sending_started = Instant::now();
    send_series(&mut sink, &shared, &room, &args).await?;
    let sending_time = sending_started.elapsed();

    let drain_deadline = Instant::now() + Duration::from_millis(args.drain_ms);
    while shared.complete.load(Ordering::Relaxed) < receivers && Instant::now() < drain_deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Let the last acks arrive before the sender stops reading.
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(stop);

    let mut figures = BroadcastFigures {
        setup_time,
        sending_time,
        expected: receivers * args.messages as usize,
        ..BroadcastFigures::default()
    };
    for task in tasks {
        let report = tokio::time::timeout(TEARDOWN_TIMEOUT, task)
            .await
            .map_err(|_| "receivers did not stop in time".to_owned())?
            .map_err(|error| format!("a receiver failed: {error}"))?;
        figures.add(report);
    }
    figures.latencies_us.sort_unstable();
    figures.sender = tokio::time::timeout(TEARDOWN_TIMEOUT, acks)
        .await
        .map_err(|_| "the sender did not stop in time".to_owned())?
        .map_err(|error| format!("the sender failed: {error}"))?;
    let _ = tokio::time::timeout(Duration::from_secs(2), sink.close()).await;

    figures.print(
        format!(
            "ws-load broadcast: {receivers} receivers + 1 sender in room {:?}, {} broadcasts every {} ms",
            args.room, args.messages, args.interval_ms
        ),
        &target,
    );
    Ok(())
}

/// Starts one task per receiver and returns once every one of them joined the room.
async fn spawn_receivers(
    target: &Arc<Target>,
    shared: &Arc<Shared>,
    room: &Arc<str>,
    args: &Args,
    stop: &watch::Receiver<()>,
) -> Outcome<Vec<JoinHandle<ReceiverReport>>> {
    let receivers = args.clients as usize;
    let messages = args.messages as usize;
    let (ready_tx, mut ready_rx) = mpsc::channel(receivers);
    let gate = Arc::new(Semaphore::new(args.concurrency as usize));
    let mut tasks = Vec::with_capacity(receivers);
    for index in 0..receivers {
        let (target, shared, gate, room) = (
            Arc::clone(target),
            Arc::clone(shared),
            Arc::clone(&gate),
            Arc::clone(room),
        );
        let (ready, stop) = (ready_tx.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let joined = {
                let _permit = gate.acquire().await;
                target.connect_and_join(index, &room).await
            };
            match joined {
                Ok(ws) => {
                    let _ = ready.send(Ok(())).await;
                    drop(ready);
                    receive(ws, &shared, messages, stop).await
                }
                Err(reason) => {
                    let _ = ready.send(Err(reason)).await;
                    ReceiverReport::default()
                }
            }
        }));
    }
    drop(ready_tx);
    let (connected, failures) = await_setup(&mut ready_rx, receivers, "receivers").await;
    if connected < receivers {
        return Err(format!(
            "{} of {receivers} receivers could not connect and join: {}",
            receivers - connected,
            most_frequent(&failures)
        ));
    }
    Ok(tasks)
}

/// Repeats an untimed broadcast until every receiver saw one, so that
/// subscriptions across instances are in place before anything is timed.
async fn warm_up(sink: &mut WsSink, shared: &Shared, room: &str, receivers: usize) -> Outcome<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let frame = json!({"type": "broadcast", "room": room, "data": {"warmup": true}}).to_string();
    while shared.warm.load(Ordering::Relaxed) < receivers {
        if Instant::now() > deadline {
            return Err(format!(
                "only {} of {receivers} receivers got a warm-up broadcast within 10 s",
                shared.warm.load(Ordering::Relaxed)
            ));
        }
        sink.send(Message::text(frame.clone()))
            .await
            .map_err(|error| format!("sender: {error}"))?;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Sends the timestamped broadcasts, paced by `--interval-ms`.
async fn send_series(sink: &mut WsSink, shared: &Shared, room: &str, args: &Args) -> Outcome<()> {
    let padding = "x".repeat(args.payload_bytes as usize);
    let mut pacing = (args.interval_ms > 0).then(|| {
        let mut interval = tokio::time::interval(Duration::from_millis(args.interval_ms));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval
    });
    for seq in 0..args.messages {
        if let Some(pacing) = pacing.as_mut() {
            pacing.tick().await;
        }
        let frame = json!({
            "type": "broadcast",
            "room": room,
            "id": seq,
            "data": {"seq": seq, "sent_us": shared.micros(), "pad": padding},
        });
        sink.send(Message::text(frame.to_string()))
            .await
            .map_err(|error| format!("sender: {error}"))?;
    }
    Ok(())
}

/// What a broadcast run measured, summed over the receivers.
#[derive(Default)]
struct BroadcastFigures {
    setup_time: Duration,
    sending_time: Duration,
    expected: usize,
    latencies_us: Vec<u64>,
    duplicates: usize,
    receiver_errors: usize,
    closed: BTreeMap<String, usize>,
    sender: SenderReport,
}

impl BroadcastFigures {
    fn add(&mut self, report: ReceiverReport) {
        self.latencies_us.extend(report.latencies_us);
        self.duplicates += report.duplicates;
        self.receiver_errors += report.errors;
        if let Some(reason) = report.closed {
            *self.closed.entry(reason).or_insert(0) += 1;
        }
    }

    fn print(&self, title: String, target: &Target) {
        let delivered = self.latencies_us.len();
        let mut table = Table::new(title);
        table.row("instances", &target.describe());
        table.row(
            "set-up time",
            &format!("{:.2} s", self.setup_time.as_secs_f64()),
        );
        table.row(
            "sending time",
            &format!("{:.2} s", self.sending_time.as_secs_f64()),
        );
        table.row("expected", &self.expected);
        table.row("delivered", &delivered);
        table.row("lost", &self.expected.saturating_sub(delivered));
        table.row("duplicates", &self.duplicates);
        table.row(
            "acks (sum of delivered)",
            &format!("{} ({})", self.sender.acks, self.sender.acked_deliveries),
        );
        table.row("sender errors", &describe_counts(&self.sender.errors));
        table.row("receiver error frames", &self.receiver_errors);
        table.row("closed by the server", &describe_counts(&self.closed));
        if let Some(reason) = &self.sender.closed {
            table.row("sender closed", reason);
        }
        for (label, percentile) in [("p50", 50.0), ("p95", 95.0), ("p99", 99.0), ("max", 100.0)] {
            let value = percentile_ms(&self.latencies_us, percentile)
                .map_or_else(|| "-".to_owned(), |ms| format!("{ms:.2} ms"));
            table.row(format!("latency {label}"), &value);
        }
        table.print();
    }
}

async fn receive(
    mut ws: Ws,
    shared: &Shared,
    messages: usize,
    mut stop: watch::Receiver<()>,
) -> ReceiverReport {
    let mut report = ReceiverReport {
        latencies_us: Vec::with_capacity(messages),
        ..ReceiverReport::default()
    };
    let mut seen = vec![false; messages];
    let mut warm = false;
    loop {
        let frame = tokio::select! {
            _ = stop.changed() => break,
            frame = ws.next() => frame,
        };
        let arrived_us = shared.micros();
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => {
                report.closed = Some(describe_close(frame.as_ref()));
                return report;
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                report.closed = Some(error.to_string());
                return report;
            }
            None => {
                report.closed = Some("connection ended".to_owned());
                return report;
            }
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            report.errors += 1;
            continue;
        };
        match value["type"].as_str() {
            Some("message") => {}
            Some("error") => {
                report.errors += 1;
                continue;
            }
            _ => continue,
        }
        let data = &value["data"];
        if data["warmup"] == true {
            if !warm {
                warm = true;
                shared.warm.fetch_add(1, Ordering::Relaxed);
            }
            continue;
        }
        let (Some(seq), Some(sent_us)) = (data["seq"].as_u64(), data["sent_us"].as_u64()) else {
            continue;
        };
        match usize::try_from(seq).ok().and_then(|seq| seen.get_mut(seq)) {
            Some(seen) if *seen => report.duplicates += 1,
            Some(seen) => {
                *seen = true;
                report.latencies_us.push(arrived_us.saturating_sub(sent_us));
                if report.latencies_us.len() == messages {
                    shared.complete.fetch_add(1, Ordering::Relaxed);
                }
            }
            None => {}
        }
    }
    close_politely(ws).await;
    report
}

async fn read_acks(
    mut stream: futures_util::stream::SplitStream<Ws>,
    mut stop: watch::Receiver<()>,
) -> SenderReport {
    let mut report = SenderReport::default();
    loop {
        let frame = tokio::select! {
            _ = stop.changed() => return report,
            frame = stream.next() => frame,
        };
        match frame {
            Some(Ok(Message::Text(text))) => {
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                match value["type"].as_str() {
                    Some("ack") => {
                        report.acks += 1;
                        report.acked_deliveries += value["delivered"].as_u64().unwrap_or(0);
                    }
                    Some("error") => {
                        let code = value["code"].as_str().unwrap_or("?").to_owned();
                        *report.errors.entry(code).or_insert(0) += 1;
                    }
                    _ => {}
                }
            }
            Some(Ok(Message::Close(frame))) => {
                report.closed = Some(describe_close(frame.as_ref()));
                return report;
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                report.closed = Some(error.to_string());
                return report;
            }
            None => return report,
        }
    }
}
