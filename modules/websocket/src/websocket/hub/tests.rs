//! The hub's unit tests: registry, slow consumers and limits.

use super::*;
use crate::websocket::broker::MemoryBroker;
use crate::websocket::testing::test_settings;

fn hub(configure: impl FnOnce(&mut WsSettings)) -> Hub {
    let mut settings = test_settings();
    configure(&mut settings);
    Hub::new(
        Arc::new(settings),
        Arc::new(MemoryBroker),
        CancellationToken::new(),
    )
}

#[test]
fn closing_a_connection_leaves_its_rooms_and_empty_rooms_disappear() {
    let hub = hub(|_| {});
    let first = hub.register(|_| Utf8Bytes::from_static("welcome"));
    let second = hub.register(|_| Utf8Bytes::from_static("welcome"));
    assert_eq!(hub.join(first.id, "a"), Ok(1));
    assert_eq!(hub.join(first.id, "b"), Ok(1));
    assert_eq!(hub.join(second.id, "a"), Ok(2));
    hub.unregister(first.id, CloseReason::ClientClosed);
    assert_eq!(hub.rooms(), vec![("a".to_owned(), 1)]);
    assert_eq!(hub.stats().closed(CloseReason::ClientClosed), 1);
}

#[test]
fn a_full_queue_marks_a_slow_consumer_and_others_still_receive() {
    let hub = hub(|settings| settings.send_queue_capacity = 1);
    let sender = hub.register(|_| Utf8Bytes::from_static("welcome"));
    let slow = hub.register(|_| Utf8Bytes::from_static("welcome"));
    let fast = hub.register(|_| Utf8Bytes::from_static("welcome"));
    for registration in [&sender, &slow, &fast] {
        hub.join(registration.id, "r").unwrap();
        assert_eq!(registration.outbox.pop().as_deref(), Some("welcome"));
    }
    let frame = Utf8Bytes::from("x");
    assert_eq!(hub.broadcast_from(sender.id, "r", &frame), Ok(2));
    assert!(fast.outbox.pop().is_some());
    assert_eq!(hub.broadcast_from(sender.id, "r", &frame), Ok(1));
    assert_eq!(slow.outbox.close_reason(), CloseReason::SlowConsumer);
    assert!(fast.outbox.pop().is_some());
    assert_eq!(hub.stats().messages_dropped.load(Ordering::Relaxed), 1);
}

#[test]
fn limits_and_membership_are_enforced() {
    let hub = hub(|settings| {
        settings.max_rooms_per_connection = 1;
        settings.max_members_per_room = 1;
    });
    let first = hub.register(|_| Utf8Bytes::from_static("welcome"));
    let second = hub.register(|_| Utf8Bytes::from_static("welcome"));
    hub.join(first.id, "a").unwrap();
    let code = |refused: Result<usize, Rejection>| refused.unwrap_err().code;
    assert_eq!(code(hub.join(first.id, "b")), ErrorCode::Forbidden);
    assert_eq!(code(hub.join(second.id, "a")), ErrorCode::Forbidden);
    assert_eq!(
        code(hub.leave(second.id, "a").map(|()| 0)),
        ErrorCode::NotMember
    );
    let frame = Utf8Bytes::from("x");
    let broadcast = hub.broadcast_from(second.id, "a", &frame);
    assert_eq!(code(broadcast), ErrorCode::NotMember);
    assert_eq!(code(hub.join(first.id, "bad room")), ErrorCode::BadRequest);
    let direct = hub.send_direct("nobody", &frame);
    assert_eq!(code(direct), ErrorCode::UnknownConnection);
}
