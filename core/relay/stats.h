// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace meshcraft::core::relay {

/// Per listener, with Envoy's meaning (listener.<name>.* and tcp.<stat_prefix>.* combined).
struct ListenerStats
{
    std::uint64_t downstreamCxTotal = 0;
    std::uint64_t downstreamCxActive = 0;
    std::uint64_t downstreamCxDestroy = 0;
    std::uint64_t downstreamCxRxBytesTotal = 0;
    std::uint64_t downstreamCxTxBytesTotal = 0;
    std::uint64_t noFilterChainMatch = 0;
};

/// Per cluster, Envoy's cluster.<name>.* counters.
struct ClusterStats
{
    std::uint64_t upstreamCxTotal = 0;
    std::uint64_t upstreamCxActive = 0;
    std::uint64_t upstreamCxConnectFail = 0;
    std::uint64_t upstreamCxConnectTimeout = 0;
    std::uint64_t upstreamCxNoneHealthy = 0;
    std::uint64_t upstreamCxDestroy = 0;
    std::uint64_t upstreamCxRxBytesTotal = 0;
    std::uint64_t upstreamCxTxBytesTotal = 0;
};

/// A copy of one proxy's counters at one moment.
struct ProxyStats
{
    std::map<std::string, ListenerStats> listeners;
    std::map<std::string, ClusterStats> clusters;
    std::uint64_t downstreamCxTotal = 0; ///< accepted on the proxy's real loopback listeners
    std::uint64_t downstreamCxActive = 0;
    std::uint64_t downstreamCxProxyProtoError = 0; ///< missing or malformed PROXY v2 header
    std::uint64_t snapshotVersion = 0;

    /// Envoy-style flat names and values, sorted:
    /// "cluster.BlackHoleCluster.upstream_cx_none_healthy".
    std::vector<std::pair<std::string, std::uint64_t>> envoyStats() const;
    /// One stat by its Envoy name; 0 when unknown.
    std::uint64_t value(const std::string &envoyName) const;
};

} // namespace meshcraft::core::relay
