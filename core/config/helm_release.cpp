// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/helm_release.h"

#include "core/common/text.h"
#include "core/config/node_read.h"
#include "core/config/yaml_loader.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace meshcraft::core::config {

using common::Diagnostic;
using common::Severity;

namespace {

constexpr const char *EgressGateway = "istio-egressgateway";

Node str(std::string text)
{
    return Node::makeScalar(std::move(text), true);
}

Node num(int value)
{
    return Node::makeScalar(std::to_string(value));
}

// A value printed by a template and read back by the API server: its text, re-typed.
Node printed(const Node &value)
{
    if (!value.isScalar()) {
        return value;
    }
    return Node::makeScalar(value.scalar);
}

Node mapOf(std::initializer_list<std::pair<std::string, Node>> entries)
{
    Node map = Node::makeMap();
    for (const auto &[key, value] : entries) {
        map.set(key, value);
    }
    return map;
}

Node listOf(std::initializer_list<Node> items)
{
    Node list = Node::makeSequence();
    list.items.assign(items.begin(), items.end());
    return list;
}

// `{{ .Values.x }}` as Go's text/template prints it.
std::string templateText(const Node &values, std::string_view path)
{
    const Node *node = lookupValue(values, path);
    if (!node || node->isNull()) {
        return "<no value>";
    }
    return node->isScalar() ? node->scalar : toJson(*node);
}

// `{{ if .Values.x }}`: false, 0, null and empty values are false.
bool truthy(const Node *node)
{
    if (!node || node->isNullValue()) {
        return false;
    }
    if (node->isMap()) {
        return !node->entries.empty();
    }
    if (node->isSequence()) {
        return !node->items.empty();
    }
    if (!node->quoted) {
        if (const auto flag = node->asBool()) {
            return *flag;
        }
        if (const auto number = node->asInt()) {
            return *number != 0;
        }
    }
    return !node->scalar.empty();
}

Node standardLabels(const std::string &chart, const std::string &release)
{
    return mapOf({{"chart", str(chart)}, {"heritage", str("Tiller")}, {"release", str(release)}});
}

void addLabels(Node &target, const Node *labels)
{
    if (!labels || !labels->isMap()) {
        return;
    }
    for (const MapEntry &entry : labels->entries) {
        target.set(entry.key, printed(entry.value));
    }
}

Node objectDocument(const char *apiVersion, const char *kind, const std::string &name,
                    const std::string &nameSpace, Node labels)
{
    Node metadata = mapOf({{"name", str(name)}});
    if (!nameSpace.empty()) {
        metadata.set("namespace", str(nameSpace));
    }
    if (!labels.entries.empty()) {
        metadata.set("labels", std::move(labels));
    }
    return mapOf({{"apiVersion", str(apiVersion)}, {"kind", str(kind)}, {"metadata", metadata}});
}

// The entries of a port map in Go's map order (sorted keys), each printed.
Node printedSorted(const Node &map)
{
    if (!map.isMap()) {
        return printed(map);
    }
    std::vector<const MapEntry *> entries;
    for (const MapEntry &entry : map.entries) {
        entries.push_back(&entry);
    }
    std::sort(entries.begin(), entries.end(),
              [](const MapEntry *a, const MapEntry *b) { return a->key < b->key; });
    Node out = Node::makeMap();
    for (const MapEntry *entry : entries) {
        out.set(entry->key, printed(entry->value));
    }
    return out;
}

Node egressService(const Node &spec, const std::string &release, const std::string &nameSpace)
{
    Node labels = standardLabels("gateways", release);
    addLabels(labels, spec.find("labels"));
    Node document = objectDocument("v1", "Service", EgressGateway, nameSpace, labels);
    if (const Node *annotations = spec.find("serviceAnnotations"); truthy(annotations)) {
        document.find("metadata")->set("annotations", printedSorted(*annotations));
    }
    Node selector = mapOf({{"release", str(release)}});
    addLabels(selector, spec.find("labels"));
    Node ports = Node::makeSequence();
    for (const Node &port : readItems(&spec, "ports")) {
        ports.items.push_back(printedSorted(port));
    }
    const Node *type = spec.find("type");
    document.set("spec",
                 mapOf({{"type", type && type->isScalar() ? printed(*type) : str("ClusterIP")},
                        {"selector", selector},
                        {"ports", ports}}));
    return document;
}

Node egressDeployment(const Node &values, const Node &spec, const std::string &release,
                      const std::string &nameSpace)
{
    Node labels = standardLabels("gateways", release);
    addLabels(labels, spec.find("labels"));
    Node document = objectDocument("apps/v1", "Deployment", EgressGateway, nameSpace, labels);

    Node matchLabels = Node::makeMap();
    addLabels(matchLabels, spec.find("labels"));
    Node ports = Node::makeSequence();
    for (const Node &port : readItems(&spec, "ports")) {
        const Node *target = port.find("targetPort");
        const Node *number = truthy(target) ? target : port.find("port");
        ports.items.push_back(mapOf({{"containerPort", number ? printed(*number) : num(0)}}));
    }
    ports.items.push_back(mapOf({{"containerPort", num(15090)},
                                 {"protocol", str("TCP")},
                                 {"name", str("http-envoy-prom")}}));
    Node env = listOf({
        mapOf({{"name", str("POD_NAME")},
               {"valueFrom", mapOf({{"fieldRef", mapOf({{"apiVersion", str("v1")},
                                                        {"fieldPath", str("metadata.name")}})}})}}),
        mapOf({{"name", str("POD_NAMESPACE")},
               {"valueFrom",
                mapOf({{"fieldRef", mapOf({{"apiVersion", str("v1")},
                                           {"fieldPath", str("metadata.namespace")}})}})}}),
        mapOf({{"name", str("INSTANCE_IP")},
               {"valueFrom", mapOf({{"fieldRef", mapOf({{"apiVersion", str("v1")},
                                                        {"fieldPath", str("status.podIP")}})}})}}),
    });
    if (const Node *extra = spec.find("env"); extra && extra->isMap()) {
        for (const MapEntry &entry : extra->entries) {
            env.items.push_back(
                mapOf({{"name", str(entry.key)}, {"value", str(entry.value.scalar)}}));
        }
    }
    const std::string image = templateText(values, "global.hub") + "/" +
                              templateText(values, "global.proxy.image") + ":" +
                              templateText(values, "global.tag");
    Node args = listOf({str("proxy"),
                        str("router"),
                        str("--domain"),
                        str("$(POD_NAMESPACE).svc.cluster.local"),
                        str("--log_output_level=default:info"),
                        str("--drainDuration"),
                        str("45s"),
                        str("--parentShutdownDuration"),
                        str("1m0s"),
                        str("--connectTimeout"),
                        str("10s"),
                        str("--serviceCluster"),
                        str(EgressGateway),
                        str("--proxyAdminPort"),
                        str("15000"),
                        str("--statusPort"),
                        str("15020"),
                        str("--controlPlaneAuthPolicy"),
                        str("NONE"),
                        str("--discoveryAddress"),
                        str("istio-pilot:15010")});
    Node container =
        mapOf({{"name", str("istio-proxy")},
               {"image", str(image)},
               {"imagePullPolicy", str(templateText(values, "global.imagePullPolicy"))},
               {"ports", ports},
               {"args", args},
               {"env", env}});
    Node podLabels = standardLabels("gateways", release);
    addLabels(podLabels, spec.find("labels"));
    Node templ = mapOf(
        {{"metadata", mapOf({{"labels", podLabels},
                             {"annotations", mapOf({{"sidecar.istio.io/inject", str("false")}})}})},
         {"spec",
          mapOf({{"serviceAccountName", str(std::string(EgressGateway) + "-service-account")},
                 {"containers", listOf({container})}})}});
    Node deploymentSpec = Node::makeMap();
    if (!truthy(spec.find("autoscaleEnabled"))) {
        const Node *replicas = spec.find("replicaCount");
        deploymentSpec.set("replicas", truthy(replicas) ? printed(*replicas) : num(1));
    }
    deploymentSpec.set("selector", mapOf({{"matchLabels", matchLabels}}));
    deploymentSpec.set("template", templ);
    document.set("spec", deploymentSpec);
    return document;
}

Node meshConfigMap(const Node &values, const std::string &release, const std::string &nameSpace)
{
    Node labels = mapOf({{"app", str("istio")},
                         {"chart", str("istio")},
                         {"heritage", str("Tiller")},
                         {"release", str(release)}});
    Node document = objectDocument("v1", "ConfigMap", "istio", nameSpace, labels);
    document.set("data", mapOf({{"mesh", str(renderMeshConfigText(values, nameSpace))},
                                {"meshNetworks", str("networks: {}")}}));
    return document;
}

Node namespaceDocument(const std::string &name)
{
    return objectDocument("v1", "Namespace", name, {}, Node::makeMap());
}

std::vector<Resource> toResources(const std::vector<Node> &documents, const std::string &source)
{
    std::vector<Resource> out;
    common::Diagnostics ignored; // built in code: identities are always complete
    int index = 0;
    for (const Node &document : documents) {
        if (auto resource =
                resourceFromDocument(YamlDocument{document, index++, {}}, source, ignored)) {
            out.push_back(std::move(*resource));
        }
    }
    return out;
}

std::string valueText(const Node *node)
{
    return node ? toJson(*node) : std::string("(unset)");
}

} // namespace

