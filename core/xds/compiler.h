// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/store.h"
#include "core/mesh/topology.h"
#include "core/xds/gateway_builder.h"
#include "core/xds/push_context.h"
#include "core/xds/snapshot.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace meshcraft::core::xds {

/// What one compile produced.
struct CompileResult
{
    /// One per proxy (each injected sidecar with an IP, and each gateway pod), by proxy id.
    std::vector<std::shared_ptr<const ProxySnapshot>> snapshots;
    /// Per gateway proxy id, the server ports that got no listener.
    std::map<std::string, std::vector<OmittedListener>> omittedListeners;
    /// The registry's size (Kubernetes Services plus ServiceEntry hosts x addresses).
    std::size_t serviceCount = 0;

    const ProxySnapshot *find(std::string_view proxyId) const;
};

/// Turns the store, the topology and the mesh config into Envoy-shaped configuration for each
/// proxy, the way istiod does (istio-behaviour.md 2-3). It reads the store and never writes it;
/// between compiles it keeps the ServiceEntries it converted (by resourceVersion). Store thread.
class Compiler
{
public:
    Compiler(const config::Store &store, const mesh::Topology &topology);

    /// Every proxy's snapshot, stamped with `version`.
    CompileResult compile(std::uint64_t version = 1);

private:
    const config::Store &m_store;
    const mesh::Topology &m_topology;
    RegistryCache m_cache;
};

} // namespace meshcraft::core::xds
