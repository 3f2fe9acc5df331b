// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/relay/events.h"

#include <chrono>
#include <optional>
#include <string>

namespace meshcraft::core::relay {

/// The fields of one TCP access-log line, in virtual (pod) addresses.
struct AccessLogEntry
{
    std::chrono::system_clock::time_point startTime;
    ResponseFlags flags = 0;
    std::uint64_t bytesReceived = 0;
    std::uint64_t bytesSent = 0;
    std::chrono::milliseconds duration{0};
    std::optional<xds::SocketAddress> upstreamHost;
    std::string upstreamCluster; ///< empty prints "-"
    std::optional<xds::SocketAddress> upstreamLocal;
    xds::SocketAddress downstreamLocal;  ///< the original destination
    xds::SocketAddress downstreamRemote; ///< the client
};

/// Current Istio's text format for TCP (tool-outputs.md 6.2, "current"), e.g.
/// [2026-08-01T10:25:00.722Z] "- - -" 0 UH - - "-" 0 0 1 - "-" "-" "-" "-" "-" BlackHoleCluster
/// - 10.59.118.59:6379 10.8.1.12:41240 - -
std::string formatAccessLog(const AccessLogEntry &entry);

/// "2026-08-01T10:25:00.722Z"
std::string formatStartTime(std::chrono::system_clock::time_point time);

} // namespace meshcraft::core::relay
