// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/kube_inject.h"

#include "core/config/yaml_loader.h"
#include "core/shell/tools/go_yaml.h"

#include <string>
#include <vector>

namespace meshcraft::core::shell::tools {

using config::Node;

namespace {

// sha256 of the 1.3.0 injection template as istioctl stamps it in the status annotation; the
// value only has to be stable, since nothing here recomputes it.
constexpr std::string_view TemplateVersion =
    "610f2b5742375d30d7f484e296fd022086a4c611b5a6b136bcf0758767fefecc";

struct RawDocument
{
    std::string text;
    int firstLine = 1;
};

// kubectl's and istioctl's YAML reader split a stream at lines that start with "---".
std::vector<RawDocument> splitDocuments(std::string_view yaml)
{
    std::vector<RawDocument> documents(1);
    int line = 1;
    std::size_t start = 0;
    while (start < yaml.size()) {
        std::size_t end = yaml.find('\n', start);
        const std::size_t next = end == std::string_view::npos ? yaml.size() : end + 1;
        const std::string_view text = yaml.substr(start, next - start);
        const bool separator = text.starts_with("---") && (text.size() == 3 || text[3] == ' ' ||
                                                           text[3] == '\n' || text[3] == '\r');
        if (separator) {
            documents.push_back(RawDocument{{}, line + 1});
        } else {
            documents.back().text += text;
        }
        ++line;
        start = next;
    }
    return documents;
}

bool hasContent(std::string_view text)
{
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view line = text.substr(start, end - start);
        const auto first = line.find_first_not_of(" \t\r");
        if (first != std::string_view::npos && line[first] != '#') {
            return true;
        }
        start = end + 1;
    }
    return false;
}

Node str(std::string value)
{
    return Node::makeScalar(std::move(value), true);
}

Node integer(int value)
{
    return Node::makeScalar(std::to_string(value));
}

Node boolean(bool value)
{
    return Node::makeScalar(value ? "true" : "false");
}

Node stringList(const std::vector<std::string> &values)
{
    Node list = Node::makeSequence();
    for (const std::string &value : values) {
        list.items.push_back(str(value));
    }
    return list;
}

Node &mapAt(Node &parent, const std::string &key)
{
    Node *existing = parent.find(key);
    if (existing && existing->isMap()) {
        return *existing;
    }
    return parent.set(key, Node::makeMap());
}

Node &listAt(Node &parent, const std::string &key)
{
    Node *existing = parent.find(key);
    if (existing && existing->isSequence()) {
        return *existing;
    }
    return parent.set(key, Node::makeSequence());
}

std::string textAt(const Node &parent, std::string_view key)
{
    const Node *value = parent.find(key);
    return value && value->isScalar() ? value->scalar : std::string();
}

const Node *valueAt(const Node &values, std::initializer_list<std::string_view> path)
{
    const Node *node = &values;
    for (const std::string_view key : path) {
        node = node->find(key);
        if (!node) {
            return nullptr;
        }
    }
    return node;
}

Node envFieldRef(const std::string &name, const std::string &fieldPath)
{
    Node fieldRef = Node::makeMap();
    fieldRef.set("fieldPath", str(fieldPath));
    Node valueFrom = Node::makeMap();
    valueFrom.set("fieldRef", std::move(fieldRef));
    Node env = Node::makeMap();
    env.set("name", str(name));
    env.set("valueFrom", std::move(valueFrom));
    return env;
}

Node envValue(const std::string &name, const std::string &value)
{
    Node env = Node::makeMap();
    env.set("name", str(name));
    env.set("value", str(value));
    return env;
}

// Typed Go objects always print these, whatever the input had.
void normalizeContainers(Node &podSpec)
{
    for (const char *key : {"containers", "initContainers"}) {
        Node *containers = podSpec.find(key);
        if (!containers || !containers->isSequence()) {
            continue;
        }
        for (Node &container : containers->items) {
            if (container.isMap() && !container.find("resources")) {
                container.set("resources", Node::makeMap());
            }
        }
    }
}

void normalizeMetadata(Node &metadata)
{
    if (!metadata.find("creationTimestamp")) {
        metadata.set("creationTimestamp", Node());
    }
}

/// What the template needs to know about the workload.
struct Workload
{
    std::string name;      ///< the pod's or the Deployment's name
    std::string nameSpace; ///< "default" when the file does not say
    std::string ownerUri;  ///< kubernetes://api/v1/namespaces/default/pods/busybox
    std::string appLabel;
};

struct InjectionValues
{
    Node resources;
    bool cni = false;
};

InjectionValues injectionValues(const Node &meshValues)
{
    InjectionValues values;
    if (const Node *resources = valueAt(meshValues, {"global", "proxy", "resources"});
        resources && resources->isMap()) {
        values.resources = *resources;
    } else {
        values.resources = Node::makeMap();
        Node requests = Node::makeMap();
        requests.set("cpu", str("100m"));
        requests.set("memory", str("128Mi"));
        Node limits = Node::makeMap();
        limits.set("cpu", str("2"));
        limits.set("memory", str("1Gi"));
        values.resources.set("limits", std::move(limits));
        values.resources.set("requests", std::move(requests));
    }
    if (const Node *cni = valueAt(meshValues, {"istio_cni", "enabled"})) {
        values.cni = cni->asBool().value_or(false);
    }
    return values;
}

std::vector<int> containerPorts(const Node &podSpec)
{
    std::vector<int> ports;
    const Node *containers = podSpec.find("containers");
    if (!containers || !containers->isSequence()) {
        return ports;
    }
    for (const Node &container : containers->items) {
        const Node *list = container.find("ports");
        if (!list || !list->isSequence()) {
            continue;
        }
        for (const Node &port : list->items) {
            if (const Node *number = port.find("containerPort")) {
                if (const auto value = number->asInt()) {
                    ports.push_back(static_cast<int>(*value));
                }
            }
        }
    }
    return ports;
}

std::string joinPorts(const std::vector<int> &ports)
{
    std::string out;
    for (const int port : ports) {
        out += (out.empty() ? "" : ",") + std::to_string(port);
    }
    return out;
}

// The template renders ISTIO_META_POD_PORTS as a JSON list, one port object per line.
std::string podPortsJson(const Node &podSpec)
{
    std::string out = "[";
    bool first = true;
    const Node *containers = podSpec.find("containers");
    if (containers && containers->isSequence()) {
        for (const Node &container : containers->items) {
            const Node *list = container.find("ports");
            if (!list || !list->isSequence()) {
                continue;
            }
            for (const Node &port : list->items) {
                out += first ? "\n" : "\n,";
                out += config::toJson(port);
                first = false;
            }
        }
    }
    return out + "\n]";
}

Node proxyContainer(const Workload &workload, const Node &podSpec, const InjectionValues &values)
{
    const std::vector<int> ports = containerPorts(podSpec);
    const std::string serviceCluster =
        (workload.appLabel.empty() ? std::string("istio-proxy") : workload.appLabel) + '.' +
        workload.nameSpace;

    Node container = Node::makeMap();
    container.set("args", stringList({"proxy",
                                      "sidecar",
                                      "--domain",
                                      "$(POD_NAMESPACE).svc.cluster.local",
                                      "--configPath",
                                      "/etc/istio/proxy",
                                      "--binaryPath",
                                      "/usr/local/bin/envoy",
                                      "--serviceCluster",
                                      serviceCluster,
                                      "--drainDuration",
                                      "45s",
                                      "--parentShutdownDuration",
                                      "1m0s",
                                      "--discoveryAddress",
                                      "istio-pilot.istio-system:15010",
                                      "--dnsRefreshRate",
                                      "300s",
                                      "--connectTimeout",
                                      "10s",
                                      "--proxyAdminPort",
                                      "15000",
                                      "--concurrency",
                                      "2",
                                      "--controlPlaneAuthPolicy",
                                      "NONE",
                                      "--statusPort",
                                      "15020",
                                      "--applicationPorts",
                                      joinPorts(ports)}));

    Node env = Node::makeSequence();
    env.items.push_back(envFieldRef("POD_NAME", "metadata.name"));
    env.items.push_back(envValue("ISTIO_META_POD_PORTS", podPortsJson(podSpec)));
    env.items.push_back(envValue("ISTIO_META_CLUSTER_ID", "Kubernetes"));
    env.items.push_back(envFieldRef("POD_NAMESPACE", "metadata.namespace"));
    env.items.push_back(envFieldRef("INSTANCE_IP", "status.podIP"));
    env.items.push_back(envFieldRef("SERVICE_ACCOUNT", "spec.serviceAccountName"));
    env.items.push_back(envFieldRef("ISTIO_META_POD_NAME", "metadata.name"));
    env.items.push_back(envFieldRef("ISTIO_META_CONFIG_NAMESPACE", "metadata.namespace"));
    env.items.push_back(envValue("SDS_ENABLED", "false"));
    env.items.push_back(envValue("ISTIO_META_INTERCEPTION_MODE", "REDIRECT"));
    env.items.push_back(envValue("ISTIO_META_INCLUDE_INBOUND_PORTS", joinPorts(ports)));
    env.items.push_back(envValue("ISTIO_META_WORKLOAD_NAME", workload.name));
    env.items.push_back(envValue("ISTIO_META_OWNER", workload.ownerUri));
    container.set("env", std::move(env));

    container.set("image", str(std::string(ProxyImage)));
    container.set("imagePullPolicy", str("IfNotPresent"));
    container.set("name", str("istio-proxy"));

    Node port = Node::makeMap();
    port.set("containerPort", integer(15090));
    port.set("name", str("http-envoy-prom"));
    port.set("protocol", str("TCP"));
    Node portList = Node::makeSequence();
    portList.items.push_back(std::move(port));
    container.set("ports", std::move(portList));

    Node httpGet = Node::makeMap();
    httpGet.set("path", str("/healthz/ready"));
    httpGet.set("port", integer(15020));
    Node probe = Node::makeMap();
    probe.set("failureThreshold", integer(30));
    probe.set("httpGet", std::move(httpGet));
    probe.set("initialDelaySeconds", integer(1));
    probe.set("periodSeconds", integer(2));
    container.set("readinessProbe", std::move(probe));

    container.set("resources", values.resources);

    Node security = Node::makeMap();
    security.set("readOnlyRootFilesystem", boolean(true));
    security.set("runAsUser", integer(1337));
    container.set("securityContext", std::move(security));

    Node envoyMount = Node::makeMap();
    envoyMount.set("mountPath", str("/etc/istio/proxy"));
    envoyMount.set("name", str("istio-envoy"));
    Node certsMount = Node::makeMap();
    certsMount.set("mountPath", str("/etc/certs/"));
    certsMount.set("name", str("istio-certs"));
    certsMount.set("readOnly", boolean(true));
    Node mounts = Node::makeSequence();
    mounts.items.push_back(std::move(envoyMount));
    mounts.items.push_back(std::move(certsMount));
    container.set("volumeMounts", std::move(mounts));
    return container;
}

// Only without Istio CNI: the init container that programs iptables.
Node initContainer()
{
    Node container = Node::makeMap();
    container.set("args", stringList({"-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
                                      "-i", "*", "-x", "", "-b", "*", "-d", "15020"}));
    container.set("image", str("docker.io/istio/proxy_init:1.3.0"));
    container.set("imagePullPolicy", str("IfNotPresent"));
    container.set("name", str("istio-init"));
    Node requests = Node::makeMap();
    requests.set("cpu", str("10m"));
    requests.set("memory", str("10Mi"));
    Node limits = Node::makeMap();
    limits.set("cpu", str("100m"));
    limits.set("memory", str("50Mi"));
    Node resources = Node::makeMap();
    resources.set("limits", std::move(limits));
    resources.set("requests", std::move(requests));
    container.set("resources", std::move(resources));
    Node add = Node::makeSequence();
    add.items.push_back(str("NET_ADMIN"));
    Node capabilities = Node::makeMap();
    capabilities.set("add", std::move(add));
    Node security = Node::makeMap();
    security.set("capabilities", std::move(capabilities));
    security.set("runAsNonRoot", boolean(false));
    security.set("runAsUser", integer(0));
    container.set("securityContext", std::move(security));
    return container;
}

bool injectionWanted(const Node &podMetadata, const Node &podSpec)
{
    if (const Node *annotations = podMetadata.find("annotations")) {
        if (annotations->find("sidecar.istio.io/status")) {
            return false;
        }
        if (const Node *inject = annotations->find("sidecar.istio.io/inject")) {
            const std::string value = inject->scalar;
            if (value == "false" || value == "n" || value == "no" || value == "off") {
                return false;
            }
        }
    }
    if (const Node *hostNetwork = podSpec.find("hostNetwork")) {
        return !hostNetwork->asBool().value_or(false);
    }
    return true;
}

void injectPod(Node &podMetadata, Node &podSpec, const Workload &workload,
               const InjectionValues &values)
{
    if (!injectionWanted(podMetadata, podSpec)) {
        return;
    }
    const std::vector<int> ports = containerPorts(podSpec);
    listAt(podSpec, "containers").items.push_back(proxyContainer(workload, podSpec, values));
    if (!values.cni) {
        listAt(podSpec, "initContainers").items.push_back(initContainer());
    }

    const std::string serviceAccount = textAt(podSpec, "serviceAccountName");
    Node memory = Node::makeMap();
    memory.set("medium", str("Memory"));
    Node envoyVolume = Node::makeMap();
    envoyVolume.set("emptyDir", std::move(memory));
    envoyVolume.set("name", str("istio-envoy"));
    Node secret = Node::makeMap();
    secret.set("optional", boolean(true));
    secret.set("secretName",
               str("istio." + (serviceAccount.empty() ? std::string("default") : serviceAccount)));
    Node certsVolume = Node::makeMap();
    certsVolume.set("name", str("istio-certs"));
    certsVolume.set("secret", std::move(secret));
    Node &volumes = listAt(podSpec, "volumes");
    volumes.items.push_back(std::move(envoyVolume));
    volumes.items.push_back(std::move(certsVolume));

    Node &annotations = mapAt(podMetadata, "annotations");
    annotations.set("sidecar.istio.io/interceptionMode", str("REDIRECT"));
    annotations.set("sidecar.istio.io/status",
                    str("{\"version\":\"" + std::string(TemplateVersion) +
                        "\",\"initContainers\":" + (values.cni ? "null" : "[\"istio-init\"]") +
                        ",\"containers\":[\"istio-proxy\"],\"volumes\":[\"istio-envoy\","
                        "\"istio-certs\"],\"imagePullSecrets\":null}"));
    annotations.set("traffic.sidecar.istio.io/excludeInboundPorts", str("15020"));
    if (!ports.empty()) {
        annotations.set("traffic.sidecar.istio.io/includeInboundPorts", str(joinPorts(ports)));
    }
    annotations.set("traffic.sidecar.istio.io/includeOutboundIPRanges", str("*"));
}

std::string labelOf(const Node &metadata, std::string_view label)
{
    if (const Node *labels = metadata.find("labels")) {
        return textAt(*labels, label);
    }
    return {};
}

std::string namespaceOf(const Node &metadata)
{
    const std::string nameSpace = textAt(metadata, "namespace");
    return nameSpace.empty() ? std::string("default") : nameSpace;
}

void injectDocument(Node &root, const std::string &kind, const InjectionValues &values)
{
    Node &metadata = mapAt(root, "metadata");
    normalizeMetadata(metadata);
    Node &spec = mapAt(root, "spec");
    Workload workload;
    workload.name = textAt(metadata, "name");
    workload.nameSpace = namespaceOf(metadata);
    if (kind == "Pod") {
        workload.ownerUri =
            "kubernetes://api/v1/namespaces/" + workload.nameSpace + "/pods/" + workload.name;
        workload.appLabel = labelOf(metadata, "app");
        injectPod(metadata, spec, workload, values);
        normalizeContainers(spec);
    } else {
        workload.ownerUri = "kubernetes://apis/apps/v1/namespaces/" + workload.nameSpace +
                            "/deployments/" + workload.name;
        if (!spec.find("strategy")) {
            spec.set("strategy", Node::makeMap());
        }
        Node &templ = mapAt(spec, "template");
        Node &podMetadata = mapAt(templ, "metadata");
        normalizeMetadata(podMetadata);
        Node &podSpec = mapAt(templ, "spec");
        workload.appLabel = labelOf(podMetadata, "app");
        injectPod(podMetadata, podSpec, workload, values);
        normalizeContainers(podSpec);
    }
    if (!root.find("status")) {
        root.set("status", Node::makeMap());
    }
}

} // namespace