std::string renderMeshConfigText(const Node &values, const std::string &releaseNamespace)
{
    const auto v = [&](std::string_view path) { return templateText(values, path); };
    const std::string &ns = releaseNamespace;
    std::string mesh;
    mesh += "# Set the following variable to true to disable policy checks by the Mixer.\n"
            "# Note that metrics will still be reported to the Mixer.\n";
    mesh += "disablePolicyChecks: " + v("global.disablePolicyChecks") + "\n\n";
    mesh += "# policyCheckFailOpen allows traffic in cases when the mixer policy service cannot "
            "be reached.\n";
    mesh += "policyCheckFailOpen: " + v("global.policyCheckFailOpen") + "\n\n";
    mesh += "# Set enableTracing to false to disable request tracing.\n";
    mesh += "enableTracing: " + v("global.enableTracing") + "\n\n";
    mesh += "# Set accessLogFile to empty string to disable access log.\n";
    mesh += "accessLogFile: \"" + v("global.proxy.accessLogFile") + "\"\n\n";
    mesh += "accessLogFormat: \"" + v("global.proxy.accessLogFormat") + "\"\n\n";
    mesh += "accessLogEncoding: '" + v("global.proxy.accessLogEncoding") + "'\n\n";
    mesh +=
        "enableEnvoyAccessLogService: " + v("global.proxy.envoyAccessLogService.enabled") + "\n\n";
    mesh += "mixerCheckServer: istio-policy." + ns + ".svc.cluster.local:9091\n";
    mesh += "mixerReportServer: istio-telemetry." + ns + ".svc.cluster.local:9091\n";
    mesh += "# This is the k8s ingress service name, update if you used a different name\n"
            "ingressService: \"istio-ingressgateway\"\n"
            "ingressControllerMode: \"OFF\"\n"
            "ingressClass: \"istio\"\n\n";
    mesh += "# TCP connection timeout between Envoy & the application, and between Envoys.\n"
            "connectTimeout: 10s\n\n";
    mesh += "# Automatic protocol detection uses a set of heuristics to determine whether the "
            "connection is using TLS or not.\n";
    mesh += "protocolDetectionTimeout: " + v("global.proxy.protocolDetectionTimeout") + "\n\n";
    mesh += "# Set the default behavior of the sidecar for handling outbound traffic from the "
            "application:\n"
            "# ALLOW_ANY - outbound traffic to unknown destinations will be allowed, in case "
            "there are no\n"
            "#   services or ServiceEntries for the destination port\n"
            "# REGISTRY_ONLY - restrict outbound traffic to services defined in the service "
            "registry as well\n"
            "#   as those defined through ServiceEntries\n";
    mesh += "outboundTrafficPolicy:\n  mode: " + v("global.outboundTrafficPolicy.mode") + "\n\n";
    mesh += "localityLbSetting:\n  enabled: " + v("global.localityLbSetting.enabled") + "\n\n";
    mesh += "configSources:\n- address: istio-galley." + ns + ".svc:9901\n\n";
    mesh += "defaultConfig:\n"
            "  #\n"
            "  # TCP connection timeout between Envoy & the application, and between Envoys.\n"
            "  connectTimeout: 10s\n"
            "  #\n"
            "  ### ADVANCED SETTINGS #############\n"
            "  # Where should envoy's configuration be stored in the istio-proxy container\n"
            "  configPath: \"/etc/istio/proxy\"\n"
            "  binaryPath: \"/usr/local/bin/envoy\"\n"
            "  # The pseudo service name used for Envoy.\n"
            "  serviceCluster: istio-proxy\n"
            "  # These settings that determine how long an old Envoy\n"
            "  # process should be kept alive after an occasional reload.\n"
            "  drainDuration: 45s\n"
            "  parentShutdownDuration: 1m0s\n"
            "  #\n"
            "  # Port where Envoy listens (on local host) for admin commands\n"
            "  proxyAdminPort: 15000\n"
            "  #\n"
            "  # Set concurrency to a specific number to control the number of Proxy worker "
            "threads.\n";
    mesh += "  concurrency: " + v("global.proxy.concurrency") + "\n";
    mesh += "  #\n"
            "  tracing:\n"
            "    zipkin:\n"
            "      # Address of the Zipkin collector\n"
            "      address: zipkin." +
            ns + ":9411\n";
    mesh += "  #\n"
            "  # Mutual TLS authentication between sidecars and istio control plane.\n"
            "  controlPlaneAuthPolicy: NONE\n"
            "  #\n"
            "  # Address where istio Pilot service is running\n"
            "  discoveryAddress: istio-pilot." +
            ns + ":15010";
    return mesh;
}

