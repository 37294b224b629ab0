//! GraphiQL, served from the binary: the page and its scripts are vendored in
//! `assets/graphiql/` (see VERSIONS.md there), so it works on a machine with
//! no internet access, unlike a CDN-loaded page.

use poem::http::{StatusCode, header};
use poem::web::{Data, Html, Path};
use poem::{IntoResponse, Response, handler};

use crate::state::AppState;

const PAGE: &str = include_str!("../assets/graphiql/index.html");

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
    ),
];

/// Off by default in production (`graphiql` setting): it shows anyone the
/// whole API.
#[handler]
pub fn page(state: Data<&AppState>) -> Response {
    if !state.settings.graphiql_enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    Html(PAGE).into_response()
}

#[handler]
pub fn asset(Path(name): Path<String>, state: Data<&AppState>) -> Response {
    if !state.settings.graphiql_enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ASSETS.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) => Response::builder()
            .header(header::CONTENT_TYPE, *content_type)
            // The files only change with a new release of the binary.
            .header(header::CACHE_CONTROL, "public, max-age=86400")
            .body(*body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
