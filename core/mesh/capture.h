// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"
#include "core/mesh/address_map.h"

#include <chrono>
#include <cstdint>
#include <memory>

namespace meshcraft::core::net {

/// A connection a pod opened, as its own socket sees it.
struct CapturedConnection
{
    int fd = -1;         ///< connected, blocking, close-on-exec; the caller owns and closes it
    Address source;      ///< the pod IP and the ephemeral port of this connection
    Address destination; ///< what the pod dialled (after kube-proxy's DNAT)
    bool viaSidecar = false;
};

/// The iptables REDIRECT stand-in. A pod "opens a TCP connection to IP:port":
/// - with a sidecar, the connection really goes to the sidecar's loopback outbound listener and
///   starts with a PROXY v2 header naming the pod and the original destination, so connect()
///   succeeds whatever the destination (the 3-way handshake is with the sidecar);
/// - without one, it goes where the address map says: a loopback endpoint, a proxy listener
///   (with a PROXY header, as the destination's inbound capture would see it), a refusal
///   ("net.refused") or, for an unroutable address, a timeout ("net.timed-out") after `timeout`.
///
/// Blocking; call it from a worker thread (probes), never from the UI or relay thread.
/// Only 127.0.0.1 is ever dialled.
class Capture
{
public:
    explicit Capture(std::shared_ptr<const AddressMap> addressMap);

    common::Result<CapturedConnection> connect(std::uint32_t podIp, Address destination,
                                               std::chrono::milliseconds timeout) const;

private:
    std::shared_ptr<const AddressMap> m_addressMap;
};

} // namespace meshcraft::core::net
