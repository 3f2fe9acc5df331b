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

CompileResult Compiler::compile(std::uint64_t version) const
{
    const PushContext context(m_store, m_topology);
    const MeshSettings settings = context.meshSettings();
    CompileResult result;
    result.serviceCount = context.services().size();

    for (const mesh::PodView *pod : m_topology.proxies()) {
        const ProxyScope scope = context.scopeFor(*pod);
        ProxySnapshot snapshot;
        snapshot.proxyId = pod->proxyId();
        snapshot.version = version;
        snapshot.settings = settings;
        snapshot.clusters = ClusterBuilder(context, scope).build();
        if (scope.gateway) {
            GatewayListeners built = GatewayBuilder(context, scope).build();
            snapshot.listeners = std::move(built.listeners);
            result.omittedListeners[snapshot.proxyId] = std::move(built.omitted);
        } else {
            const ListenerBuilder listeners(context, scope);
            snapshot.listeners = listeners.build();
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
