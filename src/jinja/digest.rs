//! Encodings and digests: `b64encode`, `b64decode`, `hash`, `checksum`,
//! `md5`, `sha1` and `to_uuid`, as Ansible computes them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::Md5;
use minijinja::{Environment, Error, Value};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::filters::invalid;

pub(super) fn register(env: &mut Environment<'_>) {
    env.add_filter("b64encode", b64encode);
    env.add_filter("b64decode", b64decode);
    env.add_filter("hash", hash);
    env.add_filter("checksum", |data: &Value| hex::<Sha1>(&text(data)));
    env.add_filter("sha1", |data: &Value| hex::<Sha1>(&text(data)));
    env.add_filter("md5", |data: &Value| hex::<Md5>(&text(data)));
    env.add_filter("to_uuid", to_uuid);
}

/// Python's `str()` of a value, the text Ansible's filters encode.
fn text(value: &Value) -> String {
    value.to_string()
}

fn hex<D: Digest>(data: &str) -> String {
    hex_bytes(&D::digest(data.as_bytes()))
}

fn hex_bytes(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

fn check_encoding(encoding: Option<&str>) -> Result<(), Error> {
    match encoding.map(|name| name.to_ascii_lowercase().replace('_', "-")) {
        None => Ok(()),
        Some(name) if name == "utf-8" || name == "utf8" => Ok(()),
        Some(name) => Err(invalid(format!(
            "encoding `{name}` is not supported; scaffold encodes text as UTF-8"
        ))),
    }
}

fn b64encode(data: &Value, encoding: Option<&str>) -> Result<String, Error> {
    check_encoding(encoding)?;
    Ok(STANDARD.encode(text(data)))
}

fn b64decode(data: &str, encoding: Option<&str>) -> Result<String, Error> {
    check_encoding(encoding)?;
    let cleaned: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD
        .decode(cleaned)
        .map_err(|err| invalid(format!("b64decode: {err}")))?;
    String::from_utf8(bytes).map_err(|_| invalid("b64decode: the decoded bytes are not UTF-8 text"))
}

/// `hash(data, hashtype="sha1")`: `None` for an algorithm Python lacks.
fn hash(data: &Value, hashtype: Option<&str>) -> Value {
    let data = text(data);
    Value::from(
        match hashtype.unwrap_or("sha1").to_ascii_lowercase().as_str() {
            "sha1" => hex::<Sha1>(&data),
            "md5" => hex::<Md5>(&data),
            "sha224" => hex::<Sha224>(&data),
            "sha256" => hex::<Sha256>(&data),
            "sha384" => hex::<Sha384>(&data),
            "sha512" => hex::<Sha512>(&data),
            _ => return Value::from(()),
        },
    )
}

/// `uuid.uuid5(UUID_NAMESPACE, str(value))` with Ansible's namespace.
fn to_uuid(value: &Value) -> String {
    const NAMESPACE: [u8; 16] = [
        0x20, 0x85, 0x1c, 0x88, 0xac, 0x15, 0x44, 0x9f, 0x9e, 0xe7, 0x74, 0x82, 0x91, 0x05, 0xda,
        0x86,
    ];
    let mut hasher = Sha1::new();
    hasher.update(NAMESPACE);
    hasher.update(text(value).as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex_bytes(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
