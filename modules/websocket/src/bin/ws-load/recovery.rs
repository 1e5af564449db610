//! `recovery`: how long a client that missed M messages waits to get them
//! back. Each round, a sender and then a receiver join a room, the receiver
//! notes its `epoch` and `offset` and leaves, the sender publishes M broadcasts (each acknowledged, so
//! each is in the room's history), and the receiver comes back with
//! `join` + `since`. Prints the time from that `join` to its `joined`, the
//! messages replayed before it, whether the server said `recovered`, and
//! missed messages that came only after `joined` (within [`LATE_WAIT`]) or not at all.
//! Needs history on the server (`WS_HISTORY_SIZE` of at least M). With
//! several `--url`s the sender is on the first instance and the receiver
//! leaves from the second and comes back on the third (round-robin).

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::figures::{Table, percentile_ms};
use crate::target::{Outcome, SETUP_TIMEOUT, Target, Ws, close_politely, connect_tcp, next_json};

/// `ws-load recovery`.
#[derive(clap::Args)]
pub struct Args {
    /// Messages the receiver misses each round
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    missed: u32,
    /// Rounds, each in a room of its own
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    rounds: u32,
    /// Extra bytes of padding in each broadcast's `data`
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    payload_bytes: u32,
    /// Prefix of the rooms' names (round i uses `<prefix>-<i>`)
    #[arg(long, default_value = "recovery")]
    room_prefix: String,
}

/// How long a round waits after `joined` for missed messages that were not replayed.
const LATE_WAIT: Duration = Duration::from_secs(2);

/// What one round measured.
struct Round {
    join_to_joined: Duration,
    /// Missed messages delivered before `joined`.
    replayed: usize,
    /// Missed messages delivered after `joined`.
    late: usize,
    recovered: bool,
}

/// Runs the mode and prints its figures.
pub async fn run(target: &Target, args: Args) -> Outcome<()> {
    let padding = "x".repeat(args.payload_bytes as usize);
    let mut rounds = Vec::with_capacity(args.rounds as usize);
    for round in 0..args.rounds {
        let room = format!("{}-{round}-{}", args.room_prefix, std::process::id());
        let measured = tokio::time::timeout(
            SETUP_TIMEOUT + Duration::from_millis(u64::from(args.missed) * 100),
            run_round(target, &room, args.missed, &padding),
        )
        .await
        .map_err(|_| format!("round {round} took too long"))??;
        rounds.push(measured);
    }
    print(&args, target, &rounds);
    Ok(())
}

async fn run_round(target: &Target, room: &str, missed: u32, padding: &str) -> Outcome<Round> {
    // The sender stays in the room throughout, as other members would.
    let mut sender = connect(target, 0).await?;
    join(&mut sender, room, None).await?;
    let mut receiver = connect(target, 1).await?;
    let joined = join(&mut receiver, room, None).await?.1;
    let since = match (&joined["epoch"], &joined["offset"]) {
        (Value::String(epoch), Value::Number(offset)) => json!({"epoch": epoch, "offset": offset}),
        _ => {
            return Err(format!(
                "`joined` carries no epoch and offset ({joined}): is WS_HISTORY_SIZE set on the server?"
            ));
        }
    };
    close_politely(receiver).await;

    for sequence in 0..missed {
        let frame = json!({"type": "broadcast", "room": room, "id": sequence,
                           "data": {"seq": sequence, "pad": padding}});
        send(&mut sender, &frame).await?;
        // The ack comes once the message is numbered and in the room's history.
        loop {
            let answer = next_json(&mut sender).await?;
            match answer["type"].as_str() {
                Some("ack") => break,
                Some("error") => return Err(format!("broadcast refused: {answer}")),
                _ => {}
            }
        }
    }

    // With several --url, the receiver comes back on another instance.
    let mut receiver = connect(target, 2).await?;
    let started = Instant::now();
    let (replayed, joined) = join(&mut receiver, room, Some(since)).await?;
    let join_to_joined = started.elapsed();
    let mut late = 0;
    let missing = (missed as usize).saturating_sub(replayed);
    let _ = tokio::time::timeout(LATE_WAIT, async {
        while late < missing {
            match next_json(&mut receiver).await {
                Ok(frame) if frame["type"] == "message" => late += 1,
                Ok(_) => {}
                Err(_) => return,
            }
        }
    })
    .await;
    close_politely(receiver).await;
    close_politely(sender).await;
    Ok(Round {
        join_to_joined,
        replayed,
        late,
        recovered: joined["recovered"] == true,
    })
}

async fn connect(target: &Target, index: usize) -> Outcome<Ws> {
    let endpoint = target.endpoint(index);
    let setup = async {
        let tcp = connect_tcp(endpoint).await?;
        Ok(target.handshake(endpoint, tcp).await?.0)
    };
    tokio::time::timeout(SETUP_TIMEOUT, setup)
        .await
        .unwrap_or_else(|_| Err(format!("setup took longer than {SETUP_TIMEOUT:?}")))
}

async fn send(ws: &mut Ws, frame: &Value) -> Outcome<()> {
    ws.send(Message::text(frame.to_string()))
        .await
        .map_err(|error| format!("send: {error}"))
}

/// Joins `room` (from `since` when given); answers the messages delivered
/// before `joined`, and `joined`.
async fn join(ws: &mut Ws, room: &str, since: Option<Value>) -> Outcome<(usize, Value)> {
    let mut frame = json!({"type": "join", "room": room, "id": "join"});
    if let Some(since) = since {
        frame["since"] = since;
    }
    send(ws, &frame).await?;
    let mut replayed = 0;
    loop {
        let answer = next_json(ws).await?;
        match answer["type"].as_str() {
            Some("joined") => return Ok((replayed, answer)),
            Some("message") => replayed += 1,
            Some("error") => return Err(format!("join {room:?} refused: {answer}")),
            _ => {}
        }
    }
}

fn print(args: &Args, target: &Target, rounds: &[Round]) {
    let mut table = Table::new(format!(
        "ws-load recovery: {} rounds, {} missed messages each",
        rounds.len(),
        args.missed
    ));
    table.row("instances", &target.describe());
    let recovered = rounds.iter().filter(|round| round.recovered).count();
    table.row("recovered", &format!("{recovered} of {}", rounds.len()));
    let complete = rounds
        .iter()
        .filter(|round| round.replayed == args.missed as usize)
        .count();
    table.row(
        "every missed message replayed",
        &format!("{complete} of {}", rounds.len()),
    );
    let late: usize = rounds.iter().map(|round| round.late).sum();
    let lost: usize = rounds
        .iter()
        .map(|round| (args.missed as usize).saturating_sub(round.replayed + round.late))
        .sum();
    table.row("missed, came after joined", &late);
    table.row("missed, never came", &lost);
    let mut times: Vec<u64> = rounds
        .iter()
        .map(|round| u64::try_from(round.join_to_joined.as_micros()).unwrap_or(u64::MAX))
        .collect();
    times.sort_unstable();
    for (label, percentile) in [("join to joined p50", 50.0), ("join to joined max", 100.0)] {
        if let Some(ms) = percentile_ms(&times, percentile) {
            table.row(label, &format!("{ms:.2} ms"));
        }
    }
    table.print();
}
