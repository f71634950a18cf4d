//! Loopback ports for engine instances.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};

/// A port that was free a moment ago. The engine binds it right after, so the window for another
/// process to take it is tiny; if it happens the engine fails to start and says so in its log.
pub fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

pub fn is_port_free(port: u16) -> bool {
    TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_port_is_not_free() {
        let port = free_port().unwrap();
        let _held = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).unwrap();
        assert!(!is_port_free(port));
    }
}
