// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The immutable per-proxy configuration the control plane hands to the relay, modelled on what
// istiod pushes to Envoy: listeners with filter chains ending in a tcp_proxy, and clusters with
// endpoints. Plain values only; a snapshot is built once, wrapped in
// std::shared_ptr<const ProxySnapshot> and never changed after that, so the relay thread and any
// reader may share it without locks.
//
// How a captured connection finds its listener (see match.h, which implements it):
//   The relay knows the connection's original destination D = IP:port (from the PROXY v2 header
//   the capture wrote, as Envoy's 15001 listener learns it from SO_ORIGINAL_DST).
//   1. A listener bound to exactly D (named "IP_port", e.g. "10.59.118.59_6379") takes it.
//   2. Else a listener bound to 0.0.0.0 on D's port ("0.0.0.0_6379") takes it. Its filter chains
//      select by destination prefix ranges (CIDRs, the longest prefix wins) and port.
//   3. Else the use_original_dst listener ("virtualOutbound" for outbound, "virtualInbound" for a
//      sidecar's inbound side) keeps it and matches its own chains: the loop-prevention chain
//      "virtualOutbound-blackhole" (destination port 15001, to BlackHoleCluster) and the catch-all
//      "virtualOutbound-catchall-tcp" (no match: PassthroughCluster under ALLOW_ANY,
//      BlackHoleCluster under REGISTRY_ONLY).
//   A listener that takes the connection but has no matching chain closes it with flag NR;
//   Envoy does not fall back to another listener.
// Only listeners of the direction the connection arrived on are considered: a sidecar's outbound
// capture sees Outbound listeners, its inbound capture sees Inbound ones. A gateway's listeners
// are Outbound and bound to 0.0.0.0:port (bindToPort), one real loopback listener each.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::xds {

/// An IPv4 address in host byte order (10.59.118.59 is 0x0a3b763b).
using Ipv4 = std::uint32_t;

std::string formatIpv4(Ipv4 address);
/// Dotted quad only ("10.59.118.59"); nullopt for anything else.
std::optional<Ipv4> parseIpv4(std::string_view text);

/// A virtual IPv4 socket address, as the simulated cluster sees it. Never dialled as such: the
/// address map turns it into a loopback port.
struct SocketAddress
{
    Ipv4 ip = 0;
    std::uint16_t port = 0;

    /// "10.59.118.59:6379"
    std::string toString() const;
    static std::optional<SocketAddress> parse(std::string_view text);
    auto operator<=>(const SocketAddress &) const = default;
};

/// A CIDR range such as 10.59.118.59/32.
struct CidrRange
{
    Ipv4 prefix = 0;
    std::uint8_t length = 32;

    bool contains(Ipv4 address) const;
    std::string toString() const;
    /// "10.0.0.0/8" or a bare IP (taken as /32). Host bits must be zero.
    static std::optional<CidrRange> parse(std::string_view text);
    bool operator==(const CidrRange &) const = default;
};

/// Which resource or setting produced a listener, chain or cluster, for the probe trace and the
/// inspector. `kind` is a Kubernetes kind ("ServiceEntry") or "MeshConfig", "Default" etc.
struct Provenance
{
    std::string kind;
    std::string ns;
    std::string name;
    std::string file;
    int line = 0;
    std::string note; ///< e.g. "mesh outboundTrafficPolicy REGISTRY_ONLY"

    /// "ServiceEntry default/redis-serviceentry (redis-serviceentry.yaml:9): note"
    std::string toString() const;
    bool operator==(const Provenance &) const = default;
};

enum class TrafficDirection { Outbound, Inbound };

struct WeightedCluster
{
    std::string name;
    std::uint32_t weight = 0;
    bool operator==(const WeightedCluster &) const = default;
};

/// Envoy's envoy.filters.network.tcp_proxy. Exactly one of `cluster` or `weightedClusters` is
/// used; weighted clusters win when not empty.
struct TcpProxy
{
    std::string statPrefix;
    std::string cluster;
    std::vector<WeightedCluster> weightedClusters;
    /// Whether this chain writes access-log lines (1.3 wrote none for BlackHoleCluster). Lines are
    /// written only when the mesh setting is on too.
    bool accessLog = true;
    /// Overrides MeshSettings::idleTimeout when set; zero disables it.
    std::optional<std::chrono::milliseconds> idleTimeout;
    bool operator==(const TcpProxy &) const = default;
};

/// filter_chain_match. Empty fields match everything.
struct FilterChainMatch
{
    std::vector<CidrRange> prefixRanges;
    std::optional<std::uint16_t> destinationPort;
    bool operator==(const FilterChainMatch &) const = default;
};

struct FilterChain
{
    std::string name; ///< e.g. "virtualOutbound-catchall-tcp"; may be empty as in Envoy
    FilterChainMatch match;
    TcpProxy tcpProxy;
    Provenance provenance;
};

/// True when two chains would handle a connection the same way (provenance ignored). The relay
/// drains an established connection only when its chain is gone or not the same (D3).
bool sameBehaviour(const FilterChain &a, const FilterChain &b);

struct Listener
{
    std::string name; ///< "virtualOutbound", "10.59.118.59_6379", "0.0.0.0_6379"
    SocketAddress address; ///< the virtual address it matches; ip 0 means 0.0.0.0
    TrafficDirection direction = TrafficDirection::Outbound;
    /// The 15001/15006 role: hands connections to more specific listeners, keeps the rest.
    bool useOriginalDst = false;
    std::vector<FilterChain> filterChains;
    Provenance provenance;
};

enum class DiscoveryType { Static, StrictDns, LogicalDns, Eds, OriginalDst };
const char *discoveryTypeName(DiscoveryType type); ///< "STATIC", "STRICT_DNS", ..., "ORIGINAL_DST"

/// One upstream host. For STATIC and EDS `address` is used. For STRICT_DNS and LOGICAL_DNS
/// `hostname` is resolved (through the relay's resolver hook) and `address.port` is the port.
struct Endpoint
{
    SocketAddress address;
    std::string hostname;
    bool operator==(const Endpoint &) const = default;
};

struct Cluster
{
    std::string name; ///< "outbound|6379||redis.domain", "PassthroughCluster", "inbound|6379||"
    DiscoveryType type = DiscoveryType::Eds;
    std::vector<Endpoint> endpoints;
    /// Overrides MeshSettings::connectTimeout when set.
    std::optional<std::chrono::milliseconds> connectTimeout;
    Provenance provenance;
    /// "name.namespace" of the DestinationRule that shaped it, empty when none (the DESTINATION
    /// RULE column of `istioctl proxy-config clusters`). Informational only.
    std::string destinationRule;
};

/// The mesh-wide settings (the istio ConfigMap's mesh key) a proxy applies.
struct MeshSettings
{
    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds drainDuration{45'000};
    /// tcp_proxy idle timeout (Envoy's default is one hour); zero disables it.
    std::chrono::milliseconds idleTimeout{3'600'000};
    /// accessLogFile set (e.g. /dev/stdout). Off in the 1.3 chart.
    bool accessLog = false;
    bool operator==(const MeshSettings &) const = default;
};

/// Everything one proxy (a sidecar or the egress gateway) runs with. Immutable once shared.
struct ProxySnapshot
{
    std::string proxyId; ///< e.g. "busybox.default" or "istio-egressgateway-....istio-system"
    std::uint64_t version = 0;
    MeshSettings settings;
    std::vector<Listener> listeners;
    std::vector<Cluster> clusters;

    const Listener *findListener(std::string_view name) const;
    const Cluster *findCluster(std::string_view name) const;
};

} // namespace meshcraft::core::xds
