// SPDX-License-Identifier: GPL-3.0-or-later
// Sidecar injection: namespaces without an injection label, and pods missing their proxy in
// namespaces with one (Istio's injection.Analyzer).
#include "core/common/text.h"
#include "core/config/analyzer_p.h"
#include "core/config/k8s_types.h"
#include "core/config/node_read.h"

#include <set>

namespace meshcraft::core::config::detail {

namespace {

constexpr std::string_view IstioNamespace = "istio-system";
constexpr std::string_view InjectionLabel = "istio-injection";
constexpr std::string_view RevisionLabel = "istio.io/rev";
constexpr std::string_view InjectAnnotation = "sidecar.istio.io/inject";

std::string valueOf(const std::map<std::string, std::string> &map, std::string_view key)
{
    const auto it = map.find(std::string(key));
    return it == map.end() ? std::string() : it->second;
}

/// Whether the pod opted out of injection, by label (which wins) or annotation.
bool injectionDisabled(const AnalyzedObject &pod)
{
    const ObjectMeta &meta = pod.resource->metadata;
    std::string inject = valueOf(meta.annotations, InjectAnnotation);
    if (meta.labels.count(std::string(InjectAnnotation)) > 0) {
        inject = valueOf(meta.labels, InjectAnnotation);
    }
    return common::toLower(inject) == "false";
}

} // namespace

void analyzeInjection(AnalysisContext &context)
{
    std::set<std::string> injected;
    for (const AnalyzedObject *object : context.objects(Kind::Namespace)) {
        const std::string &name = object->name();
        if (name == IstioNamespace) {
            continue;
        }
        const std::string label = valueOf(object->labels(), InjectionLabel);
        const bool hasRevision = object->labels().count(std::string(RevisionLabel)) > 0;
        if (label.empty() && !hasRevision) {
            context.report(*object, NamespaceNotInjected,
                           "The namespace is not enabled for Istio injection. Run 'kubectl label "
                           "namespace " +
                               name +
                               " istio-injection=enabled' to enable it, or 'kubectl label "
                               "namespace " +
                               name +
                               " istio-injection=disabled' to explicitly mark it as not needing "
                               "injection.",
                           context.fieldLine(*object, {"metadata", "name"}));
            continue;
        }
        // A legacy label with any other value deliberately opts out. Both labels at once is
        // IST0123, which the lab cannot reach.
        if (!hasRevision && label != "enabled") {
            continue;
        }
        if (hasRevision && !label.empty()) {
            continue;
        }
        injected.insert(name);
    }

    for (const AnalyzedObject *object : context.objects(Kind::Pod)) {
        if (injected.count(object->nameSpace) == 0 || injectionDisabled(*object) ||
            readBool(object->resource->spec(), "hostNetwork")) {
            continue;
        }
        const auto pod = podFrom(*object->resource);
        const Container *proxy = pod->spec.container("istio-proxy");
        if (!proxy || proxy->image.empty()) {
            context.report(*object, PodMissingProxy,
                           "The pod " + object->fullName() +
                               " is missing the Istio proxy. This can often be resolved by "
                               "restarting or redeploying the workload.");
        }
    }
}

} // namespace meshcraft::core::config::detail