HelmRelease::HelmRelease(Store &store, const HelmChart &chart, std::string name,
                         std::string nameSpace)
    : m_store(store), m_chart(chart), m_name(std::move(name)), m_nameSpace(std::move(nameSpace))
{
}

std::string HelmRelease::chartName() const
{
    return m_chart.name() + "-" + m_chart.version();
}

Node HelmRelease::computedValues() const
{
    return coalesceValues(m_values, m_chart.defaults());
}

common::Result<HelmOutcome> HelmRelease::install(const HelmValuesInput &values)
{
    if (isInstalled()) {
        return common::fail("helm.release-exists",
                            "a release named " + m_name + " already exists.\nRun: helm ls --all " +
                                m_name +
                                "; to check the status of the release\nOr run: helm "
                                "del --purge " +
                                m_name + "; to delete it");
    }
    auto supplied = buildValues(values);
    if (!supplied) {
        return tl::unexpected(supplied.error());
    }
    common::Diagnostics notes = m_chart.unknownKeyNotes(*supplied);
    return commit(std::move(*supplied), std::move(notes));
}

common::Result<HelmOutcome> HelmRelease::upgrade(const HelmUpgradeOptions &options)
{
    if (!isInstalled()) {
        return common::fail("helm.no-release",
                            "UPGRADE FAILED: \"" + m_name + "\" has no deployed releases");
    }
    auto supplied = buildValues(options.values);
    if (!supplied) {
        return tl::unexpected(supplied.error());
    }
    common::Diagnostics notes = m_chart.unknownKeyNotes(*supplied);
    Node values;
    if (options.resetValues) {
        values = *supplied;
    } else {
        // --reuse-values, and (D2) an upgrade with neither flag, keep the current values.
        values = m_values;
        mergeValues(values, *supplied);
        if (!options.reuseValues && !options.values.empty()) {
            const common::Diagnostics reset = resetNote(*supplied);
            notes.insert(notes.end(), reset.begin(), reset.end());
        }
    }
    return commit(std::move(values), std::move(notes));
}

