// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/match.h"

namespace meshcraft::core::xds {

const Listener *matchListener(const ProxySnapshot &snapshot, TrafficDirection direction,
                              const SocketAddress &destination)
{
    const Listener *wildcard = nullptr;
    const Listener *originalDst = nullptr;
    for (const auto &listener : snapshot.listeners) {
        if (listener.direction != direction) {
            continue;
        }
        if (listener.useOriginalDst) {
            if (!originalDst) {
                originalDst = &listener;
            }
            continue;
        }
        if (listener.address.port != destination.port) {
            continue;
        }
        if (listener.address.ip == destination.ip) {
            return &listener; // exact IP_port wins outright
        }
        if (listener.address.ip == 0 && !wildcard) {
            wildcard = &listener;
        }
    }
    return wildcard ? wildcard : originalDst;
}

const FilterChain *matchFilterChain(const Listener &listener, const SocketAddress &destination)
{
    // Envoy narrows by destination port first: if any chain names this port, only those compete.
    bool portSpecific = false;
    for (const auto &chain : listener.filterChains) {
        if (chain.match.destinationPort == destination.port) {
            portSpecific = true;
            break;
        }
    }
    const FilterChain *best = nullptr;
    int bestLength = -1; // -1: matched by "no prefix ranges"
    for (const auto &chain : listener.filterChains) {
        const auto &m = chain.match;
        if (portSpecific ? m.destinationPort != destination.port : m.destinationPort.has_value()) {
            continue;
        }
        if (m.prefixRanges.empty()) {
            if (!best) {
                best = &chain;
            }
            continue;
        }
        for (const auto &range : m.prefixRanges) {
            if (range.contains(destination.ip) && int(range.length) > bestLength) {
                best = &chain;
                bestLength = range.length;
            }
        }
    }
    return best;
}

std::string_view selectCluster(const TcpProxy &tcpProxy, std::uint64_t pick)
{
    if (tcpProxy.weightedClusters.empty()) {
        return tcpProxy.cluster;
    }
    std::uint64_t total = 0;
    for (const auto &weighted : tcpProxy.weightedClusters) {
        total += weighted.weight;
    }
    if (total == 0) {
        return tcpProxy.weightedClusters.front().name;
    }
    std::uint64_t point = pick % total;
    for (const auto &weighted : tcpProxy.weightedClusters) {
        if (point < weighted.weight) {
            return weighted.name;
        }
        point -= weighted.weight;
    }
    return tcpProxy.weightedClusters.back().name;
}

Match matchConnection(const ProxySnapshot &snapshot, TrafficDirection direction,
                      const SocketAddress &destination, std::uint64_t pick)
{
    Match result;
    result.listener = matchListener(snapshot, direction, destination);
    if (!result.listener) {
        result.status = MatchStatus::NoListener;
        return result;
    }
    result.chain = matchFilterChain(*result.listener, destination);
    if (!result.chain) {
        result.status = MatchStatus::NoFilterChain;
        return result;
    }
    result.cluster = snapshot.findCluster(selectCluster(result.chain->tcpProxy, pick));
    result.status = result.cluster ? MatchStatus::Matched : MatchStatus::NoCluster;
    return result;
}

SnapshotIndex::SnapshotIndex(const ProxySnapshot &snapshot)
{
    // emplace keeps the first of duplicates, as the linear scans do.
    for (const auto &listener : snapshot.listeners) {
        const std::size_t d = slot(listener.direction);
        if (listener.useOriginalDst) {
            if (!m_originalDst[d]) {
                m_originalDst[d] = &listener;
            }
        } else if (listener.address.ip == 0) {
            m_wildcard[d].emplace(listener.address.port, &listener);
        } else {
            m_exact[d].emplace((std::uint64_t{listener.address.ip} << 16) | listener.address.port,
                               &listener);
        }
    }
    for (const auto &cluster : snapshot.clusters) {
        m_clusters.emplace(cluster.name, &cluster);
    }
}

std::size_t SnapshotIndex::slot(TrafficDirection direction)
{
    return direction == TrafficDirection::Outbound ? 0 : 1;
}

const Listener *SnapshotIndex::matchListener(TrafficDirection direction,
                                             const SocketAddress &destination) const
{
    const std::size_t d = slot(direction);
    const auto exact = m_exact[d].find((std::uint64_t{destination.ip} << 16) | destination.port);
    if (exact != m_exact[d].end()) {
        return exact->second;
    }
    const auto wildcard = m_wildcard[d].find(destination.port);
    if (wildcard != m_wildcard[d].end()) {
        return wildcard->second;
    }
    return m_originalDst[d];
}

const Cluster *SnapshotIndex::findCluster(std::string_view name) const
{
    const auto it = m_clusters.find(name);
    return it == m_clusters.end() ? nullptr : it->second;
}

Match matchConnection(const SnapshotIndex &index, TrafficDirection direction,
                      const SocketAddress &destination, std::uint64_t pick)
{
    Match result;
    result.listener = index.matchListener(direction, destination);
    if (!result.listener) {
        result.status = MatchStatus::NoListener;
        return result;
    }
    result.chain = matchFilterChain(*result.listener, destination);
    if (!result.chain) {
        result.status = MatchStatus::NoFilterChain;
        return result;
    }
    result.cluster = index.findCluster(selectCluster(result.chain->tcpProxy, pick));
    result.status = result.cluster ? MatchStatus::Matched : MatchStatus::NoCluster;
    return result;
}

EndpointChoice selectEndpoint(const Cluster &cluster, const SocketAddress &originalDestination,
                              const Resolver &resolver, std::uint64_t pick)
{
    EndpointChoice choice;
    if (cluster.type == DiscoveryType::OriginalDst) {
        choice.status = EndpointStatus::Selected;
        choice.address = originalDestination;
        return choice;
    }
    if (cluster.endpoints.empty()) {
        choice.status = EndpointStatus::NoHealthyUpstream;
        return choice;
    }
    const auto &endpoint = cluster.endpoints[pick % cluster.endpoints.size()];
    choice.address = endpoint.address;
    choice.hostname = endpoint.hostname;
    const bool dns =
        cluster.type == DiscoveryType::StrictDns || cluster.type == DiscoveryType::LogicalDns;
    if (dns && !endpoint.hostname.empty()) {
        const auto ip = resolver ? resolver(endpoint.hostname) : std::nullopt;
        if (!ip) {
            choice.status = EndpointStatus::Unresolved;
            return choice;
        }
        choice.address.ip = *ip;
    }
    choice.status = EndpointStatus::Selected;
    return choice;
}

} // namespace meshcraft::core::xds
