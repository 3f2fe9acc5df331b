// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/deployment_controller.h"

#include "core/config/k8s_types.h"
#include "core/config/node_read.h"

#include <algorithm>
#include <set>
#include <vector>

namespace meshcraft::core::mesh {

namespace {

using config::Node;

constexpr std::string_view HashAlphabet = "bcdf245678"
                                          "9"; // Kubernetes' safe alphabet, hex letters only
constexpr std::string_view SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

std::string encode(std::uint64_t value, std::string_view alphabet, std::size_t length)
{
    std::string out;
    for (std::size_t i = 0; i < length; ++i) {
        out += alphabet[value % alphabet.size()];
        value /= alphabet.size();
    }
    return out;
}

Node scalar(std::string text)
{
    return Node::makeScalar(std::move(text), true);
}

Node labelMap(const std::map<std::string, std::string> &labels)
{
    Node map = Node::makeMap();
    for (const auto &[key, value] : labels) {
        map.set(key, scalar(value));
    }
    return map;
}

/// The ReplicaSet named by a pod's controller reference, or "".
std::string ownerReplicaSet(const config::Resource &pod)
{
    const Node *metadata = pod.document.find("metadata");
    for (const Node &owner : config::readItems(metadata, "ownerReferences")) {
        if (config::readString(&owner, "kind") == "ReplicaSet") {
            return config::readString(&owner, "name");
        }
    }
    return {};
}

/// "<deployment>-<10 chars>" -> "<deployment>".
std::string deploymentOf(const std::string &replicaSet)
{
    return replicaSet.size() > 11 ? replicaSet.substr(0, replicaSet.size() - 11) : std::string();
}

struct Wanted
{
    std::string replicaSet;
    std::string hash;
    int replicas = 0;
    const config::StoredObject *deployment = nullptr;
};

} // namespace

std::string podTemplateHash(const Node &podTemplate)
{
    return encode(fnv1a(config::toJson(podTemplate)), HashAlphabet, 10);
}

DeploymentController::DeploymentController(config::Store &store, IpAllocator &podIps)
    : m_store(store), m_podIps(podIps)
{
}

void DeploymentController::onStoreChanged(const config::StoreChange &)
{
    reconcile();
}

std::string DeploymentController::nextPodName(const std::string &replicaSet,
                                              const std::string &nameSpace)
{
    std::uint64_t &serial = m_serials[nameSpace + '/' + replicaSet];
    for (;;) {
        const std::string name =
            replicaSet + '-' +
            encode(fnv1a(replicaSet + '/' + std::to_string(serial++)), SuffixAlphabet, 5);
        if (!m_store.get(config::Kind::Pod, nameSpace, name)) {
            return name;
        }
    }
}

bool DeploymentController::reconcile()
{
    if (m_running) {
        return false; // our own write notified us
    }
    m_running = true;

    std::map<std::pair<std::string, std::string>, Wanted> wanted; // (ns, deployment)
    for (const config::StoredObject *object : m_store.list(config::Kind::Deployment)) {
        const auto deployment = config::deploymentFrom(object->resource);
        const Node *templ = config::readMap(object->resource.spec(), "template");
        if (!deployment || !templ) {
            continue;
        }
        Wanted entry;
        entry.hash = podTemplateHash(*templ);
        entry.replicaSet = deployment->metadata.name + '-' + entry.hash;
        entry.replicas = std::max(0, deployment->replicas);
        entry.deployment = object;
        wanted[{object->resource.metadata.nameSpace, deployment->metadata.name}] = entry;
    }

    std::vector<config::ObjectKey> remove;
    std::map<std::pair<std::string, std::string>, int> running;
    for (const config::StoredObject *object : m_store.list(config::Kind::Pod)) {
        const std::string replicaSet = ownerReplicaSet(object->resource);
        if (replicaSet.empty()) {
            continue; // a bare pod (busybox): no controller owns it
        }
        const std::pair key{object->resource.metadata.nameSpace, deploymentOf(replicaSet)};
        const auto found = wanted.find(key);
        if (found != wanted.end() && found->second.replicaSet == replicaSet &&
            running[key] < found->second.replicas) {
            ++running[key];
            continue;
        }
        remove.push_back(object->key());
    }

    std::vector<config::Resource> create;
    for (const auto &[key, entry] : wanted) {
        const Node *templ = config::readMap(entry.deployment->resource.spec(), "template");
        const auto deployment = config::deploymentFrom(entry.deployment->resource);
        for (int i = running[key]; i < entry.replicas; ++i) {
            const std::string name = nextPodName(entry.replicaSet, key.first);
            std::map<std::string, std::string> labels = deployment->templ.labels;
            labels["pod-template-hash"] = entry.hash;

            Node metadata = Node::makeMap();
            metadata.set("name", scalar(name));
            metadata.set("namespace", scalar(key.first));
            metadata.set("labels", labelMap(labels));
            if (!deployment->templ.annotations.empty()) {
                metadata.set("annotations", labelMap(deployment->templ.annotations));
            }
            Node owner = Node::makeMap();
            owner.set("apiVersion", scalar("apps/v1"));
            owner.set("kind", scalar("ReplicaSet"));
            owner.set("name", scalar(entry.replicaSet));
            owner.set("controller", Node::makeScalar("true"));
            Node owners = Node::makeSequence();
            owners.items.push_back(std::move(owner));
            metadata.set("ownerReferences", std::move(owners));

            Node document = Node::makeMap();
            document.set("apiVersion", scalar("v1"));
            document.set("kind", scalar("Pod"));
            document.set("metadata", std::move(metadata));
            if (const Node *spec = templ->find("spec")) {
                document.set("spec", *spec);
            }
            Node status = Node::makeMap();
            status.set("phase", scalar("Running"));
            if (const auto ip = m_podIps.allocate()) {
                status.set("podIP", scalar(formatIp(*ip)));
            }
            document.set("status", std::move(status));

            common::Diagnostics ignored; // built here: the identity is always complete
            auto resource =
                config::resourceFromDocument(config::YamlDocument{std::move(document), 0, {}},
                                             entry.deployment->resource.file, ignored);
            if (resource) {
                create.push_back(std::move(*resource));
            }
        }
    }

    bool wrote = false;
    if (!create.empty() || !remove.empty()) {
        config::ApplyOptions options;
        options.validate = false;
        options.recordLastApplied = false;
        options.source = Source;
        wrote = m_store.apply(create, config::ApplyMode::Batch, options, remove).changed;
    }
    m_running = false;
    return wrote;
}

} // namespace meshcraft::core::mesh