common::Diagnostics HelmRelease::resetNote(const Node &supplied) const
{
    // Real Helm 2 would render the chart's defaults plus only this command's values.
    const Node kept = [&] {
        Node merged = m_values;
        mergeValues(merged, supplied);
        return coalesceValues(merged, m_chart.defaults());
    }();
    const Node real = coalesceValues(supplied, m_chart.defaults());
    std::vector<std::string> lost;
    for (const std::string &path : leafPaths(m_values)) {
        const Node *ours = lookupValue(kept, path);
        const Node *theirs = lookupValue(real, path);
        if ((ours == nullptr) != (theirs == nullptr) ||
            (ours && theirs && !sameValue(*ours, *theirs))) {
            lost.push_back(path + " (" + valueText(ours) + " -> " + valueText(theirs) + ")");
        }
    }
    if (lost.empty()) {
        return {};
    }
    std::string message =
        "simulator note: Meshcraft kept the release's current values. Real Helm 2, given "
        "values without --reuse-values, re-renders the chart's defaults plus only this "
        "command's values, which would reset: " +
        common::join(lost, ", ");
    const std::string enabled = "gateways.istio-egressgateway.enabled";
    if (truthy(lookupValue(kept, enabled)) && !truthy(lookupValue(real, enabled))) {
        message += ". Tiller would then delete the istio-egressgateway Deployment and Service";
    }
    return {Diagnostic{Severity::Info, "helm.values-reset", std::move(message), {}, {}}};
}

