// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/mesh/proxy_protocol.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace meshcraft::core::net {

/// Where a virtual IP:port is really served, as the simulated network would deliver a SYN.
struct Route
{
    enum class Kind {
        Endpoint,      ///< a plain loopback server (a redis-server): connect, send bytes as-is
        ProxyListener, ///< a proxy's loopback listener: connect, then write a PROXY v2 header
        Refused,       ///< the host exists but nothing listens there: RST at once
        Unroutable,    ///< no such host: the SYN is lost, connect times out
    };

    Kind kind = Kind::Unroutable;
    std::uint16_t loopbackPort = 0; ///< the real 127.0.0.1 port, for Endpoint and ProxyListener
    /// The virtual destination after kube-proxy's DNAT (a ClusterIP becomes a pod IP); this is
    /// what a PROXY header names.
    Address destination;
};

/// The simulated VPC and pod network: virtual IPv4:port -> real loopback port.
///
/// Thread-safe. Each change publishes a new immutable table; a lookup copies one shared_ptr under
/// a short lock and then reads without locks, so the relay's per-connection lookups stay cheap
/// while the topology changes.
class AddressMap
{
public:
    AddressMap();
    ~AddressMap();
    AddressMap(const AddressMap &) = delete;
    AddressMap &operator=(const AddressMap &) = delete;

    /// A server reached directly (no PROXY header), e.g. Memorystore's 10.59.118.59:6379.
    void setEndpoint(Address address, std::uint16_t loopbackPort);
    /// A proxy listener that expects a PROXY v2 header (an egress gateway port).
    void setProxyListener(Address address, std::uint16_t loopbackPort);
    void remove(Address address);

    /// A host that exists: its unmapped ports refuse instead of timing out.
    void addHost(std::uint32_t ip);
    /// Forgets the host, its ports, its captures and DNAT entries pointing at it.
    void removeHost(std::uint32_t ip);

    /// All TCP to `podIp` goes through its sidecar's inbound (15006-role) listener.
    void setInboundCapture(std::uint32_t podIp, std::uint16_t loopbackPort);
    /// All TCP from `podIp` goes through its sidecar's outbound (15001-role) listener.
    void setOutboundCapture(std::uint32_t podIp, std::uint16_t loopbackPort);
    void clearCaptures(std::uint32_t podIp);
    /// kube-proxy: connections to `service` (a ClusterIP:port) go to `backend` (pod IP:port).
    void setServiceBackend(Address service, Address backend);
    void removeServiceBackend(Address service);

    /// Where a connection to `destination` lands. `bypassInboundCapture` is for a sidecar
    /// connecting to its own pod's app (Envoy's UID 1337 is exempt from the redirect).
    Route resolve(Address destination, bool bypassInboundCapture = false) const;
    /// The outbound capture port of a pod with a sidecar; 0 when it has none.
    std::uint16_t outboundCapture(std::uint32_t podIp) const;

private:
    struct Table;
    std::shared_ptr<const Table> table() const;
    template <typename Edit> void edit(Edit &&change);

    mutable std::mutex m_readMutex;
    std::mutex m_writeMutex;
    std::shared_ptr<const Table> m_table;
};

} // namespace meshcraft::core::net
