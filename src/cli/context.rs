//! [`Context`]: what every command receives besides its own arguments.

use std::sync::Arc;

use tokio::runtime::Runtime;

use crate::cli::output::Printer;
use crate::config::Settings;

/// Resolved settings and the printer, built once by [`crate::cli::run`].
#[derive(Debug, Clone)]
pub struct Context {
    /// Flags > environment > config file > defaults, already resolved.
    pub settings: Settings,
    /// The one owner of stdout and stderr.
    pub printer: Printer,
    /// The runtime (multi-threaded for servers, current-thread otherwise).
    pub runtime: Arc<Runtime>,
}

impl Context {
    /// A context whose printer follows the settings' output format and `-q`.
    pub fn new(settings: Settings, runtime: Arc<Runtime>) -> Self {
        let printer = Printer::new(settings.output, settings.quiet);
        Context {
            settings,
            printer,
            runtime,
        }
    }

    /// The same context, printing tables without headers when `no_headers` (`--no-headers`).
    #[must_use]
    pub fn with_no_headers(mut self, no_headers: bool) -> Self {
        self.printer = self.printer.with_no_headers(no_headers);
        self
    }

    /// Runs a future to completion on the command's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}
