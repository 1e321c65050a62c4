//! A small forwarding proxy in front of the emulator, for fault tests and benchmarks: it
//! forwards every request to moto and hands back moto's answer, except where a rule injects a
//! fault — throttling or a 5xx before the request reaches moto, a 5xx or a reset after moto has
//! acted on it (the ambiguous case), or latency — or, paced, where a request goes over AWS's
//! published rate for its API: that one is answered ThrottlingException, as AWS would. It never
//! answers in moto's place otherwise, and counts what it forwarded and throttled per API.
//! Loopback only, bounded: it stops when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer ThrottlingException without forwarding.
    Throttle,
    /// Answer 500 without forwarding.
    ServerErrorBefore,
    /// Forward (moto acts), then answer 500 instead of moto's answer.
    ServerErrorAfter,
    /// Close the connection without forwarding.
    ResetBefore,
    /// Forward (moto acts), then close the connection without an answer.
    ResetAfter,
    /// Forward after a pause.
    Latency(Duration),
}

/// A fault for the `nth` (1-based) request of `operation` (`*`: any), or for every one (`nth` 0).
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub operation: &'static str,
    pub nth: usize,
    pub fault: Fault,
}

struct State {
    rules: Vec<Rule>,
    seen: std::collections::BTreeMap<String, usize>,
    injected: Vec<(String, Fault)>,
    /// Token buckets at the published rates, by bucket; None: not paced.
    buckets: Option<std::collections::HashMap<String, Bucket>>,
    counts: std::collections::BTreeMap<String, Counts>,
    /// Whether a request that changes something has been forwarded since the counts were taken.
    written: bool,
}

/// Requests of one API (`service.Operation`) the proxy forwarded, and answered as throttled;
/// and of those forwarded, how many came after the first request that changes something (a
/// command cannot change anything before it has read what to change).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub forwarded: u64,
    pub throttled: u64,
    pub after_first_write: u64,
}

/// Whether an operation changes something, by its verb.
pub(crate) fn is_write(operation: &str) -> bool {
    const VERBS: [&str; 16] = [
        "Create",
        "Update",
        "Delete",
        "Attach",
        "Detach",
        "Move",
        "Enable",
        "Disable",
        "Tag",
        "Untag",
        "Register",
        "Deregister",
        "Provision",
        "Put",
        "Close",
        "Invite",
    ];
    VERBS.iter().any(|verb| operation.starts_with(verb))
}

/// A rate AWS publishes: calls per second sustained, and burst; `shared` where every API of the
/// service draws from one budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Published {
    pub rate: f64,
    pub burst: f64,
    pub shared: bool,
}

impl Published {
    /// The bucket an API (`service.Operation`) at this rate draws from.
    pub(crate) fn bucket(self, api: &str) -> &str {
        if self.shared { api.split('.').next().unwrap_or(api) } else { api }
    }
}

