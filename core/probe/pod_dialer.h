// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"
#include "core/mesh/capture.h"
#include "core/xds/match.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace meshcraft::core::probe {

/// How a process inside a pod reaches a host: the pod's DNS, then a connection captured as the
/// pod's own (through its sidecar when it has one). Shared by the probes and the cart service.
/// Thread-safe; dial() blocks, so call it from a worker thread.
class PodDialer
{
public:
    /// `resolver` is the pod's DNS (D8): cluster names resolve (short names in the pod's
    /// namespace), `redis.domain` does not. Empty: only dotted quads work.
    PodDialer(std::shared_ptr<const net::AddressMap> addressMap, xds::Ipv4 podIp,
              xds::Resolver resolver);

    xds::Ipv4 podIp() const { return m_podIp; }
    /// A dotted quad as is, else the pod's DNS; nullopt when the name does not resolve.
    std::optional<xds::Ipv4> resolve(std::string_view host) const;
    /// Opens a TCP connection from the pod. Errors: "net.refused", "net.timed-out", "net.error".
    common::Result<net::CapturedConnection> dial(xds::SocketAddress destination,
                                                 std::chrono::milliseconds timeout) const;
    /// Whether a connection to `destination` passes a relay proxy, so a trace will follow
    /// (the pod's sidecar, or the destination's inbound sidecar).
    bool passesProxy(xds::SocketAddress destination) const;

private:
    std::shared_ptr<const net::AddressMap> m_addressMap;
    net::Capture m_capture;
    xds::Ipv4 m_podIp = 0;
    xds::Resolver m_resolver;
};

} // namespace meshcraft::core::probe
