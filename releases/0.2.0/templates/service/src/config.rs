//! Settings from the environment, validated once at start so a typo fails fast
//! with a message that names the variable, instead of surfacing later as a bind error.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, SocketAddr},
};

use tracing_subscriber::EnvFilter;

/// Address the service binds when `HOST` is unset.
pub const DEFAULT_HOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Port the service binds when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 8000;
/// Log filter used when `RUST_LOG` is unset.
pub const DEFAULT_LOG_FILTER: &str = "info";

/// The service's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// IP address to bind (`HOST`).
    pub host: IpAddr,
    /// TCP port to bind, 0 for any free port (`PORT`).
    pub port: u16,
    /// `tracing_subscriber::EnvFilter` directives (`RUST_LOG`).
    pub log_filter: String,
}

/// A setting whose value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    InvalidHost { value: String },
    InvalidPort { value: String },
    InvalidLogFilter { value: String, reason: String },
}

impl Config {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| {
            std::env::var_os(key).map(|value| value.to_string_lossy().into_owned())
        })
    }

    /// Reads the settings through `lookup`, which returns a variable's value or `None`
    /// when it is unset. An empty value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let read = |key: &str| lookup(key).filter(|value| !value.is_empty());

        let host = match read("HOST") {
            None => DEFAULT_HOST,
            Some(value) => value
                .parse()
                .map_err(|_| ConfigError::InvalidHost { value })?,
        };
        let port = match read("PORT") {
            None => DEFAULT_PORT,
            Some(value) => value
                .parse()
                .map_err(|_| ConfigError::InvalidPort { value })?,
        };
        let log_filter = match read("RUST_LOG") {
            None => DEFAULT_LOG_FILTER.to_owned(),
            Some(value) => match EnvFilter::try_new(&value) {
                Ok(_) => value,
                Err(error) => {
                    return Err(ConfigError::InvalidLogFilter {
                        value,
                        reason: error.to_string(),
                    });
                }
            },
        };

        Ok(Self {
            host,
            port,
            log_filter,
        })
    }

    /// The address to bind.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidHost { value } => write!(
                f,
                "HOST must be an IP address such as 127.0.0.1 or 0.0.0.0, got {value:?}"
            ),
            Self::InvalidPort { value } => {
                write!(f, "PORT must be a number from 0 to 65535, got {value:?}")
            }
            Self::InvalidLogFilter { value, reason } => {
                write!(
                    f,
                    "RUST_LOG must be a log filter such as info or {}=debug, got {value:?}: {reason}",
                    env!("CARGO_CRATE_NAME")
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|key| {
            vars.iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn unset_variables_give_the_defaults() {
        let config = config_from(&[]).unwrap();
        assert_eq!(config.socket_addr(), "127.0.0.1:8000".parse().unwrap());
        assert_eq!(config.log_filter, "info");
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let config = config_from(&[("HOST", ""), ("PORT", ""), ("RUST_LOG", "")]).unwrap();
        assert_eq!(config, config_from(&[]).unwrap());
    }

    #[test]
    fn set_variables_override_the_defaults() {
        let config = config_from(&[("HOST", "::"), ("PORT", "0"), ("RUST_LOG", "warn")]).unwrap();
        assert_eq!(config.socket_addr(), "[::]:0".parse().unwrap());
        assert_eq!(config.log_filter, "warn");
    }

    #[test]
    fn a_port_that_is_not_a_number_is_refused_with_its_value() {
        let error = config_from(&[("PORT", "abc")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"PORT must be a number from 0 to 65535, got "abc""#
        );
    }

    #[test]
    fn a_port_above_65535_is_refused() {
        let error = config_from(&[("PORT", "65536")]).unwrap_err();
        assert_eq!(
            error,
            ConfigError::InvalidPort {
                value: "65536".to_owned()
            }
        );
    }

    #[test]
    fn a_host_name_is_refused_because_host_must_be_an_ip_address() {
        let error = config_from(&[("HOST", "localhost")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"HOST must be an IP address such as 127.0.0.1 or 0.0.0.0, got "localhost""#
        );
    }

    #[test]
    fn an_invalid_log_filter_is_refused_with_the_parser_reason() {
        let error = config_from(&[("RUST_LOG", "demo=loud")]).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::InvalidLogFilter { ref value, .. } if value == "demo=loud"
        ));
        assert!(
            error
                .to_string()
                .starts_with("RUST_LOG must be a log filter")
        );
    }
}
