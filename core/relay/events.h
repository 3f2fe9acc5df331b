// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/xds/snapshot.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace meshcraft::core::relay {

/// Envoy's response flags (the subset a TCP proxy sets), as bits.
enum class ResponseFlag : std::uint32_t {
    NoHealthyUpstream = 1U << 0,          ///< UH
    UpstreamConnectionFailure = 1U << 1,  ///< UF
    NoRouteFound = 1U << 2,               ///< NR (listener took it, no filter chain matched)
    UpstreamRetryLimitExceeded = 1U << 3, ///< URX (tcp_proxy sets it with UF)
    NoClusterFound = 1U << 4,             ///< NC
};

/// A set of ResponseFlag bits.
using ResponseFlags = std::uint32_t;

constexpr ResponseFlags operator|(ResponseFlag a, ResponseFlag b)
{
    return static_cast<ResponseFlags>(a) | static_cast<ResponseFlags>(b);
}
constexpr bool hasFlag(ResponseFlags flags, ResponseFlag flag)
{
    return (flags & static_cast<ResponseFlags>(flag)) != 0;
}
/// Envoy's short form: "UH", "UF,URX", or "-" for none.
std::string formatResponseFlags(ResponseFlags flags);

/// What one proxy decided for one connection: the trace of a hop.
struct HopDecision
{
    std::string listener;
    std::string chain;
    std::string cluster;
    xds::SocketAddress endpoint;  ///< the virtual upstream host; port 0 when none was chosen
    std::string endpointHostname; ///< for DNS clusters
    /// How the address map delivered it: "endpoint", "proxy", "refused", "unroutable", or empty
    /// when no upstream was tried.
    std::string upstreamKind;
    xds::Provenance listenerProvenance;
    xds::Provenance chainProvenance;
    xds::Provenance clusterProvenance;
};

/// One thing that happened to a connection. Delivered in batches, once per loop tick.
struct ConnectionEvent
{
    enum class Kind { Opened, Decision, UpstreamConnected, Bytes, Closed };

    Kind kind = Kind::Opened;
    std::uint64_t connectionId = 0;
    /// The connection whose upstream hop this one is (sidecar -> gateway); 0 for the first hop.
    std::uint64_t parentId = 0;
    /// The first hop's id: every hop of one flow shares it.
    std::uint64_t traceId = 0;
    std::string proxyId;
    xds::SocketAddress downstream;          ///< the client, virtual (pod IP:port)
    xds::SocketAddress originalDestination; ///< what the client dialled
    HopDecision decision;                   ///< Decision and Closed
    xds::SocketAddress upstreamLocal;       ///< UpstreamConnected: this proxy's pod IP:port
    std::uint64_t bytesReceived = 0;        ///< from downstream, so far
    std::uint64_t bytesSent = 0;            ///< to downstream, so far
    ResponseFlags flags = 0;                ///< Closed
    std::chrono::milliseconds duration{0};  ///< Closed
    /// Closed: why, in a few words ("upstream closed", "drained", "idle timeout", "reset").
    std::string detail;
    std::string accessLogLine; ///< Closed, when the access log is on for it
};

/// Receives connection events on the relay thread, batched per loop tick. Implementations copy
/// what they need and return quickly (hand over to the UI with a queued call); they must not
/// call back into the engine synchronously except through post().
class ConnectionObserver
{
public:
    virtual ~ConnectionObserver() = default;
    virtual void onConnectionEvents(const std::vector<ConnectionEvent> &events) = 0;
};

} // namespace meshcraft::core::relay
