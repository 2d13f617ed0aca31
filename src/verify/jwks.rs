//! JWKS endpoints: fetched over HTTP(S) with the controller's limits, cached per URL, refetched
//! at most once a second when a token names an unknown kid.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use super::jwk_set::{self, JwkSet, StoppedAt};
use super::keys::PublicKey;
use crate::model::address;

/// Whole-request timeout.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest JWKS body read: extjwt's own safety cap (the controller reads any size).
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// Redirects followed.
pub const MAX_REDIRECTS: u32 = 5;
/// Shortest time between two fetches of one URL.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(1);
const CONTENT_TYPES: [&str; 3] = [
    "application/json",
    "application/jwk-set+json",
    "application/jwk+json",
];

/// Turns a host and port into addresses; swapped only by tests that need a name to resolve
/// somewhere the machine's resolver cannot be made to point.
pub type HostLookup = fn(&str, u16) -> io::Result<Vec<SocketAddr>>;

fn system_lookup(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    Ok((host, port).to_socket_addrs()?.collect())
}

/// The result of looking a kid up in the cache.
#[derive(Debug, Clone)]
pub enum KeyLookup {
    /// The key.
    Found {
        /// The key.
        key: PublicKey,
        /// True when the set no longer publishes it but an earlier fetch did: a running
        /// controller still holds such a key until it restarts.
        retired: bool,
    },
    /// The set was fetched recently and has no such kid.
    NotFound {
        /// The kids the set does have.
        known: Vec<String>,
        /// The key that stopped the controller's resolution, if one did.
        stopped: Option<StoppedAt>,
        /// True when the kid is in the set, after the key that stopped resolution.
        after_stop: bool,
    },
    /// The last fetch failed recently; the cause.
    Unavailable(String),
    /// Nothing usable is cached: fetch first.
    NeedsFetch,
}

struct CachedSet {
    fetched_at: Instant,
    /// Marked by [`KeyCache::mark_stale`]: the next lookup asks for a fetch.
    stale: bool,
    outcome: Result<JwkSet, String>,
    /// Keys earlier fetches resolved, kept as the controller keeps them (until restart).
    seen: HashMap<String, PublicKey>,
}

/// Verification keys: JWKS sets fetched per URL, and certificate keys parsed once per
/// fingerprint. Shared by the verifier and the console's worker thread.
pub struct KeyCache {
    sets: Mutex<HashMap<String, CachedSet>>,
    certificate_keys: Mutex<HashMap<String, PublicKey>>,
    // Built on the first fetch: setting up TLS costs more than a whole certificate verify.
    agent: std::sync::OnceLock<ureq::Agent>,
    lookup: HostLookup,
    policy: address::JwksFetchPolicy,
}

impl Default for KeyCache {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug)]
struct GuardedResolver {
    lookup: HostLookup,
    policy: address::JwksFetchPolicy,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().ok_or(ureq::Error::HostNotFound)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        let refused = |why: String| {
            ureq::Error::Io(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{why}; refused before connecting"),
            ))
        };
        // The host gate runs here too, so every redirect hop passes it.
        self.policy.check_hostname(host).map_err(refused)?;
        let addresses = (self.lookup)(host, port)?;
        tracing::debug!(
            host = %crate::text::escape(host),
            addresses = ?addresses,
            "resolved JWKS host"
        );
        // One bad address refuses the host: a name that points anywhere near the metadata
        // service is not one a controller should trust.
        for a in &addresses {
            self.policy
                .check_ip(a.ip())
                .map_err(|why| refused(format!("{host} resolves to {}: {why}", a.ip())))?;
        }
        let mut resolved = self.empty();
        for a in addresses.into_iter().take(16) {
            resolved.push(a);
        }
        if resolved.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(resolved)
    }
}

impl KeyCache {
    /// A cache that resolves names with the system resolver.
    pub fn new() -> Self {
        Self::with_lookup(system_lookup)
    }

    /// A cache that resolves names with `lookup` (for tests).
    pub fn with_lookup(lookup: HostLookup) -> Self {
        KeyCache {
            sets: Mutex::new(HashMap::new()),
            certificate_keys: Mutex::new(HashMap::new()),
            agent: std::sync::OnceLock::new(),
            lookup,
            policy: address::JwksFetchPolicy::default(),
        }
    }

    /// A cache that fetches under the controller's `jwksFetch` policy (the config file's).
    pub fn with_policy(policy: address::JwksFetchPolicy) -> Self {
        KeyCache {
            policy,
            ..Self::new()
        }
    }

    fn agent(&self) -> &ureq::Agent {
        self.agent
            .get_or_init(|| Self::build_agent(self.lookup, self.policy.clone()))
    }

    fn build_agent(lookup: HostLookup, policy: address::JwksFetchPolicy) -> ureq::Agent {
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .unversioned_rustls_crypto_provider(std::sync::Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(FETCH_TIMEOUT))
            .max_redirects(MAX_REDIRECTS)
            .http_status_as_error(false)
            // A proxy would resolve the host itself, past the address guard.
            .proxy(None)
            .tls_config(tls)
            .user_agent(concat!("extjwt/", env!("CARGO_PKG_VERSION")))
            .build();
        ureq::Agent::with_parts(
            config,
            DefaultConnector::new(),
            GuardedResolver { lookup, policy },
        )
    }

