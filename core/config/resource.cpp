// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/resource.h"

#include "core/common/text.h"

namespace meshcraft::core::config {

using common::Diagnostic;
using common::Severity;
using common::SourceLocation;

const std::vector<KindInfo> &knownKinds()
{
    static const std::vector<KindInfo> kinds = {
        {Kind::ServiceEntry, "ServiceEntry", "networking.istio.io", {"v1alpha3", "v1beta1", "v1"},
         "serviceentries", {"se"}, true, true},
        {Kind::Gateway, "Gateway", "networking.istio.io", {"v1alpha3", "v1beta1", "v1"},
         "gateways", {"gw"}, true, true},
        {Kind::DestinationRule, "DestinationRule", "networking.istio.io",
         {"v1alpha3", "v1beta1", "v1"}, "destinationrules", {"dr"}, true, true},
        {Kind::VirtualService, "VirtualService", "networking.istio.io",
         {"v1alpha3", "v1beta1", "v1"}, "virtualservices", {"vs"}, true, true},
        {Kind::Sidecar, "Sidecar", "networking.istio.io", {"v1alpha3", "v1beta1", "v1"},
         "sidecars", {}, true, true},
        {Kind::Namespace, "Namespace", "", {"v1"}, "namespaces", {"ns"}, false, false},
        {Kind::Pod, "Pod", "", {"v1"}, "pods", {"po"}, true, false},
        {Kind::Deployment, "Deployment", "apps", {"v1"}, "deployments", {"deploy"}, true, false},
        {Kind::Service, "Service", "", {"v1"}, "services", {"svc"}, true, false},
        {Kind::ConfigMap, "ConfigMap", "", {"v1"}, "configmaps", {"cm"}, true, false},
    };
    return kinds;
}

const KindInfo &kindInfo(Kind kind)
{
    for (const KindInfo &info : knownKinds()) {
        if (info.kind == kind) {
            return info;
        }
    }
    return knownKinds().front();
}

const KindInfo *findKindByResourceName(std::string_view name)
{
    const std::string lower = common::toLower(name);
    for (const KindInfo &info : knownKinds()) {
        if (lower == common::toLower(info.name) || lower == info.plural) {
            return &info;
        }
        for (std::string_view shortName : info.shortNames) {
            if (lower == shortName) {
                return &info;
            }
        }
        // "serviceentries.networking.istio.io" is accepted too.
        if (!info.group.empty() &&
            lower == std::string(info.plural) + "." + std::string(info.group)) {
            return &info;
        }
    }
    return nullptr;
}

std::string Resource::displayName() const
{
    std::string out(info().name);
    out += ' ';
    if (!metadata.nameSpace.empty()) {
        out += metadata.nameSpace + "/";
    }
    out += metadata.name;
    return out;
}

SourceLocation Resource::locationOf(const Node &node) const
{
    if (node.mark.line > 0) {
        return SourceLocation{file, node.mark.line, node.mark.column};
    }
    return location();
}

SourceLocation Resource::location() const
{
    return SourceLocation{file, document.mark.line, document.mark.column};
}

namespace {

void readStringMap(const Node *node, std::map<std::string, std::string> &out)
{
    if (!node || !node->isMap()) {
        return;
    }
    for (const MapEntry &entry : node->entries) {
        if (entry.value.isScalar()) {
            out[entry.key] = entry.value.scalar;
        }
    }
}

} // namespace

std::optional<Resource> resourceFromDocument(const YamlDocument &document,
                                             const std::string &fileName,
                                             common::Diagnostics &diagnostics)
{
    const Node &root = document.root;
    const auto report = [&](const char *code, std::string message, const Node &at) {
        diagnostics.push_back(Diagnostic{Severity::Error, code, std::move(message),
                                         SourceLocation{fileName, at.mark.line, at.mark.column},
                                         {}});
    };
    if (!root.isMap()) {
        const std::string found = root.isSequence() ? "a list" : "a " + root.typeName();
        report("k8s.not-an-object",
               "a Kubernetes object must be a YAML mapping, but this document is " + found, root);
        return std::nullopt;
    }
    const Node *apiVersion = root.find("apiVersion");
    const Node *kind = root.find("kind");
    if (!apiVersion || !apiVersion->isString() || apiVersion->scalar.empty()) {
        report("k8s.missing-apiversion", "error validating data: apiVersion not set", root);
        return std::nullopt;
    }
    if (!kind || !kind->isString() || kind->scalar.empty()) {
        report("k8s.missing-kind", "error validating data: kind not set", root);
        return std::nullopt;
    }
    const std::string &apiText = apiVersion->scalar;
    const auto slash = apiText.rfind('/');
    const std::string group = slash == std::string::npos ? "" : apiText.substr(0, slash);
    const std::string version = slash == std::string::npos ? apiText : apiText.substr(slash + 1);
    const KindInfo *matched = nullptr;
    for (const KindInfo &info : knownKinds()) {
        if (info.name != kind->scalar || info.group != group) {
            continue;
        }
        for (std::string_view served : info.versions) {
            if (served == version) {
                matched = &info;
            }
        }
    }
    if (!matched) {
        report("k8s.unknown-kind",
               "resource mapping not found: no matches for kind \"" + kind->scalar +
                   "\" in version \"" + apiText + "\"",
               *kind);
        return std::nullopt;
    }
    Resource resource;
    resource.kind = matched->kind;
    resource.apiVersion = apiText;
    resource.version = version;
    resource.file = fileName;
    resource.documentIndex = document.index;
    const Node *metadata = root.find("metadata");
    const Node *name = metadata ? metadata->find("name") : nullptr;
    if (!name || !name->isScalar() || name->isNullValue() || name->scalar.empty()) {
        report("k8s.missing-name", "resource name may not be empty",
               metadata ? *metadata : root);
        return std::nullopt;
    }
    resource.metadata.name = name->scalar;
    if (const Node *ns = metadata->find("namespace"); ns && ns->isScalar() && !ns->isNullValue()) {
        resource.metadata.nameSpace = ns->scalar;
    }
    readStringMap(metadata->find("labels"), resource.metadata.labels);
    readStringMap(metadata->find("annotations"), resource.metadata.annotations);
    resource.document = root;
    return resource;
}

ParseResult parseResources(std::string_view text, const std::string &fileName,
                           const YamlLimits &limits)
{
    ParseResult result;
    YamlLoadResult loaded = loadYaml(text, fileName, limits);
    result.diagnostics = std::move(loaded.diagnostics);
    if (common::hasErrors(result.diagnostics)) {
        return result;
    }
    for (const YamlDocument &document : loaded.documents) {
        if (auto resource = resourceFromDocument(document, fileName, result.diagnostics)) {
            result.resources.push_back(std::move(*resource));
        }
    }
    return result;
}

} // namespace meshcraft::core::config
