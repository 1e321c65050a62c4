//! A small forwarding proxy in front of the emulator, for fault tests: it forwards every request
//! to moto and hands back moto's answer, except where a rule injects a fault — throttling or a
//! 5xx before the request reaches moto, a 5xx or a reset after moto has acted on it (the
//! ambiguous case), or latency. It never answers in moto's place otherwise. Loopback only,
//! bounded: it stops when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
}

pub(crate) struct Proxy {
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) on a free loopback port.
    pub(crate) fn start(upstream: &str, rules: Vec<Rule>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let state = Arc::new(Mutex::new(State { rules, seen: Default::default(), injected: Vec::new() }));
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
        let answer = match fault_for(state, &operation(&request)) {
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
