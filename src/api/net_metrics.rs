//! Connection metrics of the listeners (see `crate::net`): open connections and their cap,
//! connections refused above the cap, connections closed by a timeout, failed accepts, and the
//! process's open-files limit and open descriptors, read at scrape time.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::registry::Registry;

/// `listener` label: `api` or `metrics`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ListenerLabel {
    listener: &'static str,
}

/// `listener` and `reason` labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ListenerReason {
    listener: &'static str,
    reason: &'static str,
}

/// The connection metrics, shared by every listener.
#[derive(Debug, Default)]
pub struct NetMetrics {
    open: Family<ListenerLabel, Gauge>,
    limit: Family<ListenerLabel, Gauge>,
    refused: Family<ListenerReason, Counter>,
    timeouts: Family<ListenerReason, Counter>,
    accept_errors: Family<ListenerReason, Counter>,
}

impl NetMetrics {
    /// Registers every metric in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "connections_open",
            "Open client connections, by listener (TLS handshakes included)",
            self.open.clone(),
        );
        registry.register(
            "connections_limit",
            "Most connections a listener keeps open (--max-connections on the api listener)",
            self.limit.clone(),
        );
        registry.register(
            "connections_refused",
            "Connections refused above the limit: answered 503 (limit) or closed unanswered when \
             too many refusals are already under way (limit_unanswered)",
            self.refused.clone(),
        );
        registry.register(
            "connection_timeouts",
            "Connections closed or requests answered 408 by a timeout: idle keep-alive, request \
             header, request body, TLS handshake",
            self.timeouts.clone(),
        );
        registry.register(
            "accept_errors",
            "Failed accepts, by kind (fd_limit: out of file descriptors; other)",
            self.accept_errors.clone(),
        );
        registry.register_collector(Box::new(FdCollector));
    }

    /// The open-connections gauge of `listener`.
    pub fn open(&self, listener: &'static str) -> Gauge {
        self.open.get_or_create(&ListenerLabel { listener }).clone()
    }

    /// Records the connection cap of `listener`.
    pub fn set_limit(&self, listener: &'static str, limit: usize) {
        self.limit
            .get_or_create(&ListenerLabel { listener })
            .set(i64::try_from(limit).unwrap_or(i64::MAX));
    }

    /// Counts a connection refused above the cap.
    pub fn refused(&self, listener: &'static str, reason: &'static str) {
        self.refused
            .get_or_create(&ListenerReason { listener, reason })
            .inc();
    }

    /// Counts a timeout (`idle`, `header`, `body`, `tls_handshake`).
    pub fn timeout(&self, listener: &'static str, reason: &'static str) {
        self.timeouts
            .get_or_create(&ListenerReason { listener, reason })
            .inc();
    }

    /// Counts a failed accept (`fd_limit` or `other`).
    pub fn accept_error(&self, listener: &'static str, reason: &'static str) {
        self.accept_errors
            .get_or_create(&ListenerReason { listener, reason })
            .inc();
    }
}

/// `process_max_fds` and `process_open_fds`, read at scrape time (the names of the usual
/// Prometheus process collector).
#[derive(Debug)]
struct FdCollector;

impl Collector for FdCollector {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let max = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .unwrap_or(u64::MAX);
        let open = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
        let gauges: [(&str, &str, i64); 2] = [
            (
                "process_max_fds",
                "The soft open-files limit (raised to the hard limit at start)",
                i64::try_from(max).unwrap_or(i64::MAX),
            ),
            (
                "process_open_fds",
                "Open file descriptors (0 where /proc is not available)",
                i64::try_from(open).unwrap_or(i64::MAX),
            ),
        ];
        for (name, help, v) in gauges {
            let g = ConstGauge::new(v);
            g.encode(enc.encode_descriptor(name, help, None, g.metric_type())?)?;
        }
        Ok(())
    }
}
