// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/k8s_types.h"

namespace meshcraft::core::config {

namespace {

Container readContainer(const Node &node)
{
    Container container;
    container.name = readString(&node, "name");
    container.image = readString(&node, "image");
    container.command = readStringList(&node, "command");
    container.args = readStringList(&node, "args");
    for (const Node &item : readItems(&node, "env")) {
        container.env.push_back(
            EnvVar{readString(&item, "name"), readString(&item, "value"), item.mark});
    }
    for (const Node &item : readItems(&node, "ports")) {
        ContainerPort port;
        port.containerPort = readInt(&item, "containerPort");
        port.name = readString(&item, "name");
        port.protocol = readString(&item, "protocol", port.protocol);
        port.mark = item.mark;
        container.ports.push_back(std::move(port));
    }
    container.mark = node.mark;
    return container;
}

std::vector<Container> readContainers(const Node *spec, std::string_view key)
{
    std::vector<Container> out;
    for (const Node &item : readItems(spec, key)) {
        out.push_back(readContainer(item));
    }
    return out;
}

} // namespace

const Container *PodSpec::container(std::string_view name) const
{
    for (const Container &candidate : containers) {
        if (candidate.name == name) {
            return &candidate;
        }
    }
    return nullptr;
}

PodSpec podSpecFrom(const Node *spec)
{
    return PodSpec{readContainers(spec, "containers"), readContainers(spec, "initContainers")};
}

std::optional<NamespaceObject> namespaceFrom(const Resource &resource)
{
    if (resource.kind != Kind::Namespace) {
        return std::nullopt;
    }
    return NamespaceObject{resource.metadata};
}

std::optional<Pod> podFrom(const Resource &resource)
{
    if (resource.kind != Kind::Pod) {
        return std::nullopt;
    }
    return Pod{resource.metadata, podSpecFrom(resource.spec())};
}

std::optional<Deployment> deploymentFrom(const Resource &resource)
{
    if (resource.kind != Kind::Deployment) {
        return std::nullopt;
    }
    const Node *spec = resource.spec();
    Deployment deployment;
    deployment.metadata = resource.metadata;
    deployment.replicas = readInt(spec, "replicas", deployment.replicas);
    deployment.selector = readStringMap(readMap(spec, "selector"), "matchLabels");
    const Node *templ = readMap(spec, "template");
    const Node *templMeta = readMap(templ, "metadata");
    deployment.templ.labels = readStringMap(templMeta, "labels");
    deployment.templ.annotations = readStringMap(templMeta, "annotations");
    deployment.templ.spec = podSpecFrom(readMap(templ, "spec"));
    return deployment;
}

std::optional<ServiceObject> serviceFrom(const Resource &resource)
{
    if (resource.kind != Kind::Service) {
        return std::nullopt;
    }
    const Node *spec = resource.spec();
    ServiceObject service;
    service.metadata = resource.metadata;
    service.type = readString(spec, "type", service.type);
    service.clusterIP = readString(spec, "clusterIP");
    service.selector = readStringMap(spec, "selector");
    for (const Node &item : readItems(spec, "ports")) {
        ServicePortSpec port;
        port.name = readString(&item, "name");
        port.port = readInt(&item, "port");
        port.targetPort = readInt(&item, "targetPort");
        port.targetPortName = readString(&item, "targetPort");
        port.protocol = readString(&item, "protocol", port.protocol);
        port.mark = item.mark;
        service.ports.push_back(std::move(port));
    }
    return service;
}

std::optional<ConfigMapObject> configMapFrom(const Resource &resource)
{
    if (resource.kind != Kind::ConfigMap) {
        return std::nullopt;
    }
    ConfigMapObject configMap;
    configMap.metadata = resource.metadata;
    if (const Node *data = readMap(&resource.document, "data")) {
        for (const MapEntry &entry : data->entries) {
            if (entry.value.isScalar() && entry.value.isString()) {
                configMap.data[entry.key] = entry.value.scalar;
                configMap.dataMarks[entry.key] = entry.value.mark;
            }
        }
    }
    return configMap;
}

} // namespace meshcraft::core::config
