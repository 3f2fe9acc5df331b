// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/topology.h"

#include "core/config/node_read.h"

#include <algorithm>
#include <set>

namespace meshcraft::core::mesh {

namespace {

constexpr std::string_view ProxyContainer = "istio-proxy";

bool runsAsRouter(const config::Container &container)
{
    return std::find(container.args.begin(), container.args.end(), "router") !=
           container.args.end();
}

std::optional<Ipv4> podIpOf(const config::Resource &resource)
{
    const config::Node *status = resource.document.find("status");
    return parseIp(config::readString(status, "podIP"));
}

std::string clusterIpText(const config::Resource &resource)
{
    return config::readString(resource.spec(), "clusterIP");
}

PodView podView(const config::StoredObject &object)
{
    const auto pod = config::podFrom(object.resource);
    PodView view;
    view.name = object.resource.metadata.name;
    view.nameSpace = object.resource.metadata.nameSpace;
    view.labels = object.resource.metadata.labels;
    view.annotations = object.resource.metadata.annotations;
    view.ip = podIpOf(object.resource).value_or(0);
    view.file = object.resource.file;
    if (pod) {
        view.containers = pod->spec.containers;
    }
    bool proxy = false;
    for (const config::Container &container : view.containers) {
        if (container.name == ProxyContainer) {
            proxy = true;
            view.isGateway = runsAsRouter(container);
        } else if (view.image.empty()) {
            view.image = container.image;
            view.env = container.env;
        }
    }
    if (proxy && view.image.empty()) {
        // A gateway pod has only the proxy container.
        view.image = pod->spec.container(ProxyContainer)->image;
    }
    view.hasSidecar = proxy && !view.isGateway;
    const config::Node *metadata = object.resource.document.find("metadata");
    for (const config::Node &owner : config::readItems(metadata, "ownerReferences")) {
        const std::string name = config::readString(&owner, "name");
        if (config::readString(&owner, "kind") == "ReplicaSet" && name.size() > 11) {
            view.deployment = name.substr(0, name.size() - 11);
        }
    }
    return view;
}

ServiceView serviceView(const config::StoredObject &object)
{
    const auto service = config::serviceFrom(object.resource);
    ServiceView view;
    view.name = object.resource.metadata.name;
    view.nameSpace = object.resource.metadata.nameSpace;
    view.file = object.resource.file;
    view.line = object.resource.location().line;
    if (service) {
        view.type = service->type;
        view.selector = service->selector;
        view.ports = service->ports;
        view.headless = service->clusterIP == "None";
        view.clusterIP = parseIp(service->clusterIP).value_or(0);
    }
    return view;
}

config::Node quotedScalar(const std::string &text)
{
    return config::Node::makeScalar(text, true);
}

} // namespace

int PodView::containerPort(std::string_view portName) const
{
    for (const config::Container &container : containers) {
        for (const config::ContainerPort &port : container.ports) {
            if (!portName.empty() && port.name == portName) {
                return port.containerPort;
            }
        }
    }
    return 0;
}

std::string ServiceView::fqdn() const
{
    return name + '.' + nameSpace + ".svc." + std::string(ClusterDomain);
}

bool selectorMatches(const std::map<std::string, std::string> &selector,
                     const std::map<std::string, std::string> &labels)
{
    if (selector.empty()) {
        return false;
    }
    for (const auto &[key, value] : selector) {
        const auto found = labels.find(key);
        if (found == labels.end() || found->second != value) {
            return false;
        }
    }
    return true;
}

Topology::Topology(config::Store &store) : m_store(store), m_deployments(store, m_podIps)
{
    m_store.addObserver(this);
    reconcile();
}

Topology::~Topology()
{
    m_store.removeObserver(this);
}

void Topology::onStoreChanged(const config::StoreChange &)
{
    reconcile();
}

void Topology::reconcile()
{
    if (m_reconciling) {
        m_dirty = true; // a write of ours, or an observer's: go round once more
        return;
    }
    m_reconciling = true;
    // Each pass may write, which notifies us again; loop until a pass writes nothing.
    for (int pass = 0; pass < 16; ++pass) {
        m_dirty = false;
        const bool rolled = m_deployments.reconcile();
        const bool addressed = assignAddresses();
        if (!rolled && !addressed && !m_dirty) {
            break;
        }
    }
    m_reconciling = false;
}

bool Topology::assignAddresses()
{
    // What the store holds is the truth: deleted objects give their addresses back.
    std::set<Ipv4> podIps;
    std::vector<const config::StoredObject *> unaddressedPods;
    for (const config::StoredObject *object : m_store.list(config::Kind::Pod)) {
        if (const auto ip = podIpOf(object->resource)) {
            podIps.insert(*ip);
        } else {
            unaddressedPods.push_back(object);
        }
    }
    m_podIps.syncUsed(podIps);

    std::set<Ipv4> serviceIps{*parseIp("10.11.240.1"), *parseIp("10.11.240.10")};
    std::vector<const config::StoredObject *> unaddressedServices;
    for (const config::StoredObject *object : m_store.list(config::Kind::Service)) {
        const std::string text = clusterIpText(object->resource);
        if (const auto ip = parseIp(text)) {
            serviceIps.insert(*ip);
        } else if (text != "None") {
            unaddressedServices.push_back(object);
        }
    }
    m_serviceIps.syncUsed(serviceIps);

    std::vector<config::Store::ServerEdit> edits;
    for (const config::StoredObject *object : unaddressedPods) {
        const auto ip = m_podIps.allocate();
        if (!ip) {
            break;
        }
        edits.push_back({object->key(), [text = formatIp(*ip)](config::Node &document) {
                             config::Node *status = document.find("status");
                             if (!status || !status->isMap()) {
                                 status = &document.set("status", config::Node::makeMap());
                             }
                             if (!status->find("phase")) {
                                 status->set("phase", quotedScalar("Running"));
                             }
                             status->set("podIP", quotedScalar(text));
                         }});
    }
    for (const config::StoredObject *object : unaddressedServices) {
        const auto ip = m_serviceIps.allocate();
        if (!ip) {
            break;
        }
        edits.push_back({object->key(), [text = formatIp(*ip)](config::Node &document) {
                             config::Node *spec = document.find("spec");
                             if (spec && spec->isMap()) {
                                 spec->set("clusterIP", quotedScalar(text));
                             }
                         }});
    }
    return !edits.empty() && m_store.updateServerFields(edits);
}

void Topology::refresh() const
{
    if (m_viewRevision == m_store.revision()) {
        return;
    }
    m_pods.clear();
    m_services.clear();
    for (const config::StoredObject *object : m_store.list(config::Kind::Pod)) {
        m_pods.push_back(podView(*object));
    }
    for (const config::StoredObject *object : m_store.list(config::Kind::Service)) {
        m_services.push_back(serviceView(*object));
    }
    m_viewRevision = m_store.revision();
}

const std::vector<PodView> &Topology::pods() const
{
    refresh();
    return m_pods;
}

const std::vector<ServiceView> &Topology::services() const
{
    refresh();
    return m_services;
}

const PodView *Topology::pod(std::string_view nameSpace, std::string_view name) const
{
    for (const PodView &view : pods()) {
        if (view.nameSpace == nameSpace && view.name == name) {
            return &view;
        }
    }
    return nullptr;
}

const ServiceView *Topology::service(std::string_view nameSpace, std::string_view name) const
{
    for (const ServiceView &view : services()) {
        if (view.nameSpace == nameSpace && view.name == name) {
            return &view;
        }
    }
    return nullptr;
}

const ServiceView *Topology::serviceByHost(std::string_view fqdn) const
{
    for (const ServiceView &view : services()) {
        if (view.fqdn() == fqdn) {
            return &view;
        }
    }
    return nullptr;
}

const PodView *Topology::podByIp(Ipv4 ip) const
{
    for (const PodView &view : pods()) {
        if (ip != 0 && view.ip == ip) {
            return &view;
        }
    }
    return nullptr;
}

const ServiceView *Topology::serviceByClusterIp(Ipv4 ip) const
{
    for (const ServiceView &view : services()) {
        if (ip != 0 && view.clusterIP == ip) {
            return &view;
        }
    }
    return nullptr;
}

AddressOwner Topology::lookup(Ipv4 ip) const
{
    if (const PodView *found = podByIp(ip)) {
        return {AddressOwner::Kind::Pod, found, nullptr};
    }
    if (const ServiceView *found = serviceByClusterIp(ip)) {
        return {AddressOwner::Kind::Service, nullptr, found};
    }
    return {};
}

std::vector<const PodView *> Topology::selectedPods(const ServiceView &service) const
{
    std::vector<const PodView *> out;
    for (const PodView &view : pods()) {
        if (view.nameSpace == service.nameSpace && view.ip != 0 &&
            selectorMatches(service.selector, view.labels)) {
            out.push_back(&view);
        }
    }
    return out;
}

std::vector<ServiceEndpoint> Topology::endpoints(const ServiceView &service,
                                                 const config::ServicePortSpec &port) const
{
    std::vector<ServiceEndpoint> out;
    for (const PodView *selected : selectedPods(service)) {
        const int target = port.targetPortName.empty()
                               ? port.effectiveTargetPort()
                               : selected->containerPort(port.targetPortName);
        if (target > 0 && target <= 65535) {
            out.push_back({selected, static_cast<std::uint16_t>(target)});
        }
    }
    return out;
}

std::vector<const ServiceView *> Topology::servicesOf(const PodView &pod) const
{
    std::vector<const ServiceView *> out;
    for (const ServiceView &view : services()) {
        if (view.nameSpace == pod.nameSpace && selectorMatches(view.selector, pod.labels)) {
            out.push_back(&view);
        }
    }
    return out;
}

const PodView *Topology::egressGateway() const
{
    for (const PodView &view : pods()) {
        const auto label = view.labels.find("istio");
        if (label != view.labels.end() && label->second == "egressgateway") {
            return &view;
        }
    }
    return nullptr;
}

std::vector<const PodView *> Topology::proxies() const
{
    std::vector<const PodView *> out;
    for (const PodView &view : pods()) {
        if (view.isProxy() && view.ip != 0) {
            out.push_back(&view);
        }
    }
    return out;
}

std::vector<const PodView *> Topology::podsOf(std::string_view nameSpace,
                                              std::string_view deployment) const
{
    std::vector<const PodView *> out;
    for (const PodView &view : pods()) {
        if (view.nameSpace == nameSpace && view.deployment == deployment) {
            out.push_back(&view);
        }
    }
    return out;
}

} // namespace meshcraft::core::mesh
