// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/store.h"
#include "core/mesh/ip_allocator.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace meshcraft::core::mesh {

/// The pod-template-hash of a Deployment's pod template: 10 characters, deterministic from the
/// template's content (positions ignored). Its alphabet is the part of Kubernetes' "safe"
/// alphabet that is also hex, so names look like `cartservice-5b9cfb548f-...`.
std::string podTemplateHash(const config::Node &podTemplate);

/// Kubernetes' Deployment and ReplicaSet controllers, reduced to what the lab needs: each
/// Deployment has `replicas` Running pods named `<deployment>-<pod-template-hash>-<5 alnum>`,
/// with the template's labels plus `pod-template-hash`, its spec, and an IP from the pod range.
/// A changed template (`kubectl replace` of the Deployment) rolls the pods: the old ones are
/// deleted and new ones, with new names and new IPs, created in the same change set. Pods whose
/// Deployment is gone are deleted. Names are deterministic: the suffix hashes the ReplicaSet
/// name with a per-ReplicaSet serial, so the same history gives the same names.
class DeploymentController : public config::StoreObserver
{
public:
    /// `podIps` hands out the new pods' addresses (shared with the rest of the topology).
    DeploymentController(config::Store &store, IpAllocator &podIps);

    /// Reconciles every Deployment. Returns whether it wrote to the store.
    bool reconcile();
    void onStoreChanged(const config::StoreChange &change) override;

    /// The file name the controller's writes are attributed to in kubectl-style messages.
    static constexpr const char *Source = "deployment-controller";

private:
    std::string nextPodName(const std::string &replicaSet, const std::string &nameSpace);

    config::Store &m_store;
    IpAllocator &m_podIps;
    std::map<std::string, std::uint64_t> m_serials; ///< per "<ns>/<replicaset>"
    bool m_running = false;
};

} // namespace meshcraft::core::mesh
