// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/relay/events.h"
#include "core/xds/snapshot.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace meshcraft::core::probe {

/// How a probe run ended, as the lab's checks judge it (D12: by outcome and trace, never text).
enum class ProbeOutcome {
    Usage,           ///< bad arguments: the tool printed its usage or an argument error
    BadAddress,      ///< the name did not resolve in the pod's DNS ("bad address 'redis.domain'")
    Refused,         ///< connect() was refused (never through a sidecar)
    TimedOut,        ///< connect() timed out (an unroutable address without a sidecar)
    ConnectFailed,   ///< connect() failed otherwise
    Connected,       ///< connected, and the run ended with the connection still open
                     ///< (input ended, telnet's escape, or cancelled)
    ClosedByPeer,    ///< connected, then the remote closed it (FIN or RST)
    Reply,           ///< redis-cli: every command got a reply
    ErrorReply,      ///< redis-cli: a command was rejected ("(error) ERR ...")
    ServerClosed,    ///< redis-cli: "Error: Server closed the connection"
    ConnectionReset, ///< redis-cli: "Error: Connection reset by peer"
    TransportError,  ///< redis-cli: another I/O error ("Error: ...")
    Interrupted,     ///< Ctrl+C killed the tool (exit status 130)
};

/// "closed-by-peer", "reply", ... (stable, for logs and the CLI).
const char *outcomeName(ProbeOutcome outcome);

enum class OutputStream { Stdout, Stderr };

/// A piece of the tool's output, exactly as the tool writes it (line ends included).
struct OutputChunk
{
    OutputStream stream = OutputStream::Stdout;
    std::string text;
    bool operator==(const OutputChunk &) const = default;
};

/// One proxy's part in a flow: what it decided and how its connection ended.
struct TraceHop
{
    std::uint64_t connectionId = 0;
    std::uint64_t parentId = 0; ///< the hop before it in the flow; 0 for the first hop
    std::string proxyId;        ///< "busybox.default", "istio-egressgateway.istio-system"
    xds::SocketAddress downstream;
    xds::SocketAddress originalDestination;
    bool decided = false;        ///< a Decision event arrived
    relay::HopDecision decision; ///< listener, chain, cluster, endpoint, provenances
    bool upstreamConnected = false;
    xds::SocketAddress upstreamLocal;
    bool closed = false;
    relay::ResponseFlags flags = 0; ///< when closed
    std::uint64_t bytesReceived = 0;
    std::uint64_t bytesSent = 0;
    std::chrono::milliseconds duration{0};
    std::string detail; ///< why it closed ("upstream closed", "no healthy upstream", ...)
    std::string accessLogLine;

    /// Envoy's short form: "UH", "UF,URX", "-".
    std::string flagsText() const;
    /// One line for a transcript or the CLI, e.g.
    /// "busybox.default virtualOutbound/virtualOutbound-catchall-tcp -> PassthroughCluster ->
    /// 10.59.118.59:6379 flags - (MeshConfig istio-system/istio: mesh outboundTrafficPolicy ...)".
    std::string toString() const;
};

/// Every hop of one flow, in the order the flow went through them.
struct Trace
{
    std::uint64_t traceId = 0; ///< 0 when the flow passed no proxy
    std::vector<TraceHop> hops;
    /// Every hop's Closed event arrived (and every hop that connected to another proxy has its
    /// next hop). A probe that finished with its connection open gives the hops so far.
    bool complete = false;

    /// The first hop of that proxy, or nullptr.
    const TraceHop *hopOf(const std::string &proxyId) const;
    std::vector<std::string> toLines() const;
};

/// What a probe run produced: its outcome, exit status, output, and the flow's trace.
struct ProbeResult
{
    ProbeOutcome outcome = ProbeOutcome::Usage;
    int exitStatus = 0;
    std::vector<OutputChunk> transcript;
    Trace trace;
    std::string host;               ///< as typed
    xds::SocketAddress destination; ///< what the pod dialled (ip 0 when it never resolved)
    xds::SocketAddress source;      ///< the pod's side of the connection, when connected
    bool viaSidecar = false;

    /// The whole output, or one stream's, concatenated.
    std::string text() const;
    std::string text(OutputStream stream) const;
    /// text() split at '\n', with any trailing '\r' kept (busybox writes "\r\n" in places).
    std::vector<std::string> lines() const;
};

} // namespace meshcraft::core::probe
