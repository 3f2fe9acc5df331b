// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/node_read.h"
#include "core/config/resource.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meshcraft::core::config {

// Typed views of the Kubernetes objects the workshop uses, read tolerantly like the Istio ones.

struct EnvVar
{
    std::string name;
    std::string value;
    Mark mark;
};

struct ContainerPort
{
    int containerPort = 0;
    std::string name;
    std::string protocol = "TCP"; ///< Kubernetes' default
    Mark mark;
};

struct Container
{
    std::string name;
    std::string image;
    std::vector<std::string> command;
    std::vector<std::string> args;
    std::vector<EnvVar> env;
    std::vector<ContainerPort> ports;
    Mark mark;
};

struct PodSpec
{
    std::vector<Container> containers;
    std::vector<Container> initContainers;

    /// The container with this name, or null.
    const Container *container(std::string_view name) const;
};

struct NamespaceObject
{
    ObjectMeta metadata;
};

struct Pod
{
    ObjectMeta metadata;
    PodSpec spec;
};

struct PodTemplate
{
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    PodSpec spec;
};

struct Deployment
{
    ObjectMeta metadata;
    int replicas = 1;                            ///< Kubernetes' default when unset
    std::map<std::string, std::string> selector; ///< spec.selector.matchLabels
    PodTemplate templ;
};

struct ServicePortSpec
{
    std::string name;
    int port = 0;
    int targetPort = 0;         ///< numeric targetPort; 0 when unset or named
    std::string targetPortName; ///< named targetPort
    std::string protocol = "TCP";
    Mark mark;

    /// The port traffic is delivered to when targetPort is numeric or unset.
    int effectiveTargetPort() const { return targetPort > 0 ? targetPort : port; }
};

struct ServiceObject
{
    ObjectMeta metadata;
    std::string type = "ClusterIP";
    std::string clusterIP;
    std::map<std::string, std::string> selector;
    std::vector<ServicePortSpec> ports;
};

struct ConfigMapObject
{
    ObjectMeta metadata;
    std::map<std::string, std::string> data;
    std::map<std::string, Mark> dataMarks; ///< where each data value starts
};

/// Each returns nullopt when the resource is of another kind.
std::optional<NamespaceObject> namespaceFrom(const Resource &resource);
std::optional<Pod> podFrom(const Resource &resource);
std::optional<Deployment> deploymentFrom(const Resource &resource);
std::optional<ServiceObject> serviceFrom(const Resource &resource);
std::optional<ConfigMapObject> configMapFrom(const Resource &resource);

/// A pod spec read from a `spec` node (a Pod's, or a Deployment template's).
PodSpec podSpecFrom(const Node *spec);

} // namespace meshcraft::core::config