/// AWS's published request rates for the APIs lzctl calls (per account), written down here from
/// AWS's documentation and not taken from lzctl, so lzctl's pacing is checked against them
/// rather than against itself. None: AWS publishes no rate (not limited here).
pub(crate) fn published(api: &str) -> Option<Published> {
    let own = |rate, burst| Some(Published { rate, burst, shared: false });
    let (service, operation) = api.split_once('.')?;
    match (service, operation) {
        // Identity Center: one budget for every API; the identity store publishes none, and is
        // treated alike.
        ("sso-admin" | "identitystore", _) => Some(Published { rate: 20.0, burst: 20.0, shared: true }),
        ("organizations", "ListRoots" | "DescribeOrganization") => own(1.0, 2.0),
        ("organizations", "ListAccounts") => own(8.0, 12.0),
        ("organizations", "ListChildren") => own(6.0, 10.0),
        (
            "organizations",
            "ListParents"
            | "ListAccountsForParent"
            | "ListOrganizationalUnitsForParent"
            | "ListPolicies"
            | "ListPoliciesForTarget"
            | "ListTargetsForPolicy",
        ) => own(5.0, 8.0),
        ("organizations", "DescribePolicy" | "DescribeOrganizationalUnit") => own(2.0, 2.0),
        ("organizations", "DescribeAccount") => own(20.0, 30.0),
        ("organizations", "ListTagsForResource") => own(10.0, 15.0),
        (
            "organizations",
            "CreatePolicy"
            | "UpdatePolicy"
            | "DeletePolicy"
            | "AttachPolicy"
            | "DetachPolicy"
            | "UpdateOrganizationalUnit"
            | "DeleteOrganizationalUnit"
            | "MoveAccount",
        ) => own(2.0, 3.0),
        ("organizations", "CreateOrganizationalUnit") => own(1.0, 2.0),
        ("organizations", "TagResource" | "UntagResource") => own(4.0, 6.0),
        ("organizations", "EnablePolicyType") => own(1.0, 1.0),
        ("organizations", "CreateAccount") => own(0.1, 3.0),
        _ => None,
    }
}

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// Takes a token if there is one.
    fn take(&mut self, now: Instant) -> bool {
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub(crate) struct Proxy {
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) on a free loopback port.
    pub(crate) fn start(upstream: &str, rules: Vec<Rule>) -> Proxy {
        Proxy::start_with(upstream, rules, None)
    }

    /// Starts a proxy that holds every API to AWS's published rate: a request over it is
    /// answered ThrottlingException instead of being forwarded.
    pub(crate) fn paced(upstream: &str) -> Proxy {
        Proxy::start_with(upstream, Vec::new(), Some(Default::default()))
    }

    fn start_with(
        upstream: &str,
        rules: Vec<Rule>,
        buckets: Option<std::collections::HashMap<String, Bucket>>,
    ) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let state = Arc::new(Mutex::new(State {
            rules,
            seen: Default::default(),
            injected: Vec::new(),
            buckets,
            counts: Default::default(),
            written: false,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (state2, stop2) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let (state, upstream) = (state2.clone(), upstream.clone());
                        std::thread::spawn(move || serve(client, &upstream, &state));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Proxy { url, state, stop }
    }

    /// The faults injected so far, by operation.
    pub(crate) fn injected(&self) -> Vec<(String, Fault)> {
        self.state.lock().unwrap().injected.clone()
    }

    /// What was forwarded and throttled per API (`service.Operation`) since the last call: one
    /// command's worth, when called between commands.
    pub(crate) fn take_counts(&self) -> std::collections::BTreeMap<String, Counts> {
        let mut state = self.state.lock().unwrap();
        state.written = false;
        std::mem::take(&mut state.counts)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// One HTTP/1.1 request as read: its head and body.
struct Request {
    head: String,
    body: Vec<u8>,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { head, body })
}

/// The API a request calls, `service.Operation`: the service from `X-Amz-Target`'s prefix, or
/// from the query protocol's `Version=`.
fn api(request: &Request, operation: &str) -> String {
    let header =
        |name: &str| request.head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)));
    let service = match header("x-amz-target").map(|(_, v)| v.trim().split('.').next().unwrap_or_default()) {
        Some("AWSOrganizationsV20161128") => "organizations",
        Some("SWBExternalService") => "sso-admin",
        Some("AWSIdentityStore") => "identitystore",
        Some("StarlingDoveService") => "config",
        Some(_) => "other",
        None => match String::from_utf8_lossy(&request.body).split('&').find_map(|p| p.strip_prefix("Version=")) {
            Some("2010-05-15") => "cloudformation",
            Some("2011-06-15") => "sts",
            _ => "other",
        },
    };
    format!("{service}.{operation}")
}

/// The operation a request names: `X-Amz-Target`'s last part, or `Action=` in the body.
fn operation(request: &Request) -> String {
    let target = request
        .head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("x-amz-target")))
        .map(|(_, v)| v.trim().rsplit('.').next().unwrap_or_default().to_string());
    target.unwrap_or_else(|| {
        String::from_utf8_lossy(&request.body)
            .split('&')
            .find_map(|p| p.strip_prefix("Action="))
            .unwrap_or("unknown")
            .to_string()
    })
}

