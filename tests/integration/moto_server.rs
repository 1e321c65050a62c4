//! Starting the pinned emulator (moto server, from the project's `.venv`) on a free loopback
//! port and waiting until it answers, and SDK clients for it: for the tests' harness and for the
//! benchmark.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An SDK client of the given crate for the emulator at `url`, signing with the dummy access
/// key `key`.
macro_rules! client {
    ($sdk:ident, $url:expr, $key:expr) => {
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version($sdk::config::BehaviorVersion::latest())
                .region($sdk::config::Region::new("us-east-1"))
                .endpoint_url($url)
                .credentials_provider($sdk::config::Credentials::new($key, $key, None, None, "emulator"))
                .http_client($crate::moto_server::http_client())
                .build(),
        )
    };
}

/// The HTTP client the SDK clients for the emulator share (rustls on ring, as lzctl's).
pub(crate) fn http_client() -> aws_sdk_organizations::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

fn moto_server() -> PathBuf {
    let path = std::env::var_os("LZCTL_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server"));
    assert!(
        path.exists(),
        "{} is missing: run `make test` (it installs the pinned emulator into .venv)",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a loopback port").local_addr().unwrap().port()
}

/// One plain HTTP request to the emulator on `port`; its whole answer.
pub(crate) fn http(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// Starts moto with `env`, its log in `dir`; the process and its URL once it answers.
pub(crate) fn start(dir: &Path, env: &[(&str, &OsStr)]) -> (Child, String) {
    for _ in 0..3 {
        let port = free_port();
        let log = std::fs::File::create(dir.join("moto.log")).unwrap();
        let mut child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start moto_server");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = http(port, "GET", "/moto-api/")
                && r.starts_with("HTTP/1.")
            {
                return (child, format!("http://127.0.0.1:{port}"));
            }
            if child.try_wait().ok().flatten().is_some() {
                break; // the port was taken in between: try another
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("moto_server did not start; see its log in {}", dir.display());
}