common::Result<std::string> kubeInject(std::string_view yaml, const std::string &source,
                                       const config::Node &meshValues)
{
    const InjectionValues values = injectionValues(meshValues);
    std::string out;
    for (const RawDocument &raw : splitDocuments(yaml)) {
        if (!hasContent(raw.text)) {
            continue;
        }
        config::YamlLoadResult loaded = config::loadYaml(raw.text, source);
        if (common::hasErrors(loaded.diagnostics) || loaded.documents.empty()) {
            std::string message = "error converting YAML to JSON: yaml";
            for (const common::Diagnostic &diagnostic : loaded.diagnostics) {
                if (diagnostic.severity == common::Severity::Error) {
                    message += ": line " +
                               std::to_string(diagnostic.location.line + raw.firstLine - 1) + ": " +
                               diagnostic.message;
                    break;
                }
            }
            return common::fail("istioctl.yaml", message);
        }
        Node &root = loaded.documents.front().root;
        const std::string kind = root.isMap() ? textAt(root, "kind") : std::string();
        if (kind == "Pod" || kind == "Deployment") {
            injectDocument(root, kind, values);
            out += marshalGoYaml(root);
        } else {
            out += raw.text;
            if (!out.empty() && out.back() != '\n') {
                out += '\n';
            }
        }
        out += "---\n";
    }
    return out;
}

} // namespace meshcraft::core::shell::tools
