//! `WS_DEMO_PAGE`: whether the service serves the browser demo (`websocket::demo`).

use super::Reader;

/// `WS_DEMO_PAGE` (default false): `true` or `1` serves `GET /demo` and
/// `GET /client/ws-client.js`; `false` or `0` leaves both answering 404.
pub(super) fn read_demo_page(read: &Reader<'_>) -> bool {
    const VARIABLE: &str = "WS_DEMO_PAGE";
    let Some(text) = read.text(VARIABLE) else {
        return false;
    };
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => true,
        "false" | "0" | "" => false,
        _ => {
            read.fail(VARIABLE, format!("expected true or false, got {text:?}"));
            false
        }
    }
}
