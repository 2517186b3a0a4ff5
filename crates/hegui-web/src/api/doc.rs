//! The API's OpenAPI 3.1 description, `/api/v1/openapi.json`, generated from the handlers'
//! annotations (utoipa) when the server starts; a test keeps it and the route table equal.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{actions, engagements, files, papers, records, requests, ApiError};

/// The description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "hegui serve API",
        description = "The data and actions of hegui's pages for personal information protection compliance audits (PIPL; CAC Order No. 18). Authenticate with a personal access token: `Authorization: Bearer hgt_…` (`hegui user token add`). Tokens reach the engagements they name; the owner's role there decides what is allowed, as on the pages. Anything out of reach is a 404."
    ),
    paths(
        engagements::me,
        engagements::show,
        papers::show,
        papers::edit,
        papers::prepare,
        papers::review,
        papers::assign,
        papers::accept,
        files::list,
        files::upload,
        files::download,
        files::reports,
        files::render,
        files::report,
        records::findings,
        records::activity,
        records::profile,
        actions::raise,
        actions::add_item,
        actions::update_item,
        actions::team,
        actions::set_member,
        actions::profile,
        actions::verify_report,
        actions::verify_evidence,
        actions::sign_report,
        actions::upload_signature,
        requests::list,
        requests::create,
        requests::generate,
        requests::send,
        requests::show,
        requests::edit,
        requests::step,
        requests::upload,
        requests::download,
        requests::comment,
        requests::notes,
        requests::raise_note,
        requests::note_step,
        requests::inbox,
        requests::read,
    ),
    components(schemas(ApiError)),
    modifiers(&BearerToken)
)]
pub struct ApiDoc;

/// Declares the bearer token scheme the paths' `security(("token" = []))` names.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The description as JSON (made once).
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the description serialises")
    })
}

/// GET /api/v1/openapi.json
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], json()).into_response()
}
