//! [`Context`]: what every command receives besides its own arguments.

use crate::cli::output::Printer;
use crate::config::Settings;

/// Resolved settings and the printer, built once by [`crate::cli::run`].
#[derive(Debug, Clone)]
pub struct Context {
    /// Flags > environment > config file > defaults, already resolved.
    pub settings: Settings,
    /// The one owner of stdout and stderr.
    pub printer: Printer,
}

impl Context {
    /// A context whose printer follows the settings' output format and `-q`.
    pub fn new(settings: Settings) -> Self {
        let printer = Printer::new(settings.output, settings.quiet);
        Context { settings, printer }
    }
}
