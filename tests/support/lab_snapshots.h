// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Hand-built proxy snapshots for each state of the egress-gateway lab, shaped as istiod would
// build them (istio-behaviour.md 2-3), for relay tests and the relay benchmark. The control
// plane builds the real ones from the store.

#include "core/xds/snapshot.h"

#include <cstdint>
#include <memory>
#include <string>

namespace meshcraft::tests::lab {

namespace xds = meshcraft::core::xds;

inline xds::Ipv4 ip(const char *text)
{
    return *xds::parseIpv4(text);
}

// The lab's virtual addresses.
inline const xds::Ipv4 MemorystoreIp = ip("10.59.118.59");
inline const xds::Ipv4 BusyboxIp = ip("10.8.1.12");
inline const xds::Ipv4 RedisCartPodIp = ip("10.8.2.5");
inline const xds::Ipv4 RedisCartClusterIp = ip("10.11.240.10");
inline const xds::Ipv4 GatewayIp = ip("10.8.3.7");
constexpr std::uint16_t RedisPort = 6379;
inline const std::string GatewayHost = "istio-egressgateway.istio-system.svc.cluster.local";
inline const std::string GatewaySubsetCluster =
    "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local";
inline const std::string ServiceEntryCluster = "outbound|6379||redis.domain";

inline xds::Provenance meshPolicy(const std::string &mode)
{
    return {"MeshConfig", "istio-system", "istio", "", 0, "mesh outboundTrafficPolicy " + mode};
}

/// A sidecar's outbound side: virtualOutbound with the loop-prevention and catch-all chains.
inline xds::ProxySnapshot sidecar(const std::string &proxyId, bool registryOnly,
                                  xds::MeshSettings settings = {})
{
    const std::string mode = registryOnly ? "REGISTRY_ONLY" : "ALLOW_ANY";
    const std::string catchAll = registryOnly ? "BlackHoleCluster" : "PassthroughCluster";
    xds::ProxySnapshot s;
    s.proxyId = proxyId;
    s.version = 1;
    s.settings = settings;
    xds::Listener virtualOutbound;
    virtualOutbound.name = "virtualOutbound";
    virtualOutbound.address = {0, 15001};
    virtualOutbound.useOriginalDst = true;
    virtualOutbound.provenance = {"Default", "", "", "", 0, "sidecar capture port 15001"};
    xds::FilterChain loop;
    loop.name = "virtualOutbound-blackhole";
    loop.match.destinationPort = 15001;
    loop.tcpProxy = {"BlackHoleCluster", "BlackHoleCluster", {}, true, std::nullopt};
    loop.provenance = {"Default", "", "", "", 0, "loop prevention"};
    xds::FilterChain all;
    all.name = "virtualOutbound-catchall-tcp";
    all.tcpProxy = {catchAll, catchAll, {}, true, std::nullopt};
    all.provenance = meshPolicy(mode);
    virtualOutbound.filterChains = {loop, all};
    s.listeners.push_back(virtualOutbound);

    xds::Cluster passthrough;
    passthrough.name = "PassthroughCluster";
    passthrough.type = xds::DiscoveryType::OriginalDst;
    passthrough.provenance = meshPolicy("ALLOW_ANY");
    xds::Cluster blackhole;
    blackhole.name = "BlackHoleCluster";
    blackhole.type = xds::DiscoveryType::Static;
    blackhole.provenance = meshPolicy("REGISTRY_ONLY");
    s.clusters = {passthrough, blackhole};
    return s;
}

inline xds::Listener tcpListener(xds::SocketAddress address, const std::string &cluster,
                                 const xds::Provenance &provenance)
{
    xds::Listener l;
    l.name = (address.ip == 0 ? std::string("0.0.0.0") : xds::formatIpv4(address.ip)) + '_' +
             std::to_string(address.port);
    l.address = address;
    l.provenance = provenance;
    xds::FilterChain chain;
    chain.tcpProxy = {cluster, cluster, {}, true, std::nullopt};
    chain.provenance = provenance;
    l.filterChains.push_back(chain);
    return l;
}

inline xds::Provenance serviceEntryProvenance()
{
    return {"ServiceEntry", "default", "redis-serviceentry", "redis-serviceentry.yaml", 9, ""};
}

/// Step 8: the ServiceEntry for redis.domain with the instance's address (resolution NONE).
inline void addServiceEntry(xds::ProxySnapshot &s)
{
    s.listeners.push_back(
        tcpListener({MemorystoreIp, RedisPort}, ServiceEntryCluster, serviceEntryProvenance()));
    xds::Cluster c;
    c.name = ServiceEntryCluster;
    c.type = xds::DiscoveryType::OriginalDst;
    c.provenance = serviceEntryProvenance();
    s.clusters.push_back(c);
}

/// Step 9: the DestinationRule's subset cluster for the gateway (nothing routes to it yet).
inline void addGatewaySubsetCluster(xds::ProxySnapshot &s)
{
    xds::Cluster c;
    c.name = GatewaySubsetCluster;
    c.type = xds::DiscoveryType::Eds;
    c.endpoints = {{{GatewayIp, RedisPort}, ""}};
    c.provenance = {"DestinationRule",   "default", "egressgateway-for-redis",
                    "redis-egress.yaml", 20,        "subset redis"};
    s.clusters.push_back(c);
}

/// Step 11: the VirtualService's mesh route sends the instance's traffic to the gateway.
inline void routeViaGateway(xds::ProxySnapshot &s)
{
    const xds::Provenance vs{"VirtualService",    "default", "direct-redis-through-egress-gateway",
                             "redis-egress.yaml", 40,        "tcp route gateways: [mesh]"};
    for (auto &l : s.listeners) {
        if (l.address == xds::SocketAddress{MemorystoreIp, RedisPort}) {
            l.filterChains.front().tcpProxy.cluster = GatewaySubsetCluster;
            l.filterChains.front().tcpProxy.statPrefix = GatewaySubsetCluster;
            l.filterChains.front().provenance = vs;
        }
    }
}

/// The egress gateway: 0.0.0.0_6379 to redis.domain (STATIC endpoint) when a TCP route is bound.
inline xds::ProxySnapshot gateway(bool withRedisRoute, xds::MeshSettings settings = {})
{
    xds::ProxySnapshot s;
    s.proxyId = "istio-egressgateway.istio-system";
    s.version = 1;
    s.settings = settings;
    if (withRedisRoute) {
        const xds::Provenance vs{
            "VirtualService",    "default", "direct-redis-through-egress-gateway",
            "redis-egress.yaml", 48,        "tcp route gateways: [istio-egressgateway]"};
        s.listeners.push_back(tcpListener({0, RedisPort}, ServiceEntryCluster, vs));
        xds::Cluster c;
        c.name = ServiceEntryCluster;
        c.type = xds::DiscoveryType::Eds;
        c.endpoints = {{{MemorystoreIp, RedisPort}, ""}};
        c.provenance = serviceEntryProvenance();
        s.clusters.push_back(c);
    }
    return s;
}

/// redis-cart inside the mesh: its ClusterIP listener on the client, and the pod's inbound side.
inline void addRedisCartService(xds::ProxySnapshot &s)
{
    const std::string cluster = "outbound|6379||redis-cart.default.svc.cluster.local";
    const xds::Provenance svc{"Service", "default", "redis-cart", "", 0, "Kubernetes Service"};
    s.listeners.push_back(tcpListener({RedisCartClusterIp, RedisPort}, cluster, svc));
    xds::Cluster c;
    c.name = cluster;
    c.type = xds::DiscoveryType::Eds;
    c.endpoints = {{{RedisCartPodIp, RedisPort}, ""}};
    c.provenance = svc;
    s.clusters.push_back(c);
}

inline void addInbound(xds::ProxySnapshot &s, xds::Ipv4 podIp, std::uint16_t port)
{
    xds::Listener l;
    l.name = "virtualInbound";
    l.address = {0, 15006};
    l.direction = xds::TrafficDirection::Inbound;
    l.useOriginalDst = true;
    xds::FilterChain chain;
    chain.name = "0.0.0.0_" + std::to_string(port);
    chain.match.destinationPort = port;
    const std::string cluster = "inbound|" + std::to_string(port) + "||";
    chain.tcpProxy = {cluster, cluster, {}, true, std::nullopt};
    l.filterChains.push_back(chain);
    s.listeners.push_back(l);
    xds::Cluster c;
    c.name = cluster;
    c.type = xds::DiscoveryType::Static;
    c.endpoints = {{{podIp, port}, ""}};
    s.clusters.push_back(c);
}

inline std::shared_ptr<const xds::ProxySnapshot> share(xds::ProxySnapshot s)
{
    return std::make_shared<const xds::ProxySnapshot>(std::move(s));
}

} // namespace meshcraft::tests::lab
