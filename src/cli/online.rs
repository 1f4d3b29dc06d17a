//! Helpers shared by the commands that talk to a server: the client and the object table.

use crate::cli::context::Context;
use crate::client::Client;
use crate::objects::ObjectOut;

/// A client of the configured server (`--server`, `STMGR_SERVER`, config file).
///
/// # Errors
/// A bad server URL.
pub fn client(ctx: &Context) -> anyhow::Result<Client> {
    Ok(Client::with_options(
        &ctx.settings.server,
        &ctx.settings.client,
    )?)
}

/// Column headers of an object table.
pub const OBJECT_HEADERS: [&str; 6] = ["id", "type", "commit_seq", "ts", "tags", "body"];

const BODY_WIDTH: usize = 60;

/// A JSON body cut to fit a table column.
pub fn table_body(body: &str) -> String {
    if body.chars().count() > BODY_WIDTH {
        body.chars().take(BODY_WIDTH - 1).collect::<String>() + "…"
    } else {
        body.to_string()
    }
}

/// One table row of an object.
pub fn object_row(o: &ObjectOut) -> Vec<String> {
    let body = table_body(o.body.get());
    let tags = o
        .tags
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    vec![
        o.id.clone(),
        o.type_.clone(),
        o.commit_seq.to_string(),
        o.ts.clone(),
        tags,
        body,
    ]
}
