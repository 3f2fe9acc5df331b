// SPDX-License-Identifier: GPL-3.0-or-later
// DestinationRule hosts that name no service (Istio's destinationrule.PodNotSelectedAnalyzer,
// its UnknownDestinationRuleHost half).
#include "core/config/analyzer_p.h"
#include "core/config/node_read.h"

namespace meshcraft::core::config::detail {

void analyzeDestinationRuleHosts(AnalysisContext &context)
{
    const ServiceRegistry registry(context);
    for (const AnalyzedObject *object : context.objects(Kind::DestinationRule)) {
        const Node *spec = object->resource->spec();
        const std::string host = readString(spec, "host");
        if (!registry.lookup(object->nameSpace, readStringList(spec, "exportTo"), host)) {
            context.report(*object, UnknownDestinationRuleHost,
                           "The host " + host +
                               " defined in the DestinationRule does not match any services in "
                               "the mesh.");
        }
    }
}

} // namespace meshcraft::core::config::detail
