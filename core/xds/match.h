// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/xds/snapshot.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace meshcraft::core::xds {

// Pure functions that decide, from a snapshot and an original destination, what Envoy would do.
// The relay calls them per connection; the probe trace and the control plane's tests reuse them.

enum class MatchStatus {
    Matched,       ///< listener, chain and cluster found
    NoListener,    ///< nothing takes the destination (no original-dst listener either)
    NoFilterChain, ///< a listener took it but no chain matches: response flag NR
    NoCluster, ///< the chain names a cluster the snapshot lacks: flag UH (Envoy: cluster not found)
};

struct Match
{
    MatchStatus status = MatchStatus::NoListener;
    const Listener *listener = nullptr;
    const FilterChain *chain = nullptr;
    const Cluster *cluster = nullptr;
};

/// Step 1-3 of the rule in snapshot.h: exact IP_port, then 0.0.0.0_port, then the
/// use_original_dst listener of that direction. nullptr when none.
const Listener *matchListener(const ProxySnapshot &snapshot, TrafficDirection direction,
                              const SocketAddress &destination);

/// Envoy's filter_chain_match order: destination port first (a chain naming the port beats one
/// that does not), then the longest prefix range containing the address (a chain with no ranges
/// is the fallback). nullptr when no chain matches.
const FilterChain *matchFilterChain(const Listener &listener, const SocketAddress &destination);

/// The tcp_proxy's cluster name; with weighted clusters, `pick` (any number, e.g. a connection
/// counter) selects one in proportion to the weights. Empty when nothing is configured.
std::string_view selectCluster(const TcpProxy &tcpProxy, std::uint64_t pick);

/// The whole decision for one connection.
Match matchConnection(const ProxySnapshot &snapshot, TrafficDirection direction,
                      const SocketAddress &destination, std::uint64_t pick = 0);

/// The same decisions as matchListener() and ProxySnapshot::findCluster(), in constant time: a
/// hash of the exact IP_port listeners, one of the 0.0.0.0_port ones and one of the clusters.
/// Build it once per snapshot (the relay does on every push); it points into the snapshot, which
/// must outlive it. Immutable after construction, so it may be shared across threads.
class SnapshotIndex
{
public:
    explicit SnapshotIndex(const ProxySnapshot &snapshot);

    const Listener *matchListener(TrafficDirection direction,
                                  const SocketAddress &destination) const;
    const Cluster *findCluster(std::string_view name) const;

private:
    static std::size_t slot(TrafficDirection direction);

    std::unordered_map<std::uint64_t, const Listener *> m_exact[2];
    std::unordered_map<std::uint16_t, const Listener *> m_wildcard[2];
    const Listener *m_originalDst[2] = {nullptr, nullptr};
    std::unordered_map<std::string_view, const Cluster *> m_clusters;
};

/// matchConnection() through an index of the same snapshot.
Match matchConnection(const SnapshotIndex &index, TrafficDirection direction,
                      const SocketAddress &destination, std::uint64_t pick = 0);

/// Resolves a DNS cluster's hostname to an IPv4 address; nullopt when it does not resolve.
using Resolver = std::function<std::optional<Ipv4>(std::string_view hostname)>;

enum class EndpointStatus {
    Selected,
    NoHealthyUpstream, ///< no endpoints (BlackHoleCluster, EDS with none): flag UH
    Unresolved,        ///< DNS cluster whose host does not resolve: flag UH
};

struct EndpointChoice
{
    EndpointStatus status = EndpointStatus::NoHealthyUpstream;
    SocketAddress address;
    std::string hostname; ///< the DNS name it came from, if any
};

/// Picks the upstream host: ORIGINAL_DST forwards to the destination the client dialled; STATIC
/// and EDS take endpoints round-robin by `pick`; STRICT_DNS and LOGICAL_DNS resolve the
/// endpoint's hostname through `resolver` (none given: unresolved).
EndpointChoice selectEndpoint(const Cluster &cluster, const SocketAddress &originalDestination,
                              const Resolver &resolver, std::uint64_t pick = 0);

} // namespace meshcraft::core::xds
