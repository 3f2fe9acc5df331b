// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/compiler.h"

#include "core/xds/cluster_builder.h"
#include "core/xds/listener_builder.h"
#include "core/xds/push_context.h"

#include <algorithm>

namespace meshcraft::core::xds {

const ProxySnapshot *CompileResult::find(std::string_view proxyId) const
{
    for (const auto &snapshot : snapshots) {
        if (snapshot->proxyId == proxyId) {
            return snapshot.get();
        }
    }
    return nullptr;
}

Compiler::Compiler(const config::Store &store, const mesh::Topology &topology)
    : m_store(store), m_topology(topology)
{
}

namespace {

/// What sidecars alike share: the outbound listeners and the clusters.
struct SharedOutbound
{
    std::vector<Listener> listeners;
    std::vector<Cluster> clusters;
};

std::string shareKey(const PushContext &context, const ProxyScope &scope)
{
    std::string key = scope.pod->nameSpace;
    key += '\n';
    if (scope.sidecar) {
        key += scope.sidecar->object->key().toString();
    }
    if (context.usesSourceLabels()) {
        for (const auto &[name, value] : scope.pod->labels) {
            key += '\n' + name + '=' + value;
        }
    }
    return key;
}

} // namespace

CompileResult Compiler::compile(std::uint64_t version)
{
    const PushContext context(m_store, m_topology, &m_cache);
    const MeshSettings settings = context.meshSettings();
    CompileResult result;
    result.serviceCount = context.services().size();
    std::map<std::string, SharedOutbound> shared;

    for (const mesh::PodView *pod : m_topology.proxies()) {
        const ProxyScope scope = context.scopeFor(*pod);
        ProxySnapshot snapshot;
        snapshot.proxyId = pod->proxyId();
        snapshot.version = version;
        snapshot.settings = settings;
        if (scope.gateway) {
            snapshot.clusters = ClusterBuilder(context, scope).build();
            GatewayListeners built = GatewayBuilder(context, scope).build();
            snapshot.listeners = std::move(built.listeners);
            result.omittedListeners[snapshot.proxyId] = std::move(built.omitted);
        } else {
            const ListenerBuilder listeners(context, scope);
            const std::string key = shareKey(context, scope);
            auto found = shared.find(key);
            if (found == shared.end()) {
                SharedOutbound built{listeners.outboundListeners(),
                                     ClusterBuilder(context, scope).build()};
                found = shared.emplace(key, std::move(built)).first;
            }
            snapshot.listeners.reserve(found->second.listeners.size() + 2);
            snapshot.listeners = found->second.listeners;
            snapshot.listeners.push_back(listeners.virtualOutbound());
            snapshot.listeners.push_back(listeners.virtualInbound());
            snapshot.clusters = found->second.clusters;
            for (Cluster &cluster : listeners.inboundClusters()) {
                snapshot.clusters.push_back(std::move(cluster));
            }
        }
        result.snapshots.push_back(std::make_shared<const ProxySnapshot>(std::move(snapshot)));
    }
    std::sort(result.snapshots.begin(), result.snapshots.end(),
              [](const auto &a, const auto &b) { return a->proxyId < b->proxyId; });
    return result;
}

} // namespace meshcraft::core::xds
