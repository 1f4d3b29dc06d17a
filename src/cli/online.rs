//! Helpers shared by the commands that talk to a server: the client and the object table.

use crate::cli::context::Context;
use crate::client::Client;
use crate::objects::ObjectOut;

/// A client of the configured server (`--server`, `STMGR_SERVER`, config file).
///
/// # Errors
/// A bad server URL.
pub fn client(ctx: &Context) -> anyhow::Result<Client> {
    Ok(Client::new(&ctx.settings.server)?)
}

/// Column headers of an object table.
pub const OBJECT_HEADERS: [&str; 6] = ["id", "type", "commit_seq", "ts", "tags", "body"];

const BODY_WIDTH: usize = 60;

/// One table row of an object.
pub fn object_row(o: &ObjectOut) -> Vec<String> {
    let mut body = o.body.get().to_string();
    if body.chars().count() > BODY_WIDTH {
        body = body.chars().take(BODY_WIDTH - 1).collect::<String>() + "…";
    }
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
