//! The browser demo, served only with `WS_DEMO_PAGE=true`: `GET /demo`, a room
//! page (client/demo.html), and `GET /client/ws-client.js`, the dependency-free
//! client it imports. Both are compiled into the binary. The page connects to
//! its own origin, so the default Origin check (same origin only) admits it,
//! and it reads its token from the URL fragment, which never reaches a log.

use axum::Router;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::IntoResponse;
use axum::routing::get;

const PAGE: &str = include_str!("../../client/demo.html");
const CLIENT: &str = include_str!("../../client/ws-client.js");

/// Scripts, styles and sockets of the page's own origin only (plus its inline
/// script and style).
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self' 'unsafe-inline'; \
     style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The two routes when `enabled` (`WS_DEMO_PAGE`), else none.
pub(super) fn router<S: Clone + Send + Sync + 'static>(enabled: bool) -> Router<S> {
    if !enabled {
        return Router::new();
    }
    Router::new()
        .route("/demo", get(page))
        .route("/client/ws-client.js", get(client))
}

async fn page() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_SECURITY_POLICY, PAGE_POLICY),
            (CACHE_CONTROL, "no-cache"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE,
    )
}

async fn client() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        CLIENT,
    )
}