/// Counts the request; true where a paced proxy must throttle it.
fn over_rate(state: &Mutex<State>, api: &str) -> bool {
    let mut state = state.lock().unwrap();
    let State { buckets, counts, written, .. } = &mut *state;
    let limited = match (buckets.as_mut(), published(api)) {
        (Some(buckets), Some(p)) => {
            let bucket = buckets.entry(p.bucket(api).to_string()).or_insert_with(|| Bucket {
                rate: p.rate,
                burst: p.burst,
                tokens: p.burst,
                last: Instant::now(),
            });
            !bucket.take(Instant::now())
        }
        _ => false,
    };
    let count = counts.entry(api.to_string()).or_default();
    if limited {
        count.throttled += 1;
    } else {
        *written |= is_write(api.split_once('.').map_or(api, |(_, operation)| operation));
        count.forwarded += 1;
        count.after_first_write += u64::from(*written);
    }
    limited
}

fn fault_for(state: &Mutex<State>, operation: &str) -> Option<Fault> {
    let mut state = state.lock().unwrap();
    let n = {
        let seen = state.seen.entry(operation.to_string()).or_default();
        *seen += 1;
        *seen
    };
    let fault = state
        .rules
        .iter()
        .find(|r| (r.operation == operation || r.operation == "*") && (r.nth == 0 || r.nth == n))
        .map(|r| r.fault);
    if let Some(fault) = fault {
        state.injected.push((operation.to_string(), fault));
    }
    fault
}

/// Sends a request to moto on a connection of its own; returns moto's whole answer.
fn forward(upstream: &str, request: &Request) -> Option<Vec<u8>> {
    let mut moto = TcpStream::connect(upstream).ok()?;
    moto.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    // One request per upstream connection: moto closes it after answering.
    let head: String = request
        .head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect();
    moto.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes()).ok()?;
    moto.write_all(&request.body).ok()?;
    let mut answer = Vec::new();
    moto.read_to_end(&mut answer).ok()?;
    // Tell the client this connection ends here, as the proxy closes it after each answer.
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&answer[..end]).to_string();
    let head: String = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let mut out = format!("{head}Connection: close\r\n\r\n").into_bytes();
    out.extend_from_slice(&answer[end + 4..]);
    Some(out)
}

fn error(status: &str, code: &str) -> Vec<u8> {
    let body = format!(r#"{{"__type":"{code}","message":"injected by the test proxy"}}"#);
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves one request on the connection, then closes it (the answer says so).
fn serve(client: TcpStream, upstream: &str, state: &Mutex<State>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(60)));
    let mut writer = client.try_clone().expect("a second handle");
    let mut reader = BufReader::new(client);
    if let Some(request) = read_request(&mut reader) {
        let operation = operation(&request);
        if over_rate(state, &api(&request, &operation)) {
            let _ = writer.write_all(&error("400 Bad Request", "ThrottlingException"));
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
        let answer = match fault_for(state, &operation) {
            Some(Fault::Throttle) => Some(error("400 Bad Request", "ThrottlingException")),
            Some(Fault::ServerErrorBefore) => Some(error("500 Internal Server Error", "InternalFailure")),
            Some(Fault::ResetBefore) => None,
            Some(Fault::ServerErrorAfter) => {
                let _ = forward(upstream, &request);
                Some(error("500 Internal Server Error", "InternalFailure"))
            }
            Some(Fault::ResetAfter) => {
                let _ = forward(upstream, &request);
                None
            }
            Some(Fault::Latency(pause)) => {
                std::thread::sleep(pause);
                forward(upstream, &request)
            }
            None => forward(upstream, &request),
        };
        if let Some(answer) = answer {
            let _ = writer.write_all(&answer);
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}