std::vector<Resource> HelmRelease::renderManifests() const
{
    const Node values = computedValues();
    std::vector<Node> documents;
    documents.push_back(meshConfigMap(values, m_name, m_nameSpace));
    const Node *gateway = lookupValue(values, "gateways.istio-egressgateway");
    if (truthy(lookupValue(values, "gateways.enabled")) && gateway &&
        truthy(gateway->find("enabled"))) {
        documents.push_back(egressService(*gateway, m_name, m_nameSpace));
        documents.push_back(egressDeployment(values, *gateway, m_name, m_nameSpace));
    }
    return toResources(documents, m_name);
}

common::Result<HelmOutcome> HelmRelease::commit(Node values, common::Diagnostics notes)
{
    const Node previousValues = std::exchange(m_values, std::move(values));
    std::vector<Resource> rendered = renderManifests();
    std::vector<Resource> batch;
    // Tiller creates the release namespace when it is missing; the release does not own it.
    if (!m_store.get(Kind::Namespace, "", m_nameSpace)) {
        batch = toResources({namespaceDocument(m_nameSpace)}, m_name);
    }
    const auto keyOf = [](const Resource &resource) {
        return ObjectKey{resource.kind, resource.metadata.nameSpace, resource.metadata.name};
    };
    const auto previousRender = [&](const ObjectKey &key) -> const Resource * {
        for (const Resource &previous : m_lastRendered) {
            if (keyOf(previous) == key) {
                return &previous;
            }
        }
        return nullptr;
    };
    for (const Resource &resource : rendered) {
        // Tiller patches the difference between the last release's manifest and this one:
        // an object rendered the same is not touched, whatever was done to it live.
        const ObjectKey key = keyOf(resource);
        const Resource *previous = previousRender(key);
        if (previous && m_store.get(key) &&
            sameValue(comparableContent(*previous), comparableContent(resource))) {
            continue;
        }
        batch.push_back(resource);
    }
    std::vector<ObjectKey> stale;
    for (const Resource &previous : m_lastRendered) {
        const ObjectKey key = keyOf(previous);
        const bool stillRendered =
            std::any_of(rendered.begin(), rendered.end(),
                        [&](const Resource &resource) { return keyOf(resource) == key; });
        if (!stillRendered) {
            stale.push_back(key);
        }
    }
    ApplyOptions options;
    options.validate = false;
    options.recordLastApplied = false;
    options.source = m_name;
    HelmOutcome outcome;
    outcome.rendered = m_store.apply(batch, ApplyMode::Batch, options, stale);
    if (!outcome.rendered.ok()) {
        m_values = previousValues;
        std::string why;
        for (const std::string &line : outcome.rendered.outputLines()) {
            why += "\n" + line;
        }
        return common::fail("helm.render-failed", "release " + m_name + " failed:" + why);
    }
    m_lastRendered = std::move(rendered);
    outcome.revision = ++m_revision;
    outcome.notes = std::move(notes);
    return outcome;
}

} // namespace meshcraft::core::config
