//! Every route, with who may use it. The router is built from [`table`]; the route × role
//! test walks [`ROUTES`], so a new route without an access rule fails it.

use axum::routing::{get, post, MethodRouter};
use hegui_audit::members::Role;

use crate::access::{AUDIT_SIDE, EDITORS, REVIEWERS};
use crate::discuss::{self, NOTE_ACTORS, NOTE_RAISERS};
use crate::evidence::{self, DOWNLOADERS};
use crate::findings::{self, COMMUNICATORS, ITEM_ACTORS};
use crate::reports::{self, RENDERERS, SIGNATURE_LIMIT, SIGNERS};
use crate::request_actions as ra;
use crate::requests::{self, CLIENTS, COMMENTERS, FILE_READERS, LEAD, READERS, TEAM};
use crate::team::{self, LEADS};
use crate::{account, admin, api, checkpoint, ledger, pages, profile, signin, tokens, AppState};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (sign-in pages, static files).
    Public,
    /// A session past its password, before its second factor.
    Pending,
    /// Anyone signed in.
    SignedIn,
    /// Any valid personal access token (the API's `/api/v1/me`).
    Token,
    /// An instance administrator (user administration); anyone else gets a 404.
    Admin,
    /// Members of the engagement in the path (`{code}`) with one of these roles; anyone
    /// else gets a 404. Under `/api/v1/` the member is the owner of the request's token,
    /// which must name the engagement.
    Member(&'static [Role]),
}

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct RouteDef {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// The largest request body.
    pub limit: usize,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> RouteDef {
    RouteDef {
        method,
        path,
        access,
        limit: crate::FORM_LIMIT,
    }
}

/// A route that takes an evidence file.
const fn upload(path: &'static str, access: Access) -> RouteDef {
    RouteDef {
        method: "POST",
        path,
        access,
        limit: evidence::EVIDENCE_LIMIT,
    }
}

/// The API's prefix.
pub const API: &str = "/api/v1/";

/// Every role.
pub const ALL_ROLES: &[Role] = &Role::ALL;

/// Every route of the application.
pub const ROUTES: &[RouteDef] = &[
    r("GET", "/signin", Access::Public),
    r("POST", "/signin", Access::Public),
    r("GET", "/signin/code", Access::Pending),
    r("POST", "/signin/code", Access::Pending),
    r("GET", "/signin/enrol", Access::Pending),
    r("POST", "/signin/enrol", Access::Pending),
    r("POST", "/signout", Access::SignedIn),
    r("GET", "/lang/{lang}", Access::Public),
    r("GET", "/static/htmx.min.js", Access::Public),
    r("GET", "/static/hegui.css", Access::Public),
    r("GET", "/", Access::SignedIn),
    r("GET", "/e/{code}", Access::Member(ALL_ROLES)),
    r("GET", "/e/{code}/c/{id}", Access::Member(AUDIT_SIDE)),
    r("POST", "/e/{code}/c/{id}", Access::Member(EDITORS)),
    r("POST", "/e/{code}/c/{id}/prepare", Access::Member(EDITORS)),
    r("POST", "/e/{code}/c/{id}/review", Access::Member(REVIEWERS)),
    r("POST", "/e/{code}/c/{id}/sample", Access::Member(EDITORS)),
    r("POST", "/e/{code}/c/{id}/assign", Access::Member(LEADS)),
    r("POST", "/e/{code}/c/{id}/accept", Access::Member(EDITORS)),
    r(
        "GET",
        "/e/{code}/c/{id}/sample.csv",
        Access::Member(AUDIT_SIDE),
    ),
    r("GET", "/e/{code}/evidence", Access::Member(AUDIT_SIDE)),
    upload("/e/{code}/evidence", Access::Member(EDITORS)),
    r(
        "GET",
        "/e/{code}/evidence/{ev}",
        Access::Member(DOWNLOADERS),
    ),
    r(
        "POST",
        "/e/{code}/evidence/verify",
        Access::Member(DOWNLOADERS),
    ),
    r("GET", "/e/{code}/findings", Access::Member(ALL_ROLES)),
    r("POST", "/e/{code}/findings", Access::Member(EDITORS)),
    r(
        "POST",
        "/e/{code}/findings/{f}/items",
        Access::Member(COMMUNICATORS),
    ),
    r(
        "POST",
        "/e/{code}/findings/{f}/items/{seq}",
        Access::Member(ITEM_ACTORS),
    ),
    r("GET", "/e/{code}/requests", Access::Member(READERS)),
    r("POST", "/e/{code}/requests", Access::Member(TEAM)),
    r("POST", "/e/{code}/requests/generate", Access::Member(TEAM)),
    r("POST", "/e/{code}/requests/send", Access::Member(TEAM)),
    r("GET", "/e/{code}/requests/{pbc}", Access::Member(READERS)),
    r("POST", "/e/{code}/requests/{pbc}", Access::Member(TEAM)),
    upload("/e/{code}/requests/{pbc}/files", Access::Member(CLIENTS)),
    r(
        "GET",
        "/e/{code}/requests/{pbc}/files/{n}",
        Access::Member(FILE_READERS),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/files/{n}/remove",
        Access::Member(CLIENTS),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/submit",
        Access::Member(CLIENTS),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/not-applicable",
        Access::Member(CLIENTS),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/accept",
        Access::Member(TEAM),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/return",
        Access::Member(TEAM),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/reopen",
        Access::Member(LEAD),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/cancel",
        Access::Member(TEAM),
    ),
    r(
        "POST",
        "/e/{code}/requests/{pbc}/merge",
        Access::Member(TEAM),
    ),
    r("POST", "/e/{code}/comments", Access::Member(COMMENTERS)),
    r("POST", "/e/{code}/comments/{n}", Access::Member(COMMENTERS)),
    r(
        "POST",
        "/e/{code}/c/{id}/notes",
        Access::Member(NOTE_RAISERS),
    ),
    r("POST", "/e/{code}/notes/{rn}", Access::Member(NOTE_ACTORS)),
    r("GET", "/inbox", Access::SignedIn),
    r("POST", "/inbox/read", Access::SignedIn),
    r("GET", "/e/{code}/log", Access::Member(AUDIT_SIDE)),
    r("GET", "/e/{code}/profile", Access::Member(AUDIT_SIDE)),
    RouteDef {
        method: "POST",
        path: "/e/{code}/profile",
        access: Access::Member(EDITORS),
        limit: profile::PROFILE_LIMIT,
    },
    r("GET", "/e/{code}/reports", Access::Member(AUDIT_SIDE)),
    r("POST", "/e/{code}/reports", Access::Member(RENDERERS)),
    r("GET", "/e/{code}/reports/{r}", Access::Member(DOWNLOADERS)),
    r(
        "GET",
        "/e/{code}/reports/{r}/signature",
        Access::Member(DOWNLOADERS),
    ),
    RouteDef {
        method: "POST",
        path: "/e/{code}/reports/{r}/signature",
        access: Access::Member(SIGNERS),
        limit: SIGNATURE_LIMIT,
    },
    r(
        "POST",
        "/e/{code}/reports/{r}/sign",
        Access::Member(SIGNERS),
    ),
    r(
        "POST",
        "/e/{code}/reports/{r}/verify",
        Access::Member(DOWNLOADERS),
    ),
    r("GET", "/e/{code}/team", Access::Member(AUDIT_SIDE)),
    r("POST", "/e/{code}/team", Access::Member(LEADS)),
    r(
        "POST",
        "/e/{code}/team/{user}/remove",
        Access::Member(LEADS),
    ),
    r("GET", "/account", Access::SignedIn),
    r("POST", "/account", Access::SignedIn),
    r("POST", "/account/email", Access::SignedIn),
    r("GET", "/tokens", Access::SignedIn),
    r("POST", "/tokens", Access::SignedIn),
    r("POST", "/tokens/{id}/revoke", Access::SignedIn),
    r("GET", "/admin/users", Access::Admin),
    r("POST", "/admin/users", Access::Admin),
    r("POST", "/admin/users/{user}", Access::Admin),
    r("GET", "/api/v1/openapi.json", Access::Public),
    r("GET", "/api/v1/me", Access::Token),
    r(
        "GET",
        "/api/v1/engagements/{code}",
        Access::Member(ALL_ROLES),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/checkpoints/{id}",
        Access::Member(AUDIT_SIDE),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/checkpoints/{id}",
        Access::Member(EDITORS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/checkpoints/{id}/prepare",
        Access::Member(EDITORS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/checkpoints/{id}/review",
        Access::Member(REVIEWERS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/checkpoints/{id}/assign",
        Access::Member(LEADS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/checkpoints/{id}/accept",
        Access::Member(EDITORS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/evidence",
        Access::Member(AUDIT_SIDE),
    ),
    upload(
        "/api/v1/engagements/{code}/evidence",
        Access::Member(EDITORS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/evidence/{ev}",
        Access::Member(DOWNLOADERS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/reports",
        Access::Member(AUDIT_SIDE),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/reports",
        Access::Member(RENDERERS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/reports/{r}",
        Access::Member(DOWNLOADERS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/findings",
        Access::Member(ALL_ROLES),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/findings",
        Access::Member(EDITORS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/findings/{f}/items",
        Access::Member(COMMUNICATORS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/findings/{f}/items/{seq}",
        Access::Member(ITEM_ACTORS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/team",
        Access::Member(AUDIT_SIDE),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/team",
        Access::Member(LEADS),
    ),
    RouteDef {
        method: "POST",
        path: "/api/v1/engagements/{code}/profile",
        access: Access::Member(EDITORS),
        limit: profile::PROFILE_LIMIT,
    },
    r(
        "POST",
        "/api/v1/engagements/{code}/reports/{r}/verify",
        Access::Member(DOWNLOADERS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/reports/{r}/sign",
        Access::Member(SIGNERS),
    ),
    RouteDef {
        method: "POST",
        path: "/api/v1/engagements/{code}/reports/{r}/signature",
        access: Access::Member(SIGNERS),
        limit: SIGNATURE_LIMIT,
    },
    r(
        "POST",
        "/api/v1/engagements/{code}/evidence/verify",
        Access::Member(DOWNLOADERS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/log",
        Access::Member(AUDIT_SIDE),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/requests",
        Access::Member(READERS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/requests",
        Access::Member(TEAM),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/requests/generate",
        Access::Member(TEAM),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/requests/send",
        Access::Member(TEAM),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/requests/{pbc}",
        Access::Member(READERS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/requests/{pbc}",
        Access::Member(TEAM),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/requests/{pbc}/actions/{action}",
        Access::Member(api::requests::ACTORS),
    ),
    upload(
        "/api/v1/engagements/{code}/requests/{pbc}/files",
        Access::Member(CLIENTS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/requests/{pbc}/files/{n}",
        Access::Member(FILE_READERS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/comments",
        Access::Member(COMMENTERS),
    ),
    r(
        "GET",
        "/api/v1/engagements/{code}/checkpoints/{id}/notes",
        Access::Member(NOTE_ACTORS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/checkpoints/{id}/notes",
        Access::Member(NOTE_RAISERS),
    ),
    r(
        "POST",
        "/api/v1/engagements/{code}/notes/{rn}",
        Access::Member(NOTE_ACTORS),
    ),
    r("GET", "/api/v1/inbox", Access::Token),
    r("POST", "/api/v1/inbox/read", Access::Token),
    r(
        "GET",
        "/api/v1/engagements/{code}/profile",
        Access::Member(AUDIT_SIDE),
    ),
];

/// The first route of a path (its access rule and limit are per route; the handlers of
/// all its methods are in one entry of [`table`]).
fn at(path: &str) -> RouteDef {
    *ROUTES
        .iter()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("{path} is not in ROUTES (tested)"))
}

/// The routes with their handlers, one entry per path.
pub fn table() -> Vec<(RouteDef, MethodRouter<AppState>)> {
    vec![
        (at("/signin"), get(signin::form).post(signin::password)),
        (
            at("/signin/code"),
            get(signin::code_form).post(signin::code),
        ),
        (
            at("/signin/enrol"),
            get(signin::enrol_form).post(signin::enrol),
        ),
        (at("/signout"), post(signin::signout)),
        (at("/lang/{lang}"), get(pages::set_lang)),
        (at("/static/htmx.min.js"), get(pages::htmx)),
        (at("/static/hegui.css"), get(pages::css)),
        (at("/"), get(pages::my_work)),
        (at("/e/{code}"), get(pages::dashboard)),
        (
            at("/e/{code}/c/{id}"),
            get(checkpoint::view).post(checkpoint::edit),
        ),
        (at("/e/{code}/c/{id}/prepare"), post(checkpoint::prepare)),
        (at("/e/{code}/c/{id}/review"), post(checkpoint::review)),
        (at("/e/{code}/c/{id}/sample"), post(checkpoint::sample)),
        (at("/e/{code}/c/{id}/assign"), post(checkpoint::assign)),
        (at("/e/{code}/c/{id}/accept"), post(checkpoint::accept)),
        (
            at("/e/{code}/c/{id}/sample.csv"),
            get(checkpoint::sample_csv),
        ),
        (
            at("/e/{code}/evidence"),
            get(evidence::list).post(evidence::upload),
        ),
        (at("/e/{code}/evidence/{ev}"), get(evidence::download)),
        (at("/e/{code}/evidence/verify"), post(evidence::verify)),
        (
            at("/e/{code}/findings"),
            get(ledger::findings).post(findings::raise),
        ),
        (at("/e/{code}/findings/{f}/items"), post(findings::add_item)),
        (
            at("/e/{code}/findings/{f}/items/{seq}"),
            post(findings::update_item),
        ),
        (
            at("/e/{code}/requests"),
            get(requests::list).post(ra::create),
        ),
        (at("/e/{code}/requests/generate"), post(ra::generate)),
        (at("/e/{code}/requests/send"), post(ra::send)),
        (
            at("/e/{code}/requests/{pbc}"),
            get(requests::view).post(ra::edit),
        ),
        (at("/e/{code}/requests/{pbc}/files"), post(ra::upload)),
        (
            at("/e/{code}/requests/{pbc}/files/{n}"),
            get(requests::download),
        ),
        (
            at("/e/{code}/requests/{pbc}/files/{n}/remove"),
            post(ra::remove_file),
        ),
        (at("/e/{code}/requests/{pbc}/submit"), post(ra::submit)),
        (
            at("/e/{code}/requests/{pbc}/not-applicable"),
            post(ra::not_applicable),
        ),
        (at("/e/{code}/requests/{pbc}/accept"), post(ra::accept)),
        (at("/e/{code}/requests/{pbc}/return"), post(ra::return_)),
        (at("/e/{code}/requests/{pbc}/reopen"), post(ra::reopen)),
        (at("/e/{code}/requests/{pbc}/cancel"), post(ra::cancel)),
        (at("/e/{code}/requests/{pbc}/merge"), post(ra::merge)),
        (at("/e/{code}/comments"), post(discuss::comment)),
        (at("/e/{code}/comments/{n}"), post(discuss::edit_comment)),
        (at("/e/{code}/c/{id}/notes"), post(discuss::raise_note)),
        (at("/e/{code}/notes/{rn}"), post(discuss::note_step)),
        (at("/inbox"), get(discuss::inbox)),
        (at("/inbox/read"), post(discuss::mark_read)),
        (at("/e/{code}/log"), get(ledger::activity)),
        (
            at("/e/{code}/profile"),
            get(profile::view).post(profile::upload),
        ),
        (
            at("/e/{code}/reports"),
            get(reports::list).post(reports::create),
        ),
        (at("/e/{code}/reports/{r}"), get(reports::download)),
        (
            at("/e/{code}/reports/{r}/signature"),
            get(reports::signature_file).post(reports::upload_signature),
        ),
        (at("/e/{code}/reports/{r}/sign"), post(reports::sign)),
        (at("/e/{code}/reports/{r}/verify"), post(reports::verify)),
        (at("/e/{code}/team"), get(team::view).post(team::add)),
        (at("/e/{code}/team/{user}/remove"), post(team::remove)),
        (
            at("/account"),
            get(account::view).post(account::change_password),
        ),
        (at("/account/email"), post(account::set_email)),
        (at("/tokens"), get(tokens::list).post(tokens::create)),
        (at("/tokens/{id}/revoke"), post(tokens::revoke)),
        (at("/admin/users"), get(admin::list).post(admin::create)),
        (at("/admin/users/{user}"), post(admin::act)),
        (at("/api/v1/openapi.json"), get(api::doc::openapi)),
        (at("/api/v1/me"), get(api::engagements::me)),
        (
            at("/api/v1/engagements/{code}"),
            get(api::engagements::show),
        ),
        (
            at("/api/v1/engagements/{code}/checkpoints/{id}"),
            get(api::papers::show).post(api::papers::edit),
        ),
        (
            at("/api/v1/engagements/{code}/checkpoints/{id}/prepare"),
            post(api::papers::prepare),
        ),
        (
            at("/api/v1/engagements/{code}/checkpoints/{id}/review"),
            post(api::papers::review),
        ),
        (
            at("/api/v1/engagements/{code}/checkpoints/{id}/assign"),
            post(api::papers::assign),
        ),
        (
            at("/api/v1/engagements/{code}/checkpoints/{id}/accept"),
            post(api::papers::accept),
        ),
        (
            at("/api/v1/engagements/{code}/evidence"),
            get(api::files::list).post(api::files::upload),
        ),
        (
            at("/api/v1/engagements/{code}/evidence/{ev}"),
            get(api::files::download),
        ),
        (
            at("/api/v1/engagements/{code}/reports"),
            get(api::files::reports).post(api::files::render),
        ),
        (
            at("/api/v1/engagements/{code}/reports/{r}"),
            get(api::files::report),
        ),
        (
            at("/api/v1/engagements/{code}/findings"),
            get(api::records::findings).post(api::actions::raise),
        ),
        (
            at("/api/v1/engagements/{code}/findings/{f}/items"),
            post(api::actions::add_item),
        ),
        (
            at("/api/v1/engagements/{code}/findings/{f}/items/{seq}"),
            post(api::actions::update_item),
        ),
        (
            at("/api/v1/engagements/{code}/team"),
            get(api::actions::team).post(api::actions::set_member),
        ),
        (
            at("/api/v1/engagements/{code}/reports/{r}/verify"),
            post(api::actions::verify_report),
        ),
        (
            at("/api/v1/engagements/{code}/reports/{r}/sign"),
            post(api::actions::sign_report),
        ),
        (
            at("/api/v1/engagements/{code}/reports/{r}/signature"),
            post(api::actions::upload_signature),
        ),
        (
            at("/api/v1/engagements/{code}/evidence/verify"),
            post(api::actions::verify_evidence),
        ),
        (
            at("/api/v1/engagements/{code}/log"),
            get(api::records::activity),
        ),
        (
            at("/api/v1/engagements/{code}/requests"),
            get(api::requests::list).post(api::requests::create),
        ),
        (
            at("/api/v1/engagements/{code}/requests/generate"),
            post(api::requests::generate),
        ),
        (
            at("/api/v1/engagements/{code}/requests/send"),
            post(api::requests::send),
        ),
        (
            at("/api/v1/engagements/{code}/requests/{pbc}"),
            get(api::requests::show).post(api::requests::edit),
        ),
        (
            at("/api/v1/engagements/{code}/requests/{pbc}/actions/{action}"),
            post(api::requests::step),
        ),
        (
            at("/api/v1/engagements/{code}/requests/{pbc}/files"),
            post(api::requests::upload),
        ),
        (
            at("/api/v1/engagements/{code}/requests/{pbc}/files/{n}"),
            get(api::requests::download),
        ),
        (
            at("/api/v1/engagements/{code}/comments"),
            post(api::requests::comment),
        ),
        (
            at("/api/v1/engagements/{code}/checkpoints/{id}/notes"),
            get(api::requests::notes).post(api::requests::raise_note),
        ),
        (
            at("/api/v1/engagements/{code}/notes/{rn}"),
            post(api::requests::note_step),
        ),
        (at("/api/v1/inbox"), get(api::requests::inbox)),
        (at("/api/v1/inbox/read"), post(api::requests::read)),
        (
            at("/api/v1/engagements/{code}/profile"),
            get(api::records::profile).post(api::actions::profile),
        ),
    ]
}
