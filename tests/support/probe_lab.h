// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The egress-gateway lab's network for probe and workload tests: the address map, a real relay
// engine with busybox's, cartservice's, redis-cart's sidecars and the egress gateway (snapshots
// from lab_snapshots.h), the trace collector registered on it, and the pods' cluster DNS.
// One redis-server plays both Memorystore (10.59.118.59:6379) and redis-cart.

#include "core/mesh/address_map.h"
#include "core/probe/trace_collector.h"
#include "core/relay/engine.h"
#include "tests/support/lab_snapshots.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace meshcraft::tests::lab {

constexpr auto BusyboxProxy = "busybox.default";
constexpr auto CartProxy = "cartservice.default";
constexpr auto GatewayProxy = "istio-egressgateway.istio-system";
constexpr auto RedisCartProxy = "redis-cart.default";
inline const xds::Ipv4 CartIp = ip("10.8.1.20");
/// A pod without a sidecar, and a VPC host that refuses everything.
inline const xds::Ipv4 PlainPodIp = ip("10.8.4.4");
inline const xds::Ipv4 ClosedHostIp = ip("10.59.118.60");

/// The cluster DNS as a pod in `default` sees it (D8): short names in its namespace and the
/// full service names; redis.domain does not resolve.
inline std::optional<xds::Ipv4> clusterDns(std::string_view host)
{
    if (host == "redis-cart" || host == "redis-cart.default" || host == "redis-cart.default.svc" ||
        host == "redis-cart.default.svc.cluster.local") {
        return RedisCartClusterIp;
    }
    return std::nullopt;
}

/// Which lab state busybox's and cartservice's sidecars are in.
enum class State { AllowAny, RegistryOnly, ServiceEntry, VirtualService, InMesh };

inline xds::MeshSettings fastSettings()
{
    xds::MeshSettings s;
    s.accessLog = true;
    s.connectTimeout = std::chrono::milliseconds(300);
    s.drainDuration = std::chrono::milliseconds(400);
    return s;
}

inline std::shared_ptr<const xds::ProxySnapshot>
clientSidecar(const std::string &proxyId, State state, std::uint64_t version = 1)
{
    auto s = sidecar(proxyId, state != State::AllowAny, fastSettings());
    s.version = version;
    if (state == State::ServiceEntry || state == State::VirtualService) {
        addServiceEntry(s);
    }
    if (state == State::VirtualService) {
        addGatewaySubsetCluster(s);
        routeViaGateway(s);
    }
    addRedisCartService(s); // the Kubernetes Service is always there
    return share(std::move(s));
}

struct ProbeLab
{
    std::shared_ptr<core::net::AddressMap> map = std::make_shared<core::net::AddressMap>();
    std::shared_ptr<core::probe::TraceCollector> traces =
        std::make_shared<core::probe::TraceCollector>();
    std::unique_ptr<core::relay::Engine> engine;
    bool ok = false;

    ProbeLab(std::uint16_t redisPort, State state)
    {
        core::relay::EngineOptions options;
        options.addressMap = map;
        options.resolver = [](std::string_view host) { return clusterDns(host); };
        engine = std::make_unique<core::relay::Engine>(options);
        engine->addObserver(traces);
        map->setEndpoint({MemorystoreIp, RedisPort}, redisPort);
        map->setEndpoint({RedisCartPodIp, RedisPort}, redisPort);
        map->setServiceBackend({RedisCartClusterIp, RedisPort}, {RedisCartPodIp, RedisPort});
        map->addHost(ClosedHostIp);
        auto cart = sidecar(RedisCartProxy, false, fastSettings());
        addInbound(cart, RedisCartPodIp, RedisPort);
        ok = engine
                 ->addProxy({BusyboxProxy, core::relay::ProxyKind::Sidecar, BusyboxIp},
                            clientSidecar(BusyboxProxy, state))
                 .has_value() &&
             engine
                 ->addProxy({CartProxy, core::relay::ProxyKind::Sidecar, CartIp},
                            clientSidecar(CartProxy, state))
                 .has_value() &&
             engine
                 ->addProxy({GatewayProxy, core::relay::ProxyKind::Gateway, GatewayIp},
                            share(gateway(state == State::VirtualService, fastSettings())))
                 .has_value() &&
             engine
                 ->addProxy({RedisCartProxy, core::relay::ProxyKind::Sidecar, RedisCartPodIp},
                            share(cart))
                 .has_value();
    }

    ~ProbeLab() { engine->stop(); }

    /// Pushes a new state to the client sidecars, as istiod would after an apply.
    void setState(State state, std::uint64_t version)
    {
        engine->updateSnapshot(BusyboxProxy, clientSidecar(BusyboxProxy, state, version));
        engine->updateSnapshot(CartProxy, clientSidecar(CartProxy, state, version));
        engine->flush();
    }
};

} // namespace meshcraft::tests::lab