    /// Looks `kid` up in what was fetched from `url`, without any I/O.
    pub fn lookup(&self, url: &str, kid: &str) -> KeyLookup {
        self.lookup_in(url, kid, false)
    }

    /// Like [`lookup`](Self::lookup), but whatever was fetched counts as current: an unknown
    /// kid is not found rather than a reason to fetch again (a batch fetches each set once).
    pub fn lookup_settled(&self, url: &str, kid: &str) -> KeyLookup {
        self.lookup_in(url, kid, true)
    }

    fn lookup_in(&self, url: &str, kid: &str, settled: bool) -> KeyLookup {
        let sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        let Some(set) = sets.get(url) else {
            return KeyLookup::NeedsFetch;
        };
        let fresh = settled || (!set.stale && set.fetched_at.elapsed() < REFETCH_INTERVAL);
        match &set.outcome {
            Ok(keys) => match keys.keys.get(kid) {
                Some(key) => KeyLookup::Found {
                    key: key.clone(),
                    retired: false,
                },
                None if fresh => match set.seen.get(kid) {
                    Some(key) => KeyLookup::Found {
                        key: key.clone(),
                        retired: true,
                    },
                    None => KeyLookup::NotFound {
                        known: keys.order.clone(),
                        stopped: keys.stopped.clone(),
                        after_stop: keys.never_loaded.iter().any(|k| k == kid),
                    },
                },
                None => KeyLookup::NeedsFetch,
            },
            Err(cause) if fresh => KeyLookup::Unavailable(cause.clone()),
            Err(_) => KeyLookup::NeedsFetch,
        }
    }

    /// Makes every fetched set due for a refetch (the console's reload key); what was fetched
    /// stays usable by [`lookup_settled`](Self::lookup_settled) meanwhile.
    pub fn mark_stale(&self) {
        let mut sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        for set in sets.values_mut() {
            set.stale = true;
        }
    }

    /// The set last fetched from `url`, or why it could not be used (None before any fetch).
    pub fn set(&self, url: &str) -> Option<Result<JwkSet, String>> {
        let sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        sets.get(url).map(|s| s.outcome.clone())
    }

    /// The public key of the certificate with this SHA-1 `fingerprint`, parsing `pem` only the
    /// first time (a certificate never changes under its fingerprint).
    pub fn certificate_key(&self, fingerprint: &str, pem: &str) -> Result<PublicKey, String> {
        let mut keys = self
            .certificate_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(key) = keys.get(fingerprint) {
            return Ok(key.clone());
        }
        let details = crate::model::CertificateDetails::from_pem(pem)?;
        let key = PublicKey::from_certificate_der(&details.der)?;
        if details.fingerprint == fingerprint {
            keys.insert(details.fingerprint, key.clone());
        }
        Ok(key)
    }

    /// Fetches `url` now (blocking, at most [`FETCH_TIMEOUT`]) and caches the outcome, success
    /// or failure, so a dead endpoint is not hammered on every keystroke.
    pub fn fetch(&self, url: &str) -> Result<(), String> {
        let started = Instant::now();
        let shown_url = crate::text::escape(url).into_owned();
        tracing::info!(url = %shown_url, "fetching JWKS");
        let outcome = self.download(url);
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &outcome {
            Ok(set) => tracing::info!(
                url = %shown_url,
                keys = set.order.len(),
                stopped = set.stopped.is_some(),
                elapsed_ms,
                "JWKS fetched"
            ),
            Err(cause) => tracing::warn!(
                url = %shown_url,
                error = %crate::text::escape(cause),
                elapsed_ms,
                "JWKS fetch failed"
            ),
        }
        let result = outcome.as_ref().map(|_| ()).map_err(Clone::clone);
        let mut sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        let mut seen = sets.remove(url).map(|old| old.seen).unwrap_or_default();
        if let Ok(set) = &outcome {
            seen.extend(set.keys.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        sets.insert(
            url.to_string(),
            CachedSet {
                fetched_at: Instant::now(),
                stale: false,
                outcome,
                seen,
            },
        );
        result
    }

    fn download(&self, url: &str) -> Result<JwkSet, String> {
        let mut response = self
            .agent()
            .get(url)
            .header("Accept", "application/jwk-set+json, application/json")
            .call()
            .map_err(|e| format!("fetching {url} failed: {e}"))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(format!("{url} answered HTTP {status}, not 200"));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !CONTENT_TYPES.contains(&content_type.as_str()) {
            return Err(format!(
                "{url} answered with content type \"{content_type}\", not JSON (application/json or application/jwk-set+json)"
            ));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => format!(
                    "the JWKS at {url} is larger than 16 MiB, extjwt's safety cap (the controller has no cap and would read it)"
                ),
                other => format!("reading {url} failed: {other}"),
            })?;
        jwk_set::read(&body).map_err(|e| format!("{url}: {e}"))
    }
}
